"""Constraints that remove no plan but help the solver: redundant resource profiles and
symmetry breaking between interchangeable patients."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..prepared import KindMode, Prepared
from .constraints import _clip
from .variables import Variables


def add_kind_profiles(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """For an explicit kind with several resources: a cumulative over all the steps that
    need the kind, with capacity = count and each resource's blocked periods as demand 1.
    Implied by the per-resource NoOverlaps, but it reasons on the kind as a whole (energy)
    before any resource is chosen."""
    by_kind: dict[str, list] = {}
    for (i, s), itv in v.interval.items():
        st = prep.patients[i].steps[s]
        if st.fixed:
            continue
        for kind, m in st.kinds:
            if prep.modes.get(kind) is KindMode.EXPLICIT:
                by_kind.setdefault(kind, []).append((itv, m))
    for kind, items in by_kind.items():
        members = prep.by_kind[kind]
        itvs = [itv for itv, _ in items]
        demands = [m for _, m in items]
        for r in members:
            for a, b in _clip(prep.resources[r].blocked, prep.t0, prep.w1):
                itvs.append(model.new_fixed_size_interval_var(a, b - a, f"rblk_{r}_{a}"))
                demands.append(1)
        model.add_cumulative(itvs, demands, len(members))


def identical_patient_groups(prep: Prepared, patients: list[int], exclude: set[int]) -> list[list[int]]:
    """Groups of patients that no rule or objective term tells apart (same pathway, times,
    priority, extra minutes; no fixed steps; not in the reference)."""
    groups: dict[tuple, list[int]] = {}
    for i in patients:
        p = prep.patients[i]
        if p.has_fixed or i in exclude:
            continue
        sig = (p.pathway, p.lo, p.hi, p.weight, p.arrived, p.gate, tuple((s.duration, s.est) for s in p.steps))
        groups.setdefault(sig, []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def add_patient_symmetry_breaking(model: cp_model.CpModel, prep: Prepared, v: Variables,
                                  groups: list[list[int]]) -> None:
    """Within a group of identical patients: if one is seen, so are those before it, and
    arrivals are in the group's order. Any plan can be relabelled to meet this."""
    for group in groups:
        for a, b in zip(group, group[1:]):
            if not isinstance(v.present[a], int):
                model.add_implication(v.present[b], v.present[a])
            model.add(v.arrival[a] <= v.arrival[b])


def identical_resource_classes(prep: Prepared) -> list[list[int]]:
    """Resources that no rule or objective term tells apart: same explicit kind, same
    availability, no fixed step on them (a kind some step needs twice is left out)."""
    doubled = {kind for p in prep.patients for st in p.steps for kind, m in st.kinds if m > 1}
    classes: dict[tuple, list[int]] = {}
    for kind, mode in prep.modes.items():
        if mode is not KindMode.EXPLICIT or kind in doubled:
            continue
        for r in prep.by_kind[kind]:
            res = prep.resources[r]
            if res.fixed_busy:
                continue
            classes.setdefault((kind, tuple(res.available)), []).append(r)
    return [sorted(c) for c in classes.values() if len(c) > 1]


def group_order(v: Variables) -> list[tuple]:
    """The choice groups in a fixed order (by patient, then group)."""
    return sorted(v.choice, key=lambda g: (g.patient, str(g)))


def add_resource_symmetry_breaking(model: cp_model.CpModel, prep: Prepared, v: Variables,
                                   classes: list[list[int]]) -> None:
    """Within a class of identical resources r1 < r2 < ...: in the fixed order of the
    choice groups, r(k+1) is first used no earlier than r(k). Any plan can be relabelled
    to meet this (rename the class's resources in order of first use)."""
    order = group_order(v)
    for cls in classes:
        groups = [g for g in order if any(r in v.choice[g] for r in cls)]
        for r1, r2 in zip(cls, cls[1:]):
            used1 = used2 = None
            for g in groups:
                b1, b2 = v.choice[g].get(r1), v.choice[g].get(r2)
                used1 = _prefix_or(model, v, used1, b1)
                used2 = _prefix_or(model, v, used2, b2)
                if used2 is not None:
                    if used1 is None:
                        model.add(used2 == 0)
                    else:
                        model.add_implication(used2, used1)


def _prefix_or(model: cp_model.CpModel, v: Variables, before, lit):
    """A literal for "before or lit" (None stands for false); recorded in
    `v.derived` so that hints can give it its value."""
    if lit is None:
        return before
    if before is None:
        return lit
    u = model.new_bool_var("")
    model.add_implication(before, u)
    model.add_implication(lit, u)
    model.add_bool_or([before, lit]).only_enforce_if(u)
    v.derived.append((u, before, lit))
    return u

"""Constraints that remove no plan but help the solver: redundant resource profiles and
symmetry breaking between interchangeable patients."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..prepared import Prepared
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
            if prep.modes.get(kind) == "explicit":
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
        sig = (p.pathway, p.lo, p.hi, p.priority, tuple(s.duration for s in p.steps))
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

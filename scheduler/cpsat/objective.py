"""The lexicographic objective, one phase at a time (see `solver.solve_phases`)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..prepared import KindMode, Prepared
from .variables import Variables


def priority_expr(prep: Prepared, v: Variables):
    """1. The sum of `priority` over the patients seen; on the day the patients in the
    clinic first (objective levels 0 and 1 as one sum, see `PPatient.weight`)."""
    return sum(prep.patients[i].weight * x for i, x in v.present.items())


def total_stay_expr(prep: Prepared, v: Variables):
    """2. The total stay: over the patients seen, departure - arrival (for a patient in the
    clinic, from when she arrived)."""
    return sum(v.stay.values())


def add_stability_terms(model: cp_model.CpModel, prep: Prepared, v: Variables,
                        reference_arrival: dict[int, int]):
    """3. With a reference: (patients moved, minutes moved).

    A published patient who is not seen counts as moved (with no minutes). On the day a
    patient in the clinic, or one whose published arrival has passed (late), is moved only
    if she is not seen (`PPatient.counts_as_moved`)."""
    moved_terms, minute_terms = [], []
    for i, ref in reference_arrival.items():
        if i not in v.present:
            continue
        p = prep.patients[i]
        x = v.present[i]
        if p.present or p.late:
            if not isinstance(x, int):
                moved_terms.append(1 - x)
            continue
        keep = model.new_bool_var(f"keep_{p.id}")
        if not isinstance(x, int):
            model.add_implication(keep, x)
        model.add(v.arrival[i] == ref).only_enforce_if(keep)
        moved_terms.append(1 - keep)
        dev = model.new_int_var(0, prep.w1 - prep.w0, f"dev_{p.id}")
        for c in (model.add(dev >= v.arrival[i] - ref), model.add(dev >= ref - v.arrival[i])):
            if not isinstance(x, int):
                c.only_enforce_if(x)
        minute_terms.append(dev)
    return sum(moved_terms), sum(minute_terms)


def add_change_terms(model: cp_model.CpModel, prep: Prepared, v: Variables, published: dict):
    """Below the stay, on the day: published steps of seen patients at another time, and
    published people and rooms of explicit kinds no longer held (so that a re-plan does
    not reshuffle the team for nothing)."""
    terms = []
    for i, steps in published.items():
        if i not in v.present:
            continue
        x = v.present[i]
        p = prep.patients[i]
        for s, (start, resources) in steps.items():
            st = p.steps[s]
            if st.fixed:
                continue
            var = v.start[(i, s)]
            same = model.new_bool_var(f"same_{p.id}_{st.id}")
            model.add(var == start).only_enforce_if(same)
            if not isinstance(x, int):
                model.add_implication(same, x)
            terms.append(x - same)
            for r in resources:
                kind = prep.resources[r].kind
                g = v.group_of.get((i, s, kind))
                if g is None or r not in v.choice[g]:
                    if prep.modes.get(kind) is KindMode.EXPLICIT:
                        terms.append(x)   # that resource cannot do it any more
                    continue
                terms.append(x - v.choice[g][r])
    return sum(terms)

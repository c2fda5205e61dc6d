"""The lexicographic objective, one phase at a time (see `solver.solve_phases`)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..prepared import Prepared
from .variables import Variables


def priority_expr(prep: Prepared, v: Variables):
    """1. The sum of `priority` over the patients seen."""
    return sum(prep.patients[i].priority * x for i, x in v.present.items())


def total_stay_expr(prep: Prepared, v: Variables):
    """2. The total stay: over the patients seen, departure - arrival."""
    return sum(v.stay.values())


def add_stability_terms(model: cp_model.CpModel, prep: Prepared, v: Variables,
                        reference_arrival: dict[int, int]):
    """3. With a reference: (patients whose arrival moved, minutes moved).

    A reference patient who is not seen counts as moved (with no minutes)."""
    moved_terms, minute_terms = [], []
    for i, ref in reference_arrival.items():
        if i not in v.present:
            continue
        p = prep.patients[i]
        keep = model.new_bool_var(f"keep_{p.id}")
        x = v.present[i]
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

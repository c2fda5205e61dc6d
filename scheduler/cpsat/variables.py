"""The decision variables of the CP-SAT model, per patient, step and resource choice.

- `present[p]`: the patient is seen this morning (constant 1 when they must be).
- `start[p, s]`: the step's start; its domain already holds the window, `earliest`,
  `latest`, `now`, the static lags and the times at which some resource of every needed
  kind is available for the step's whole duration.
- `interval[p, s]`: the step's interval, present with the patient.
- `choice[g][r]`: for an explicit kind, "resource r does this step" — one group per
  `same_as` class (the same literals serve every step of the class) or per (step, kind).
- `res_interval[p, s, r]`: the step's interval on resource r, present with `choice`.
- `arrival[p]`, `departure[p]`, `stay[p]` (0 when the patient is not seen); `origin[p]`,
  where the stay starts: the arrival, or the constant time she arrived on the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ortools.sat.python import cp_model

from ..prepared import KindMode, PPatient, PStep, Prepared, intersect, union


@dataclass
class Variables:
    present: dict[int, object] = field(default_factory=dict)   # literal, or 1 when forced
    start: dict[tuple[int, int], object] = field(default_factory=dict)
    interval: dict[tuple[int, int], object] = field(default_factory=dict)
    group_of: dict[tuple[int, int, str], "Group"] = field(default_factory=dict)
    choice: dict["Group", dict[int, object]] = field(default_factory=dict)
    group_mult: dict["Group", int] = field(default_factory=dict)
    anchor_links: list[tuple["Group", "ClassGroup"]] = field(default_factory=list)   # (own group, anchor)
    derived: list[tuple[object, object, object]] = field(default_factory=list)  # u = a or b (symmetry)
    res_interval: dict[tuple[int, int, int], object] = field(default_factory=dict)
    arrival: dict[int, object] = field(default_factory=dict)
    origin: dict[int, object] = field(default_factory=dict)      # where her stay starts
    departure: dict[int, object] = field(default_factory=dict)
    stay: dict[int, object] = field(default_factory=dict)
    domains: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)


def step_domain(prep: Prepared, p: PPatient, st: PStep) -> list[tuple[int, int]]:
    """Starts allowed for a step before any resource is chosen (closed intervals)."""
    if st.fixed:
        return [(st.fixed.start, st.fixed.start)]
    dom = [(st.est, st.lst)]
    for kind, _ in st.kinds:
        cands = prep.candidates(st, kind)
        dom = intersect(dom, union([prep.start_domain(r, st.duration) for r in cands]))
    return dom


class ClassGroup(NamedTuple):
    """The choice literals of a same_as class of a patient (its anchor resource)."""

    patient: int
    cls: int


class StepGroup(NamedTuple):
    """The choice literals of one step's need of a kind (its own, not a class's)."""

    patient: int
    step: int
    kind: str


Group = ClassGroup | StepGroup


def group_key(prep: Prepared, p: PPatient, s: int, kind: str) -> Group:
    """The choice literals a step's need of an explicit kind uses: its same_as class's
    (the anchor, shared by every member that needs the kind once) or its own."""
    ci = p.class_of.get((s, kind))
    if ci is not None and p.steps[s].needs.count(kind) == 1:
        return ClassGroup(p.index, ci)
    return StepGroup(p.index, s, kind)


def create_variables(model: cp_model.CpModel, prep: Prepared, patients: list[int],
                     forced: set[int]) -> Variables:
    """Variables for the given patients (those that can be seen at all)."""
    v = Variables()
    for i in patients:
        p = prep.patients[i]
        x = 1 if i in forced else model.new_bool_var(f"x_{p.id}")
        v.present[i] = x
        for st in p.steps:
            key = (i, st.local)
            dom = step_domain(prep, p, st)
            v.domains[key] = dom
            if st.fixed:
                s = st.fixed.start
                v.start[key] = s
                v.interval[key] = model.new_fixed_size_interval_var(s, st.duration, f"I_{p.id}_{st.id}")
                continue
            s = model.new_int_var_from_domain(cp_model.Domain.from_intervals([list(x_) for x_ in dom]),
                                              f"S_{p.id}_{st.id}")
            v.start[key] = s
            if i in forced:
                v.interval[key] = model.new_fixed_size_interval_var(s, st.duration, f"I_{p.id}_{st.id}")
            else:
                v.interval[key] = model.new_optional_fixed_size_interval_var(s, st.duration, x, f"I_{p.id}_{st.id}")
        # Explicit resource choices: one literal per (group, resource). A same_as class
        # always has its anchor group (one resource, on every member).
        for ci, (kind, members) in enumerate(p.classes):
            if prep.modes.get(kind) is not KindMode.EXPLICIT:
                continue
            g = ClassGroup(i, ci)
            cands = None
            for mem in members:
                c = set(prep.candidates(p.steps[mem], kind))
                cands = c if cands is None else cands & c
            v.group_mult[g] = 1
            v.choice[g] = {r: model.new_bool_var(f"a_{p.id}_{kind}_{ci}_{prep.resources[r].id}")
                           for r in sorted(cands or ())}
        for st in p.steps:
            for kind, m in st.kinds:
                if prep.modes.get(kind) is not KindMode.EXPLICIT:
                    continue
                g = group_key(prep, p, st.local, kind)
                v.group_of[(i, st.local, kind)] = g
                if g in v.choice:
                    continue
                v.group_mult[g] = m
                v.choice[g] = {r: model.new_bool_var(f"b_{p.id}_{st.id}_{prep.resources[r].id}")
                               for r in prep.candidates(st, kind)}
                ci = p.class_of.get((st.local, kind))
                if ci is not None:
                    anchor = v.choice[ClassGroup(i, ci)]
                    v.anchor_links.append((g, ClassGroup(i, ci)))
                    for r, lit in anchor.items():
                        if r not in v.choice[g]:
                            model.add(lit == 0)
        for st in p.steps:
            if st.fixed:
                continue
            for kind, _ in st.kinds:
                g = v.group_of.get((i, st.local, kind))
                if g is None:
                    continue
                for r, lit in v.choice[g].items():
                    v.res_interval[(i, st.local, r)] = model.new_optional_fixed_size_interval_var(
                        v.start[(i, st.local)], st.duration, lit, f"J_{p.id}_{st.id}_{prep.resources[r].id}")
        # Arrival, departure, stay.
        lo, hi = p.lo, p.hi
        if len(p.sources) == 1:
            v.arrival[i] = v.start[(i, p.sources[0])]
        else:
            a = model.new_int_var(min(lo, *(s.est for s in p.steps)), hi, f"arr_{p.id}")
            model.add_min_equality(a, [v.start[(i, s)] for s in p.sources])
            v.arrival[i] = a
        ends = [v.start[(i, s)] + p.steps[s].duration for s in p.sinks]
        if len(p.sinks) == 1:
            v.departure[i] = ends[0]
        else:
            d = model.new_int_var(lo, max(hi, *(s.lst + s.duration for s in p.steps)), f"dep_{p.id}")
            model.add_max_equality(d, ends)
            v.departure[i] = d
        # Her stay starts at her first step, or when she arrived if that was earlier: then a
        # constant, since every step that is not fixed starts after she arrived.
        if p.arrived is None:
            v.origin[i] = v.arrival[i]
            opens = max(lo, prep.t0)
        else:
            v.origin[i] = opens = min([p.arrived] + [st.fixed.start for st in p.steps if st.fixed])
        if i in forced:
            v.stay[i] = v.departure[i] - v.origin[i]
        else:
            v.stay[i] = model.new_int_var(0, max(0, hi - min(opens, max(lo, prep.t0))), f"stay_{p.id}")
    return v

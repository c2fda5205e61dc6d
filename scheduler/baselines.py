"""Peer plans to measure the engine's plans against (benchmarks/robust.py, the tests).

- `fcfs(problem)`: first come, first served, as a planner does by hand (file order, each
  patient at the earliest arrival where all her steps fit, skipping whoever does not fit).
- `buffered(problem, ...)`: a simple *buffer baseline* for uncertainty: plan with every
  duration 10 % longer (rounded up) and the morning 10 minutes shorter, then give each
  step its real duration back (same start, same resources). A baseline to beat, not the
  engine's uncertainty-aware method. When the mapped plan breaks a rule (a step that got
  shorter can widen a lag beyond its `max`), the plain deterministic plan is given instead
  (`stats.engine` says which).

Both return a `Result` (a plan dict with `plan_to_json`) that the validator accepts.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from .bounds import analyse_alone
from .check import check_plan
from .cpsat.model import assign_pooled
from .heuristic import fcfs_plan
from .placement import as_steps
from .placer import Placer
from .io import plan_to_json, problem_to_json
from .prepared import Prepared
from .problem import Pathway, Problem, Step
from .reasons import alone_reasons, reasons
from .result import Objective, Result, ScheduledStep, Stats, Status, Unscheduled
from .solve import solve


def fcfs(problem: Problem) -> Result:
    """The first-come-first-served plan of the morning."""
    started = time.perf_counter()
    prep = Prepared(problem)
    placer = Placer(prep)
    alone = analyse_alone(prep, placer)
    possible = [i for i in range(len(prep.patients)) if alone[i].witness is not None]
    placements = assign_pooled(prep, fcfs_plan(prep, patients=possible, placer=placer).placements)
    steps = as_steps(prep, placements)
    out = [i for i in range(len(prep.patients)) if i not in placements]
    why = reasons(prep, placements, out, alone_reasons(prep, [i for i in out if i not in possible]))
    stay = sum(pl.stay(prep.patients[i]) for i, pl in placements.items())
    bound = sum(alone[i].min_stay for i in placements)
    objective = Objective(len(placements), sum(prep.patients[i].priority for i in placements), stay, min(stay, bound))
    return Result(Status.FEASIBLE, instance=problem.name, objective=objective, assignments=tuple(steps),
                  unscheduled=tuple(Unscheduled(prep.patients[i].id, why[i]) for i in out),
                  stats=Stats(engine="first come, first served", solve_seconds=time.perf_counter() - started))


def _stretched(minutes: int, stretch: float) -> int:
    return math.ceil(minutes * (1 + stretch) - 1e-9)


def buffered_problem(problem: Problem, *, stretch: float = 0.10, shorter: int = 10) -> Problem:
    """The morning with every duration `stretch` longer and the window `shorter` minutes
    shorter (planning ahead only: no fixed steps, no `now`)."""
    if problem.fixed or problem.now is not None:
        raise ValueError("the buffer baseline plans ahead only (no fixed steps, no now)")
    w0, w1 = problem.window
    end = w1 - shorter
    if end <= w0:
        raise ValueError(f"the window is not longer than {shorter} minutes")
    resources = tuple(replace(r, available=tuple((a, min(b, end)) for a, b in r.available if a < end))
                      for r in problem.resources)
    # (pathway, step) -> the most any patient's step is padded: a `max` lag after it shrinks by
    # that much, so the plan mapped back to the real durations keeps it.
    padding = {(pw.id, st.id): _stretched(st.duration, stretch) - st.duration for pw in problem.pathways
               for st in pw.steps}
    patients = []
    for p in problem.patients:
        pathway = problem.pathway(p.pathway)
        extra = []
        for sid, minutes in p.extra:
            base = _step(pathway, sid).duration
            length = _stretched(base + minutes, stretch)      # her step, padded
            extra.append((sid, length - _stretched(base, stretch)))
            padding[(pathway.id, sid)] = max(padding[(pathway.id, sid)], length - base - minutes)
        latest = None if p.latest is None else min(p.latest, end)
        if p.earliest is not None and p.earliest >= (end if latest is None else latest):
            continue   # no time left for her in the shorter morning
        patients.append(replace(p, extra=tuple(extra), latest=latest))
    pathways = tuple(Pathway(pw.id, tuple(replace(
        st, duration=_stretched(st.duration, stretch),
        after=tuple(replace(lag, max=None if lag.max is None else max(lag.min, lag.max - padding[(pw.id, lag.step)]))
                    for lag in st.after)) for st in pw.steps)) for pw in problem.pathways)
    return replace(problem, window=(w0, end), resources=resources, pathways=pathways, patients=tuple(patients),
                   uncertainty=None)


def _step(pathway: Pathway, step_id: str) -> Step:
    return pathway.step(step_id)


def buffered(problem: Problem, *, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
             stretch: float = 0.10, shorter: int = 10) -> Result:
    """The buffer baseline's plan (see the module docstring)."""
    started = time.perf_counter()
    padded = solve(buffered_problem(problem, stretch=stretch, shorter=shorter), time_limit=time_limit,
                   workers=workers, seed=seed)
    label = f"buffer baseline (+{stretch:.0%} durations, window -{shorter} min)"
    if padded.has_plan:
        mapped = _mapped(problem, padded)
        if not check_plan(problem_to_json(problem), plan_to_json(mapped)):
            stats = replace(padded.stats, engine=label, solve_seconds=time.perf_counter() - started)
            return replace(mapped, stats=stats)
    plain = solve(problem, time_limit=time_limit, workers=workers, seed=seed)
    return replace(plain, stats=replace(plain.stats, engine=f"{plain.stats.engine} (the {label} broke a rule)"))


def _mapped(problem: Problem, padded: Result) -> Result:
    """The padded plan with the real durations: same starts, same resources."""
    steps = []
    for a in padded.assignments:
        patient = problem.patient(a.patient)
        length = problem.pathway(patient.pathway).step(a.step).duration + patient.extra_map.get(a.step, 0)
        steps.append(ScheduledStep(a.patient, a.step, a.start, a.start + length, a.resources))
    seen = {a.patient for a in steps}
    prep = Prepared(problem)
    alone = analyse_alone(prep)
    stay = 0
    for pid in seen:
        mine = [a for a in steps if a.patient == pid]
        stay += max(a.end for a in mine) - min(a.start for a in mine)
    bound = sum(alone[prep.patient_index[pid]].min_stay for pid in seen)
    objective = Objective(len(seen), sum(problem.patient(pid).priority for pid in seen), stay, min(stay, bound))
    why = {u.patient: u.reason for u in padded.unscheduled}
    unscheduled = tuple(Unscheduled(p.id, "buffer baseline: " + why.get(p.id, "no time left in the shorter morning"))
                        for p in problem.patients if p.id not in seen)
    return Result(Status.FEASIBLE, instance=problem.name, objective=objective, assignments=tuple(steps),
                  unscheduled=unscheduled, stats=padded.stats)

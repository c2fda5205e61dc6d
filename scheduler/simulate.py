"""The static run of a plan: how it fares on mornings that vary (the format's "Uncertainty").

The static run, as the spec defines it (the policy both the engine and any outside check
measure with; no re-planning):

- fixed steps keep their times; every resource serves its steps in the planned order;
- a patient's first step starts when she has arrived and its resources are free; every
  other step as soon as her previous step (in planned order) has ended, its `after` lags
  (with their varied `min`) have passed, and each of its resources has finished the step
  before it in that resource's order;
- a no-show's steps are skipped; breaks and `earliest` are not modelled (a late step runs
  on into a break); a patient is *answered* when all her steps end by the window's end;
- durations are lognormal with mean = the planned duration (with `extra`) and the step's
  cv; a lag's `min` is multiplied by a lognormal factor of mean 1 and half the cv of the
  step whose `after` it is; arrivals are the planned one plus a normal offset (sd
  `punctuality_sd`) clipped to -15..+30 minutes; a patient who is not present does not come
  with probability `no_show`.

Where the text leaves a choice, this module reads it so (see also scheduler/README.md):
a resource is free from the start of its first available interval (the surgeon on a ward
round until 08:30 is not there before), and nothing that is not fixed starts before the
window's start or the instance's `now`. A present patient (`arrived`, or a fixed step)
always comes; with `arrived` she is there since then.

Every run draws the whole morning from the problem alone (each patient's punctuality,
no-show, every step's duration and lag, in the instance's order) before looking at the
plan, so two plans of one morning meet the same mornings for the same seed (common random
numbers: their difference is the plans', not the dice's). Run i of a seed is the same
morning under every policy (`scheduler.twin` replays it with re-planning).

Standard library only. The inner loop works on flat tuples compiled once per plan, so 400
runs of a 60-patient morning take a fraction of a second (benchmarks/robust.py measures).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from .io import parse_time
from .problem import Pathway, Patient, Problem, Uncertainty
from .result import Result, Risk, ScheduledStep

#: Runs behind the `risk` figures a plan carries.
RISK_RUNS = 400
EARLY, LATE = -15.0, 30.0   # the clip of a patient's arrival offset, minutes
_EPS = 1e-9


# --------------------------------------------------------------------------- the morning's dice

def _lognormal(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and coefficient of variation."""
    if cv <= 0 or mean <= 0:
        return 0.0, 0.0
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True)
class _StepDraw:
    """One step of one patient: its planned duration and where its draws sit."""

    mean: float          # planned duration (template + extra), minutes
    mu: float
    sigma: float         # 0: the duration is the mean exactly
    z: int               # index of its standard normal in the run's draws
    lags: tuple[tuple[str, float, float, float, int], ...]   # (step, min, mu, sigma, z index)


class Layout:
    """The patients of a morning and where each random draw of a run goes.

    Fixed by the problem, not by any plan. `extra_patients` (the twin's walk-ins) come after
    the booked patients, and so do their draws: the booked patients' stay the same."""

    def __init__(self, problem: Problem, uncertainty: Uncertainty | None = None,
                 extra_patients: Sequence[Patient] = ()):
        self.problem = problem
        self.uncertainty = uncertainty or problem.uncertainty or Uncertainty()
        self.window = problem.window
        self.patients: list[Patient] = list(problem.patients) + list(extra_patients)
        self.index = {p.id: i for i, p in enumerate(self.patients)}
        fixed_patients = {f.patient for f in problem.fixed}
        self.present = [p.arrived is not None or p.id in fixed_patients for p in self.patients]
        self.priority = [p.priority for p in self.patients]
        self.punctuality_z: list[int] = []
        self.steps: list[dict[str, _StepDraw]] = []
        self.chain: list[bool] = []
        cv = self.uncertainty.cv
        count = 0
        for patient in self.patients:
            pathway = problem.pathway(patient.pathway)
            extra = patient.extra_map
            self.punctuality_z.append(count)
            count += 1
            steps = {}
            for step in pathway.steps:
                mean = float(step.duration + extra.get(step.id, 0))
                mu, sigma = _lognormal(mean, cv(step.id))
                z = count
                count += 1
                lags = []
                for lag in step.after:
                    lmu, lsigma = _lognormal(1.0, cv(step.id) / 2)
                    lags.append((lag.step, float(lag.min), lmu, lsigma, count))
                    count += 1
                steps[step.id] = _StepDraw(mean, mu, sigma, z, tuple(lags))
            self.steps.append(steps)
            self.chain.append(_is_chain(pathway))
        self.draws = count
        self.resource_index = {r.id: i for i, r in enumerate(problem.resources)}
        # A resource is there from the start of its first available interval.
        self.resource_open = [float(r.available[0][0]) if r.available else float(problem.window[0])
                              for r in problem.resources]
        self.fixed = {(f.patient, f.step): f for f in problem.fixed}

    def draw(self, rng: random.Random) -> tuple[list[float], list[float]]:
        """One morning's dice: standard normals (punctuality, durations, lags) and one
        uniform per patient (no-show)."""
        return normals(rng, self.draws), [rng.random() for _ in range(len(self.patients))]

    def came(self, u: Sequence[float]) -> list[bool]:
        p = self.uncertainty.no_show
        return [present or u[i] >= p for i, present in enumerate(self.present)]

    def offset(self, i: int, z: Sequence[float]) -> float:
        """Her arrival minus the planned one, clipped to -15..+30."""
        sd = self.uncertainty.punctuality_sd
        if not sd:
            return 0.0
        return min(LATE, max(EARLY, sd * z[self.punctuality_z[i]]))

    def fixed_times(self, patient: str, step: str) -> tuple[float, float] | None:
        f = self.fixed.get((patient, step))
        if f is None:
            return None
        if f.end is not None:
            return float(f.start), float(f.end)
        return float(f.start), float(f.start) + self.steps[self.index[patient]][step].mean


def normals(rng: random.Random, n: int) -> list[float]:
    """n standard normals (Box-Muller on the generator's uniforms: a few times faster than
    `random.gauss` one by one, which is what the runs spend most of their time on)."""
    rnd, log, sqrt = rng.random, math.log, math.sqrt
    pairs = (n + 1) // 2
    radius = [sqrt(-2.0 * log(1.0 - rnd())) for _ in range(pairs)]
    angle = [math.tau * rnd() for _ in range(pairs)]
    z = [r * math.cos(a) for r, a in zip(radius, angle)]
    z += [r * math.sin(a) for r, a in zip(radius, angle)]
    return z[:n]


def _is_chain(pathway: Pathway) -> bool:
    """Does precedence order every pair of steps (so "one step at a time" adds nothing)?"""
    before = {step.id: {lag.step for lag in step.after} for step in pathway.steps}

    def ancestors(sid: str, seen: set[str]) -> set[str]:
        for b in before[sid]:
            if b not in seen:
                seen.add(b)
                ancestors(b, seen)
        return seen

    reach = {sid: ancestors(sid, set()) for sid in before}
    ids = list(before)
    return all(b in reach[a] or a in reach[b] for i, a in enumerate(ids) for b in ids[i + 1:])


# --------------------------------------------------------------------------- a plan, compiled

def plan_steps(plan: Result | Mapping | Iterable[ScheduledStep]) -> tuple[ScheduledStep, ...]:
    """The planned steps of a `Result`, a `mammapoli-plan/1` dict, or the steps themselves."""
    if isinstance(plan, Result):
        return plan.assignments
    if isinstance(plan, Mapping):
        return tuple(ScheduledStep(a["patient"], a["step"], parse_time(a["start"], f"assignments[{i}].start"),
                                   parse_time(a["end"], f"assignments[{i}].end"), tuple(a["resources"]))
                     for i, a in enumerate(plan.get("assignments", [])))
    return tuple(plan)


@dataclass(frozen=True)
class Compiled:
    """A plan as the run executes it: its steps in an order that every rule of the run
    respects (planned start), each a flat tuple (see `execute`)."""

    steps: tuple[ScheduledStep, ...]
    entries: tuple[tuple, ...]
    patients: tuple[int, ...]          # the layout's indices of the plan's patients
    last: dict[int, list[int]]         # patient -> her entries


def compile_plan(layout: Layout, steps: Sequence[ScheduledStep], *, history: Mapping | None = None,
                 not_before: float | None = None) -> Compiled:
    """Order and index a plan's steps for `execute`.

    `history` maps (patient, step) to the (start, end) it really had: those steps keep their
    times (the problem's fixed steps always do). Nothing else starts before `not_before`
    (default: the window's start, or the instance's `now`)."""
    problem = layout.problem
    start0 = float(max(problem.window[0], problem.now if problem.now is not None else problem.window[0]))
    if not_before is not None:
        start0 = max(start0, float(not_before))
    history = history or {}
    ordered = sorted(steps, key=lambda a: (a.start, a.end, layout.index[a.patient], a.step))
    position: dict[tuple[str, str], int] = {}
    previous: dict[str, int] = {}
    entries = []
    by_patient: dict[int, list[int]] = {}
    for k, a in enumerate(ordered):
        i = layout.index[a.patient]
        draw = layout.steps[i][a.step]
        kept = history.get((a.patient, a.step)) or layout.fixed_times(a.patient, a.step)
        lags = []
        for pred, base, lmu, lsigma, lz in draw.lags:
            kp = position.get((a.patient, pred))
            if kp is None:
                raise ValueError(f"{a.patient} {a.step} is planned before {pred}, which its `after` names: "
                                 f"the plan is not valid")
            lags.append((kp, base, lmu, lsigma, lz))
        prev = previous.get(a.patient, -1)
        res = tuple(layout.resource_index[r] for r in a.resources)
        entries.append((i, kept, prev, tuple(lags), res, draw.mean, draw.mu, draw.sigma, draw.z, start0))
        position[(a.patient, a.step)] = k
        previous[a.patient] = k
        by_patient.setdefault(i, []).append(k)
    return Compiled(tuple(ordered), tuple(entries), tuple(sorted(by_patient)), by_patient)


def execute(compiled: Compiled, z: Sequence[float], came: Sequence[bool], arrival: Sequence[float],
            resource_free: Sequence[float]) -> tuple[list, list, list]:
    """One run of a compiled plan: (starts, ends, own) per entry (None when she did not come);
    `own[k]` is the length of her pathway up to the end of step k with this run's durations
    and lags (for the wait beyond her own pathway)."""
    exp = math.exp
    n = len(compiled.entries)
    starts: list = [None] * n
    ends: list = [None] * n
    own: list = [None] * n
    free = list(resource_free)
    for k, (i, kept, prev, lags, res, mean, mu, sigma, zi, t0) in enumerate(compiled.entries):
        if not came[i]:
            continue
        path = 0.0
        if kept is not None:
            s, e = kept
            for kp, base, lmu, lsigma, lz in lags:
                v = own[kp] + (base * exp(lmu + lsigma * z[lz]) if lsigma else base)
                if v > path:
                    path = v
        else:
            s = t0
            if prev < 0:
                if arrival[i] > s:
                    s = arrival[i]
            elif ends[prev] > s:
                s = ends[prev]
            for kp, base, lmu, lsigma, lz in lags:
                lag = base * exp(lmu + lsigma * z[lz]) if lsigma else base
                v = ends[kp] + lag
                if v > s:
                    s = v
                v = own[kp] + lag
                if v > path:
                    path = v
            for r in res:
                if free[r] > s:
                    s = free[r]
            e = s + (exp(mu + sigma * z[zi]) if sigma else mean)
        for r in res:
            free[r] = e
        starts[k], ends[k], own[k] = s, e, path + (e - s)
    return starts, ends, own


# --------------------------------------------------------------------------- figures

@dataclass(frozen=True)
class Morning:
    """What one simulated morning came to."""

    answered: int
    priority_answered: int
    overtime: float              # minutes the last step ended after the window's end (0: none)
    waits: tuple[float, ...]     # per patient who came and was seen: stay minus her own pathway
    no_shows: int                # planned patients who did not come
    seen: int = 0                # patients seen (came, and every step ran)
    walk_ins: int = 0
    moved: int = 0               # replan: moves over the morning's re-plans (spec's definition)
    called: int = 0              # replan: patients phoned (a new time, or not to come)
    replans: int = 0
    replans_failed: int = 0


def outcome(layout: Layout, compiled: Compiled, starts: Sequence, ends: Sequence, own: Sequence,
            arrival: Sequence[float], came: Sequence[bool], **replan) -> Morning:
    """The figures of one run: answered (every step ended by the window's end), overtime,
    waits (her stay, from her arrival, minus the length of her own pathway that morning)."""
    end_of_window = layout.window[1] + _EPS
    answered = priority = seen = no_shows = 0
    last_end = None
    waits = []
    for i, ks in compiled.last.items():
        if not came[i]:
            no_shows += 1
            continue
        seen += 1
        # Her steps run one after the other in planned order: the first starts first, the
        # last ends last.
        finish = ends[ks[-1]]
        if last_end is None or finish > last_end:
            last_end = finish
        if finish <= end_of_window:
            answered += 1
            priority += layout.priority[i]
        origin = starts[ks[0]]
        if arrival[i] < origin:
            origin = arrival[i]
        pathway = 0.0
        for k in ks:
            if own[k] > pathway:
                pathway = own[k]
        if not layout.chain[i]:
            pathway = max(pathway, sum(ends[k] - starts[k] for k in ks))
        waits.append(max(0.0, finish - origin - pathway))
    overtime = max(0.0, last_end - layout.window[1]) if last_end is not None else 0.0
    return Morning(answered, priority, overtime, tuple(waits), no_shows, seen, **replan)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass(frozen=True)
class Figures:
    """How a plan fares over many simulated mornings (means are per morning)."""

    policy: str
    runs: int
    seed: int
    scheduled: int
    priority_scheduled: int
    answered_expected: float
    priority_answered_expected: float
    overtime_mean: float
    overtime_p90: float
    wait_mean: float             # minutes, per patient who came and was seen
    wait_p90: float
    no_shows_expected: float
    walk_ins_expected: float = 0.0
    moved_per_morning: float = 0.0
    called_per_morning: float = 0.0
    replans_per_morning: float = 0.0
    replans_failed_per_morning: float = 0.0
    overtime_limit: float | None = None

    def to_json(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = round(value, 3) if isinstance(value, float) else value
        return out

    def risk(self) -> Risk:
        """The plan's `risk` figures (format: "Uncertainty")."""
        return Risk(self.runs, round(self.answered_expected, 2), round(self.priority_answered_expected, 2),
                    round(self.overtime_p90, 1), round(self.overtime_mean, 1))


def figures(mornings: Sequence[Morning], *, policy: str, seed: int, scheduled: int, priority_scheduled: int,
            overtime_limit: float | None) -> Figures:
    n = len(mornings)
    waits = [w for m in mornings for w in m.waits]

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    return Figures(
        policy=policy, runs=n, seed=seed, scheduled=scheduled, priority_scheduled=priority_scheduled,
        answered_expected=mean(m.answered for m in mornings),
        priority_answered_expected=mean(m.priority_answered for m in mornings),
        overtime_mean=mean(m.overtime for m in mornings),
        overtime_p90=percentile([m.overtime for m in mornings], 0.9),
        wait_mean=mean(waits), wait_p90=percentile(waits, 0.9),
        no_shows_expected=mean(m.no_shows for m in mornings),
        walk_ins_expected=mean(m.walk_ins for m in mornings),
        moved_per_morning=mean(m.moved for m in mornings),
        called_per_morning=mean(m.called for m in mornings),
        replans_per_morning=mean(m.replans for m in mornings),
        replans_failed_per_morning=mean(m.replans_failed for m in mornings),
        overtime_limit=overtime_limit)


# --------------------------------------------------------------------------- the static policy

def run_seeds(seed: int, runs: int) -> list[int]:
    """The seed of each run: run i of a seed is the same morning under every policy."""
    master = random.Random(seed)
    return [master.getrandbits(64) for _ in range(runs)]


def planned_arrivals(layout: Layout, compiled: Compiled) -> list[float]:
    """Each patient's arrival as planned: the start of her first step (`arrived` if present)."""
    arrival = [0.0] * len(layout.patients)
    for i, ks in compiled.last.items():
        patient = layout.patients[i]
        arrival[i] = float(patient.arrived) if patient.arrived is not None else float(compiled.steps[ks[0]].start)
    return arrival


def static_mornings(layout: Layout, steps: Sequence[ScheduledStep], seeds: Sequence[int]) -> list[Morning]:
    compiled = compile_plan(layout, steps)
    planned = planned_arrivals(layout, compiled)
    out = []
    for run_seed in seeds:
        z, u = layout.draw(random.Random(run_seed))
        came = layout.came(u)
        arrival = list(planned)
        for i in compiled.patients:
            if not layout.present[i]:
                arrival[i] += layout.offset(i, z)
        starts, ends, own = execute(compiled, z, came, arrival, layout.resource_open)
        out.append(outcome(layout, compiled, starts, ends, own, arrival, came))
    return out


def simulate_static(problem: Problem, plan, *, runs: int = RISK_RUNS, seed: int = 0,
                    uncertainty: Uncertainty | None = None) -> Figures:
    """The plan's static runs: `runs` seeded mornings (the same seed, the same figures).

    `uncertainty` overrides the instance's block (an instance without one and no override
    runs with no variation at all)."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    layout = Layout(problem, uncertainty)
    steps = plan_steps(plan)
    planned = {a.patient for a in steps}
    mornings = static_mornings(layout, steps, run_seeds(seed, runs))
    return figures(mornings, policy="static", seed=seed, scheduled=len(planned),
                   priority_scheduled=sum(problem.patient(p).priority for p in planned),
                   overtime_limit=layout.uncertainty.overtime_p90)


def plan_risk(problem: Problem, plan, *, runs: int = RISK_RUNS, seed: int = 0) -> Risk:
    """The plan's `Risk` from its own seeded static runs (the same seed, the same figures)."""
    return simulate_static(problem, plan, runs=runs, seed=seed).risk()


def risk(problem: Problem, plan, runs: int = RISK_RUNS, seed: int = 0) -> dict:
    """The spec's `risk` object of a plan (a `Result`, a plan dict or its steps)."""
    return plan_risk(problem, plan, runs=runs, seed=seed).to_json()

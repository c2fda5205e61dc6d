"""The digital twin's `replan` policy: the morning as the clinic runs it, re-planned by the
engine after each event that changes it, the team following each re-plan.

Each simulated morning is the same morning as run i of the static policy for the seed
(`simulate.run_seeds`: the same durations, lags, punctuality and no-shows). The team works
through the current plan by the static run's rules (`simulate.execute`); the events are

- an *overrun*: a step ends more than `overrun` minutes (default 10) after its end in the
  current plan, whatever the cause (it took longer, or started late); known when it ends;
- a *no-show*: a patient in the plan is not there `no_show_after` minutes (default 15)
  after the time she was given; she is taken off the list (should she come after all, she
  is fitted in like a walk-in);
- a *walk-in* arrives (none by default; see `ReplanOptions.walk_ins`).

At each event (at `now`, the next whole minute) the twin writes the on-the-day instance as
the clinic's adapter would: what has started is `fixed` (with its real end once finished;
a step still running past its planned length lasts at least until now, as the adapter has
it), the patients who have arrived have `arrived`, the current published plan is the
`reference`, the patients taken off are gone. The engine re-plans it with its on-the-day
rules and its short time limit; the patients whose time moved are called (the engine keeps
the notice), the team follows the new plan from `now`.

What the twin adds so that a real morning stays a valid instance (the engine's rules are
for plans, and a real morning breaks some of them):

- the morning may run over: a patient in the clinic who can no longer be done by the
  window's end (or her `latest`), even alone, may run on by up to `overtime_room` minutes
  (default 120; the window and every resource there at its end are extended for her);
  everyone else must still be done in time (nobody is invited into the overtime); should
  that leave no plan, everyone who has started may run on;
- a patient in the clinic has no `earliest` any more (she is here; the run does not model
  it, so she may have started before it);
- a lag that really was shorter or longer than its `min`/`max` between two steps that
  already happened (the lab was quick; a result waited) is widened for that patient, in a
  pathway of her own (`fna~P07`), and a `max` after a finished step that can no longer be
  kept at `now` is dropped; if the engine still finds no plan, every `max` after a step that
  has started (finished or running) of a patient in the clinic is dropped and it tries once
  more (a break can leave no room within a `max`: the clinic would run on into the break);
  if that fails too, the team keeps the current plan (counted as a failed re-plan).

No re-plan after the window's end (the team finishes the patients in the clinic in the
order of the last plan), and at most `max_replans` per morning (default 6), so a benchmark
stays affordable. A patient dropped by a re-plan is told not to come and does not; the twin
does not call in patients from a waiting list.

Walk-ins (the spec defines no process for them): none by default. With `walk_ins = λ > 0`,
each morning gets a Poisson(λ) number of walk-ins, each arriving at a uniform whole minute
between the window's start and an hour before its end, on the pathway and with the
priority of a patient of the morning drawn at random, no extra minutes. They are drawn
from a stream of their own, so the booked patients' mornings stay the same.

The engine's search is time-limited, so the replan figures reproduce exactly only where the
re-plans finish (proven) within their limit; the static figures always do.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from .problem import Assignment, FixedStep, Lag, Pathway, Patient, Problem, Resource, Step
from .result import Result, ScheduledStep
from .simulate import (Compiled, Figures, Layout, Morning, compile_plan, execute, figures, normals,
                       outcome, plan_steps, planned_arrivals, run_seeds)
from .solve import solve

_WALK_IN_SALT = 0x5A1C_0FF1CE


@dataclass(frozen=True)
class Replan:
    """One re-plan of a simulated morning: when, why, the instance the engine got, its answer."""

    now: int
    event: str
    problem: Problem
    result: Result


@dataclass(frozen=True)
class ReplanOptions:
    """How the twin's clinic re-plans (see the module docstring)."""

    time_limit: float = 1.0      # seconds per re-plan (the engine's short on-the-day limit)
    workers: int = 2
    seed: int = 0                # the engine's seed for every re-plan
    max_replans: int = 6         # per morning
    overrun: int = 10            # minutes past its planned end before a step's end is an event
    no_show_after: int = 15      # minutes past her time before a patient who has not come is taken off
    walk_ins: float = 0.0        # expected walk-ins per morning (Poisson); 0: none
    overtime_room: int = 120     # minutes the patients in the clinic may run past the window

    def __post_init__(self) -> None:
        if self.time_limit <= 0:
            raise ValueError(f"time_limit must be > 0, got {self.time_limit}")
        for name in ("max_replans", "overrun", "no_show_after", "overtime_room"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.walk_ins < 0:
            raise ValueError(f"walk_ins must be >= 0, got {self.walk_ins}")


def _minute(x: float) -> int:
    """A moment of the simulation on the engine's minute grid (monotone: order is kept)."""
    return math.floor(x + 0.5)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def draw_walk_ins(problem: Problem, rng: random.Random, mean: float) -> list[tuple[Patient, int]]:
    """A Poisson(`mean`) number of walk-ins, each (patient, minute she arrives): a uniform
    minute from the window's start to an hour before its end, the pathway and priority of a
    patient of the morning drawn at random, no extra minutes; ids W1, W2, ..."""
    if mean <= 0 or not problem.patients:
        return []
    w0, w1 = problem.window
    taken = {p.id for p in problem.patients}
    out = []
    number = 0
    for _ in range(_poisson(rng, mean)):
        like = problem.patients[rng.randrange(len(problem.patients))]
        at = rng.randint(w0, max(w0, w1 - 60))
        number += 1
        while f"W{number}" in taken:
            number += 1
        taken.add(f"W{number}")
        out.append((Patient(f"W{number}", like.pathway, priority=like.priority, arrived=at), at))
    return out


class _Morning:
    """One simulated morning under the replan policy."""

    def __init__(self, problem: Problem, layout: Layout, steps, z, came, arrival, walk_ins, options: ReplanOptions,
                 on_replan: Callable[[Replan], None] | None = None):
        self.problem = problem
        self.on_replan = on_replan
        self.layout = layout
        self.options = options
        self.z = z
        self.came = came
        self.arrival = arrival                  # per layout index: when she is (or will be) there
        self.steps: tuple[ScheduledStep, ...] = tuple(steps)
        self.history: dict[tuple[str, str], tuple[float, float]] = {}   # what really happened
        self.held: dict[tuple[str, str], tuple[str, ...]] = {}           # ... and on which resources
        self.walk_ins = {layout.index[p.id] for p, _ in walk_ins}
        compiled = compile_plan(layout, self.steps)
        planned = planned_arrivals(layout, compiled)
        self.told = {i: planned[i] for i in compiled.patients if not layout.present[i]}
        self.booked = set(compiled.patients)
        self.taken_off: set[int] = set()         # no-shows as the clinic sees them (may still come)
        self.gone: set[int] = set()              # told not to come, or sent home
        self.moved = 0
        self.called: set[int] = set()
        self.replans = 0
        self.failed = 0
        self.now = float(max(problem.window[0], problem.now if problem.now is not None else problem.window[0]))

    # The run of the current plan ------------------------------------------------------
    def run(self) -> tuple[Compiled, list, list, list]:
        compiled = compile_plan(self.layout, self.steps, history=self.history, not_before=self.now)
        starts, ends, own = execute(compiled, self.z, self.came, self.arrival, self.layout.resource_open)
        return compiled, starts, ends, own

    def next_event(self, compiled: Compiled, ends: list) -> tuple[float, str] | None:
        """The first moment after `now` at which the morning changes, and what happens then
        (None: the morning runs out as planned)."""
        o = self.options
        events = []
        for k, a in enumerate(compiled.steps):
            e = ends[k]
            if e is not None and e > self.now and e > a.end + o.overrun:
                events.append((e, f"overrun: {a.patient} {a.step} ends {e - a.end:.0f} min late"))
        started = {self.layout.index[p] for p, _ in self.history}
        for i in compiled.patients:
            if self.layout.present[i] or i in started or i not in self.told:
                continue
            due = self.told[i] + o.no_show_after
            if due > self.now and (not self.came[i] or self.arrival[i] > due):
                events.append((due, f"no-show: {self.layout.patients[i].id}"))
        for i in self.walk_ins | self.taken_off:
            if i not in self.gone and i not in compiled.last and self.came[i] and self.arrival[i] > self.now:
                what = "walk-in" if i in self.walk_ins else "came after all"
                events.append((self.arrival[i], f"{what}: {self.layout.patients[i].id}"))
        return min(events) if events else None

    # One re-plan ---------------------------------------------------------------------
    def replan(self, compiled: Compiled, starts: list, ends: list, now: int, event: str) -> None:
        layout = self.layout
        for k, a in enumerate(compiled.steps):
            if starts[k] is not None and starts[k] < now:
                self.history[(a.patient, a.step)] = (starts[k], ends[k])
                self.held[(a.patient, a.step)] = a.resources
        started = {layout.index[p] for p, _ in self.history}
        in_plan = set(compiled.patients)
        # The clinic's view at `now`: who is here, who is taken off as a no-show.
        here = {i for i in range(len(layout.patients)) if i in started or (
            self.came[i] and self.arrival[i] <= now and i not in self.gone
            and (i in in_plan or i in self.walk_ins or i in self.taken_off))}
        for i in in_plan - here:
            if i in self.told and self.told[i] + self.options.no_show_after <= now:
                self.taken_off.add(i)
        patients = sorted((in_plan - self.taken_off) | here)
        kept = self.kept(patients, now)
        # First as the clinic's adapter writes it, the morning running over only for the
        # patients in the clinic who cannot be done in time any more; failing that, for
        # everyone who has started, with every `max` after a started step dropped.
        late = {i for i in here if self.earliest_finish(i, kept, now) > self.deadline(i)}
        problem = self.instance(patients, here, kept, now, overtime=late)
        result = self.solve(problem)
        if not result.has_plan:
            started = {layout.index[p] for p, _ in self.history} & set(patients)
            problem = self.instance(patients, here, kept, now, overtime=late | started, relax=True)
            result = self.solve(problem)
        if self.on_replan is not None:
            self.on_replan(Replan(now, event, problem, result))
        self.replans += 1
        self.now = float(now)
        if not result.has_plan:
            self.failed += 1
            return
        self.follow(result.assignments, compiled, here, now)

    def follow(self, assignments, compiled: Compiled, here: set[int], now: int) -> None:
        """The team takes the new plan; patients not here whose time moved are called."""
        layout = self.layout
        first_old = {layout.index[compiled.steps[ks[0]].patient]: compiled.steps[ks[0]].start
                     for ks in compiled.last.values()}
        first_new: dict[int, int] = {}
        for a in assignments:
            i = layout.index[a.patient]
            first_new[i] = min(first_new.get(i, a.start), a.start)
        for i, published in first_old.items():
            if i in here or i in self.taken_off:
                continue
            if i not in first_new:
                self.moved += 1
                self.called.add(i)
                self.gone.add(i)          # told not to come
            elif published >= now and first_new[i] != published:
                self.moved += 1
                self.called.add(i)
                self.told[i] = first_new[i]
                self.arrival[i] = first_new[i] + layout.offset(i, self.z)
        for i in here - set(first_new):
            self.gone.add(i)              # in the clinic and still not seen: sent home
        self.taken_off -= here
        self.steps = tuple(assignments)

    def solve(self, problem: Problem):
        o = self.options
        return solve(problem, time_limit=o.time_limit, workers=o.workers, seed=o.seed)

    def kept(self, patients: list[int], now: int) -> dict[tuple[str, str], tuple[int, int | None]]:
        """What has started, on the engine's minute grid: (start, end; None while running)."""
        wanted = {self.layout.patients[i].id for i in patients}
        out = {}
        for (pid, sid), (s, e) in self.history.items():
            if pid in wanted:
                start = _minute(s)
                out[(pid, sid)] = (start, max(start + 1, _minute(e)) if e <= now else None)
        return out

    def deadline(self, i: int) -> int:
        patient = self.layout.patients[i]
        w1 = self.problem.window[1]
        return w1 if patient.latest is None else min(w1, patient.latest)

    def earliest_finish(self, i: int, kept: Mapping, now: int) -> int:
        """When she could be done at the earliest, alone (lags and what has started only)."""
        patient = self.layout.patients[i]
        pathway = self.problem.pathway(patient.pathway)
        extra = patient.extra_map
        done: dict[str, int] = {}
        busy = now
        for step in pathway.steps:
            times = kept.get((patient.id, step.id))
            if times is not None:
                done[step.id] = times[1] if times[1] is not None else max(now, times[0] + step.duration
                                                                         + extra.get(step.id, 0))
                busy = max(busy, done[step.id])
        pending = [s for s in pathway.steps if s.id not in done]
        while pending:   # the steps in any order: take those whose predecessors are placed
            for step in list(pending):
                if all(lag.step in done for lag in step.after):
                    begin = max([busy] + [done[lag.step] + lag.min for lag in step.after])
                    done[step.id] = begin + step.duration + extra.get(step.id, 0)
                    pending.remove(step)
        return max(done.values())

    def instance(self, patients: list[int], here: set[int], kept: Mapping, now: int, *,
                 overtime: set[int], relax: bool = False) -> Problem:
        """The on-the-day instance at `now` (see the module docstring); the patients in
        `overtime` may run past the window's end."""
        problem, layout = self.problem, self.layout
        w0, w1 = problem.window
        end = min(24 * 60, w1 + self.options.overtime_room) if overtime else w1
        resources = tuple(
            Resource(r.id, r.kind, r.available[:-1] + ((r.available[-1][0], end),))
            if end > w1 and r.available and r.available[-1][1] == w1 else r for r in problem.resources)
        fixed = tuple(FixedStep(pid, sid, start, self.held[(pid, sid)], stop)
                      for (pid, sid), (start, stop) in kept.items())
        pathways = {p.id: p for p in problem.pathways}
        out_pathways = dict(pathways)
        out_patients = []
        for i in patients:
            patient = layout.patients[i]
            extra = patient.extra_map
            pathway = pathways[patient.pathway]
            for step in pathway.steps:
                times = kept.get((patient.id, step.id))
                if times is not None and times[1] is None:
                    # Still running: it lasts at least until now (as the clinic's adapter has it).
                    extra[step.id] = max(extra.get(step.id, 0), now - times[0] - step.duration)
            own = _own_pathway(pathway, patient.id, kept, now, relax=relax and i in here)
            out_pathways[own.id] = own
            # In the clinic, her `earliest` (when she can come) is moot: she is here (and the
            # run does not model it: she may have started before it).
            out_patients.append(replace(
                patient, pathway=own.id, extra=tuple(extra.items()),
                earliest=None if i in here else patient.earliest,
                latest=end if i in overtime else self.deadline(i),
                arrived=min(now, _minute(self.arrival[i])) if i in here else None))
        wanted = {layout.patients[i].id for i in patients}
        reference = tuple(Assignment(a.patient, a.step, a.start, a.resources, a.end) for a in self.steps
                          if a.patient in wanted)
        return Problem(window=(w0, end), resources=resources, pathways=tuple(out_pathways.values()),
                       patients=tuple(out_patients), fixed=fixed, reference=reference, now=now,
                       name=problem.name, date=problem.date, notice=problem.notice)

    def figures(self, compiled: Compiled, starts, ends, own) -> Morning:
        base = outcome(self.layout, compiled, starts, ends, own, self.arrival, self.came)
        no_shows = sum(1 for i in self.booked if not self.layout.present[i] and not self.came[i])
        return replace(base, no_shows=no_shows, walk_ins=len(self.walk_ins), moved=self.moved,
                       called=len(self.called), replans=self.replans, replans_failed=self.failed)


def _own_pathway(pathway: Pathway, patient: str, kept: Mapping, now: int, *, relax: bool) -> Pathway:
    """Her pathway with the lags that the morning could not keep widened to what happened."""
    steps, changed = [], False
    for step in pathway.steps:
        lags = []
        for lag in step.after:
            before, after = kept.get((patient, lag.step)), kept.get((patient, step.id))
            low, high = lag.min, lag.max
            if before is not None and after is not None and before[1] is not None:
                gap = after[0] - before[1]
                low, high = min(low, max(0, gap)), None if high is None else max(high, gap)
            elif before is not None and after is None and high is not None:
                if relax or (before[1] is not None and before[1] + high < now):
                    high = None
            lags.append(Lag(lag.step, low, high) if (low, high) != (lag.min, lag.max) else lag)
            changed |= (low, high) != (lag.min, lag.max)
        steps.append(Step(step.id, step.duration, step.needs, tuple(lags), step.same_as) if lags != list(step.after)
                     else step)
    if not changed:
        return pathway
    return Pathway(f"{pathway.id}~{patient}", tuple(steps))


def simulate_replan(problem: Problem, plan, *, runs: int = 20, seed: int = 0, uncertainty=None,
                    options: ReplanOptions | None = None,
                    on_replan: Callable[[Replan], None] | None = None) -> Figures:
    """`runs` mornings of the plan under the replan policy (run i is the static policy's run i;
    the walk-ins come from a stream of their own)."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    options = options or ReplanOptions(seed=seed)
    base = Layout(problem, uncertainty)
    steps = plan_steps(plan)
    planned = {a.patient for a in steps}
    mornings = []
    for run_seed in run_seeds(seed, runs):
        walk_ins = draw_walk_ins(problem, random.Random(run_seed ^ _WALK_IN_SALT), options.walk_ins)
        mornings.append(replan_morning(problem, base, steps, base.draw(random.Random(run_seed)), options,
                                       walk_ins=walk_ins, walk_in_seed=run_seed ^ _WALK_IN_SALT ^ 1,
                                       on_replan=on_replan))
    return figures(mornings, policy="replan", seed=seed, scheduled=len(planned),
                   priority_scheduled=sum(problem.patient(p).priority for p in planned),
                   overtime_limit=base.uncertainty.overtime_p90)


def replan_morning(problem: Problem, base: Layout, steps, dice: tuple[list[float], list[float]],
                   options: ReplanOptions, *, walk_ins: Sequence[tuple[Patient, int]] = (), walk_in_seed: int = 0,
                   on_replan: Callable[[Replan], None] | None = None) -> Morning:
    """One morning under the replan policy: `dice` are the booked patients' draws
    (`Layout.draw`), `walk_ins` (patient, minute of arrival) pairs."""
    z, u = dice
    layout = Layout(problem, base.uncertainty, [p for p, _ in walk_ins]) if walk_ins else base
    if walk_ins:
        z = list(z) + normals(random.Random(walk_in_seed), layout.draws - base.draws)
        u = list(u) + [1.0] * len(walk_ins)
    came = layout.came(u)
    compiled = compile_plan(layout, steps)
    arrival = planned_arrivals(layout, compiled)
    for i in compiled.patients:
        if not layout.present[i]:
            arrival[i] += layout.offset(i, z)
    for p, at in walk_ins:
        arrival[layout.index[p.id]] = float(at)
    morning = _Morning(problem, layout, steps, z, came, arrival, walk_ins, options, on_replan)
    while True:
        compiled, starts, ends, own = morning.run()
        if morning.replans >= options.max_replans:
            break
        event = morning.next_event(compiled, ends)
        if event is None:
            break
        now = math.ceil(event[0])
        if now >= problem.window[1]:
            break
        morning.replan(compiled, starts, ends, now, event[1])
    return morning.figures(compiled, starts, ends, own)

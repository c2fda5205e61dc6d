"""Planning for a morning that varies: the format's objective under `uncertainty`.

With `uncertainty` the objective is the expected priority of the patients *answered* in the
static run (all her steps end by the window's end), keeping the overtime's 90th percentile
within `overtime_p90`; the deterministic levels break ties. `solve` calls `solve_robust` for
such a morning when it is planned ahead and its durations or arrivals vary
(`plans_for_uncertainty`).

How (a sample-average method over candidate plans; every plan is a valid deterministic plan):

1. *Candidates* from the deterministic engine on padded mornings (`Safety`, `level_at`): every
   step lasts its planned length times the `quantile` of its lognormal (mean 1, the step's
   cv), rounded up (or every step `stretch` longer), and the window may end `shorter` minutes
   early. A `max` lag after a padded step is tightened by the padding (and the padding capped
   at the lag's slack), so the plan mapped back to the real durations (same starts, same
   resources) keeps every rule. How much padding is found by bisection, from the buffer
   baseline's morning on (within the target: less; not: more), and the best plan's morning is
   solved again with other seeds while the share of time lasts. The plain deterministic plan
   and first come, first served are candidates too.
2. *Scoring* by the seeded static run (`scheduler.simulate`) on one fixed sample of mornings
   (common random numbers: every candidate meets the same mornings, so their difference is
   the plans'). The sample is the search's own (`SEARCH_RUNS`, seeded from `seed` apart from
   the plan's `risk` runs), and the search aims `margin` under the limit (its p90 is an
   estimate).
3. *Repair*: while a candidate's p90 is above that, the patient whose leaving helps most is
   left out, among those who most often end after the window's end (the morning's last
   finishers). *Insertion*: the patients left out are tried back in one at a time, each at her
   most compact place in the plan as it stands, kept when the plan gets better. Then
   *large-neighbourhood search* on the best plan: one to three patients out (mostly late
   finishers), everyone left out tried back in, in a shuffled order of priority.
4. *The check*: the best plans once more on a larger sample of other mornings (`CHECK_RUNS`),
   the best of them within the limit (`CHECK_MARGIN` in hand) is the plan: so the choice is
   not the search sample's luck, and the plan's `risk` (400 runs seeded with `seed` itself,
   which neither sample is) is an honest estimate. The independent validator checks it.

Better means: within the target first; then the most expected priority answered, the most
priority scheduled, the least total stay (not within: the least p90). Patients left out to
keep the morning safe get the reason codes `overtime_risk`, `expected_answered` or
`overtime_room` (`_safety_reasons`).

Every draw is seeded; where the deterministic solves finish within their share (small
mornings) the same seed gives the same plan.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

from .bounds import analyse_alone
from .placement import Placement, as_steps
from .placer import Placer
from .prepared import Prepared
from .problem import Lag, Pathway, Problem, Uncertainty
from .reasons import alone_reasons, reasons
from .result import Objective, Phase, Progress, Reason, Result, ScheduledStep, Stats, Status, Unscheduled
from .simulate import (RISK_RUNS, Layout, compile_plan, execute, outcome, percentile, plan_risk, planned_arrivals,
                       run_seeds)
from .timeline import Timeline

ENGINE = "cp-sat, uncertainty-aware"
#: The check's target: this far under the limit (its larger sample is less noisy).
CHECK_MARGIN = 0.5
#: Mornings in the search's own sample, and in the larger sample that checks its best plans
#: at the end (the plan's `risk` uses other ones again).
SEARCH_RUNS = 200
CHECK_RUNS = 1000
#: A patient tried into a plan is first run on this many of the sample's mornings; her place is
#: given up when the overtime's p90 on them is this far above the target.
SCREEN_RUNS, SCREEN_SLACK = 50, 6.0
#: The patients left out who fit as the plan stands whose reason is measured (with her), at most.
REASONS_SCORED = 8
#: Patients tried in at the very end, at most (`_last_insertions`).
LAST_TRIES = 3
#: How many of the best plans the check looks at, at most.
CHECKED = 4
#: The samples are seeded apart from the `risk` runs (which use `seed` itself).
_SEARCH_SEED, _CHECK_SEED = 0x5EED, 0xC0FFEE


@dataclass(frozen=True)
class Safety:
    """A padded morning: each step at this `quantile` of its duration (or, with `stretch`,
    every step that much longer), the window `shorter` minutes shorter."""

    quantile: float | None = None
    shorter: int = 0
    stretch: float | None = None

    def factor(self, cv: float) -> float:
        return 1.0 + self.stretch if self.stretch is not None else duration_factor(cv, self.quantile)

    def label(self) -> str:
        pad = f"+{self.stretch:.0%}" if self.stretch is not None else f"q{self.quantile:.2f}"
        return pad + (f" -{self.shorter} min" if self.shorter else "")


def level_at(theta: float) -> Safety:
    """How much padding, from 0 (none) to 1 (each step at its 95th percentile, the window 40
    minutes shorter)."""
    return Safety(0.5 + 0.45 * theta, shorter=5 * round(8 * theta))


#: The first padded morning: the buffer baseline's (`scheduler.baselines.buffered`), about
#: `level_at(0.3)` at a cv of 0.3; then a bisection of `BISECTION_SOLVES` solves in all.
BASELINE, BASELINE_THETA = Safety(stretch=0.10, shorter=10), 0.3
BISECTION_SOLVES = 3
#: Of the padded mornings' time, the first one's (the CP-SAT search needs time to see the most
#: priority; the buffer baseline's morning is the one most often best).
BASELINE_SHARE = 0.6
#: Of the time limit: the plain plan; of what is left then: the padded mornings.
PLAIN_SHARE = 0.08
LEVELS_SHARE = 0.65
#: The neighbourhood search stops after this many rounds in a row without a better plan
#: (or this many per patient, if more).
IDLE_ROUNDS, IDLE_ROUNDS_PER_PATIENT = 60, 3



def plans_for_uncertainty(problem: Problem) -> bool:
    """Does `solve` plan this morning with `solve_robust`? With `uncertainty` whose durations
    or arrivals vary, planned ahead (no `now`, nobody arrived, no fixed step, no reference to
    keep faith with): on the day the deterministic engine re-plans (and the plan carries its
    `risk`); with no variation the deterministic plan is already the best one."""
    return (has_variation(problem.uncertainty) and not problem.on_the_day and not problem.fixed
            and not problem.reference)


def has_variation(u: Uncertainty | None) -> bool:
    """Do durations or arrivals vary at all? (No-shows alone never make a plan run later.)"""
    if u is None:
        return False
    return bool(u.duration_cv or any(cv for _, cv in u.step_cv) or u.punctuality_sd)


# --------------------------------------------------------------------------- padded mornings

def duration_factor(cv: float, quantile: float) -> float:
    """The `quantile` of a lognormal with mean 1 and this cv (at least 1: never shorter)."""
    if cv <= 0:
        return 1.0
    sigma2 = math.log1p(cv * cv)
    factor = math.exp(-sigma2 / 2 + math.sqrt(sigma2) * NormalDist().inv_cdf(quantile))
    return max(1.0, factor)


def padded_problem(problem: Problem, safety: Safety) -> Problem:
    """The morning with every step padded to its `safety.quantile` and the window
    `safety.shorter` minutes shorter; no `uncertainty` (it is planned deterministically).
    Mapped back with `unpadded`, a plan of it is a valid plan of `problem`."""
    u = problem.uncertainty or Uncertainty()
    w0, w1 = problem.window
    end = w1 - safety.shorter
    if end <= w0:
        end = w1
    pad: dict[tuple[str, str], int] = {}       # (pathway, step) -> the template's padding
    most: dict[tuple[str, str], int] = {}      # (pathway, step) -> the largest padding of anyone
    cap: dict[tuple[str, str], float] = {}
    for pathway in problem.pathways:
        for step in pathway.steps:
            cap[(pathway.id, step.id)] = math.inf
        for step in pathway.steps:
            for lag in step.after:
                if lag.max is not None:
                    key = (pathway.id, lag.step)
                    cap[key] = min(cap[key], lag.max - lag.min)
        for step in pathway.steps:
            key = (pathway.id, step.id)
            factor = safety.factor(u.cv(step.id))
            pad[key] = most[key] = int(min(cap[key], math.ceil(step.duration * factor - 1e-9) - step.duration))
    patients = []
    for p in problem.patients:
        pathway = problem.pathway(p.pathway)
        extra = []
        for sid, minutes in p.extra:
            key = (pathway.id, sid)
            d = pathway.step(sid).duration + minutes
            factor = safety.factor(u.cv(sid))
            own = int(max(pad[key], min(cap[key], math.ceil(d * factor - 1e-9) - d)))
            most[key] = max(most[key], own)
            extra.append((sid, minutes + own - pad[key]))
        latest = None if p.latest is None else min(p.latest, end)
        if p.earliest is not None and p.earliest >= (end if latest is None else latest):
            continue   # no time left for her in the shorter morning
        patients.append(replace(p, extra=tuple(extra), latest=latest))
    pathways = []
    for pathway in problem.pathways:
        steps = []
        for step in pathway.steps:
            after = tuple(Lag(lag.step, lag.min, None if lag.max is None else lag.max - most[(pathway.id, lag.step)])
                          for lag in step.after)
            steps.append(replace(step, duration=step.duration + pad[(pathway.id, step.id)], after=after))
        pathways.append(Pathway(pathway.id, tuple(steps)))
    resources = tuple(replace(r, available=tuple((a, min(b, end)) for a, b in r.available if a < end))
                      for r in problem.resources) if end < w1 else problem.resources
    return replace(problem, window=(w0, end), resources=resources, pathways=tuple(pathways),
                   patients=tuple(patients), uncertainty=None)


def real_length(problem: Problem, patient: str, step: str) -> int:
    p = problem.patient(patient)
    return problem.pathway(p.pathway).step(step).duration + p.extra_map.get(step, 0)


def unpadded(problem: Problem, steps: Sequence[ScheduledStep]) -> tuple[ScheduledStep, ...]:
    """A padded plan with the real durations: same starts, same resources."""
    return tuple(ScheduledStep(a.patient, a.step, a.start, a.start + real_length(problem, a.patient, a.step),
                               a.resources) for a in steps)


# --------------------------------------------------------------------------- scoring

@dataclass(frozen=True)
class Score:
    """A plan on the search's sample of mornings."""

    priority_answered: float      # expected priority answered
    answered: float
    overtime_p90: float
    overtime_mean: float
    priority_scheduled: int
    stay: int
    late: tuple[tuple[str, int], ...]   # patient -> mornings she ended after the window's end

    def within(self, limit: float | None) -> bool:
        return limit is None or self.overtime_p90 <= limit + 1e-9


class Sample:
    """A fixed sample of mornings (common random numbers) and the static run on it."""

    def __init__(self, problem: Problem, runs: int, seed: int):
        self.problem = problem
        self.layout = Layout(problem)
        self.dice = []
        for run_seed in run_seeds(seed, runs):
            z, u = self.layout.draw(random.Random(run_seed))
            self.dice.append((z, self.layout.came(u)))
        self.runs = runs
        self.evaluations = 0
        self.seconds = 0.0
        self.mornings_run = 0
        self.ceiling = math.inf   # set by `set_ceiling`

    def set_ceiling(self, patients: Sequence[str]) -> None:
        self.ceiling = self.ceiling_of(patients)

    def ceiling_of(self, patients) -> float:
        """The expected priority answered if every one of `patients` who came were answered
        (no plan of only them answers more on this sample)."""
        index = [self.layout.index[p] for p in set(patients)]
        return sum(sum(self.layout.priority[i] for i in index if came[i]) for _, came in self.dice) / self.runs

    def seconds_per_run(self) -> float:
        """Seconds per morning run so far (what the rest of a solve will cost)."""
        return self.seconds / self.mornings_run if self.mornings_run else 0.0

    def score(self, steps: Sequence[ScheduledStep], runs: int | None = None) -> Score:
        """The plan on the sample's mornings (on its first `runs` only, for a quick look)."""
        started = time.perf_counter()
        try:
            return self._score(steps, self.dice if runs is None else self.dice[:runs])
        finally:
            self.evaluations += 1
            self.mornings_run += len(self.dice) if runs is None else min(runs, len(self.dice))
            self.seconds += time.perf_counter() - started

    def _score(self, steps: Sequence[ScheduledStep], dice) -> Score:
        layout = self.layout
        compiled = compile_plan(layout, steps)
        planned = planned_arrivals(layout, compiled)
        end = layout.window[1] + 1e-9
        prio, answered, overtime = [], [], []
        late: dict[int, int] = {}
        for z, came in dice:
            arrival = list(planned)
            for i in compiled.patients:
                if not layout.present[i]:
                    arrival[i] += layout.offset(i, z)
            starts, ends, own = execute(compiled, z, came, arrival, layout.resource_open)
            m = outcome(layout, compiled, starts, ends, own, arrival, came)
            prio.append(m.priority_answered)
            answered.append(m.answered)
            overtime.append(m.overtime)
            for i, ks in compiled.last.items():
                if came[i] and ends[ks[-1]] > end:
                    late[i] = late.get(i, 0) + 1
        n = len(dice)
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for a in steps:
            first[a.patient] = min(first.get(a.patient, a.start), a.start)
            last[a.patient] = max(last.get(a.patient, a.end), a.end)
        return Score(sum(prio) / n, sum(answered) / n, percentile(overtime, 0.9), sum(overtime) / n,
                     sum(self.problem.patient(p).priority for p in first),
                     sum(last[p] - first[p] for p in first),
                     tuple(sorted(((layout.patients[i].id, c) for i, c in late.items()), key=lambda x: -x[1])))


def better(a: Score, b: Score | None, limit: float | None) -> bool:
    """Is plan a better than plan b for the objective (within the limit first)?"""
    if b is None:
        return True
    if a.within(limit) != b.within(limit):
        return a.within(limit)
    if not a.within(limit) and abs(a.overtime_p90 - b.overtime_p90) > 1e-9:
        return a.overtime_p90 < b.overtime_p90
    return (round(a.priority_answered, 6), a.priority_scheduled, -a.stay) > \
        (round(b.priority_answered, 6), b.priority_scheduled, -b.stay)


# --------------------------------------------------------------------------- plans as placements

def to_placements(prep: Prepared, steps: Sequence[ScheduledStep]) -> dict[int, Placement]:
    out: dict[int, Placement] = {}
    for a in steps:
        i = prep.patient_index[a.patient]
        p = prep.patients[i]
        pl = out.setdefault(i, Placement(i, [0] * len(p.steps), [()] * len(p.steps)))
        s = next(k for k, st in enumerate(p.steps) if st.id == a.step)
        pl.starts[s] = a.start
        pl.resources[s] = tuple(prep.resource_index[r] for r in a.resources)
    return out


def _without(steps: Sequence[ScheduledStep], patient: str) -> tuple[ScheduledStep, ...]:
    return tuple(a for a in steps if a.patient != patient)


# --------------------------------------------------------------------------- the search

@dataclass
class Candidate:
    label: str
    steps: tuple[ScheduledStep, ...]
    score: Score | None             # None: not scored yet
    level: Safety | None = None    # the padded morning it comes from


class RobustSearch:
    """Candidates, their scores on the sample, repair and improvement, within a deadline."""

    def __init__(self, problem: Problem, *, time_limit: float, workers: int, seed: int,
                 log: Callable[[str], None] | None = None, runs: int = SEARCH_RUNS,
                 on_progress: Callable[[Progress], object] | None = None):
        self.problem = problem
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + time_limit * 0.95 - 0.1
        self.time_limit = time_limit
        self.workers = workers
        self.seed = seed
        self.log = log
        self.limit = problem.uncertainty.overtime_p90
        # The search aims a little under the limit: its p90 is an estimate from its sample.
        self.target = None if self.limit is None else max(0.0, self.limit - self.margin(self.limit))
        self.sample = Sample(problem, runs, seed ^ _SEARCH_SEED)
        self.check_sample: Sample | None = None
        self.search_sample = self.sample
        self.check_target = None if self.limit is None else max(0.0, self.limit - CHECK_MARGIN)
        self.prep = Prepared(problem)
        self.placer = Placer(self.prep)
        from .io import problem_to_json
        self.instance = problem_to_json(problem)
        if not self.instance.get("date"):
            self.instance["date"] = "2000-01-01"
        self.best: Candidate | None = None
        self.candidates: list[Candidate] = []
        self.phases: list[Phase] = []
        self.possible: list[int] = []
        self.on_progress = on_progress
        self.cancelled = False

    @staticmethod
    def margin(limit: float) -> float:
        """How far under the limit the search aims (its sample's p90 is a noisy estimate:
        about 2 min standard deviation at 200 mornings on a 20-patient morning)."""
        return min(2.0, 0.5 + 0.05 * limit)

    def search_remaining(self) -> float:
        """The time left for the search: the check of the best plans, the reasons and the
        plan's `risk` come after it."""
        # The reasons measure a patient left out who fits as the plan stands: usually one or two.
        after = (CHECKED * CHECK_RUNS + RISK_RUNS + (2 + LAST_TRIES) * self.sample.runs) * self.sample.seconds_per_run()
        return self.remaining() - min(0.25 * self.time_limit, after)

    def ceiling(self) -> bool:
        """Is the best plan within the target and answers, on every morning of the sample,
        everyone who came of all who can be seen at all? (Nothing can do better on it.)"""
        return (self.best is not None and self.best.score.within(self.target)
                and self.best.score.priority_answered >= self.sample.ceiling - 1e-9)

    def remaining(self) -> float:
        return 0.0 if self.cancelled else self.deadline - time.perf_counter()

    def improved(self, name: str) -> None:
        """A better plan: tell the caller (who may stop the search by returning False)."""
        if self.on_progress is None or self.best is None or self.cancelled:
            return
        s = self.best.score
        if self.on_progress(Progress(self.elapsed(), name, len({a.patient for a in self.best.steps}),
                                     s.priority_scheduled, s.stay, 0)) is False:
            self.cancelled = True

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def note(self, name: str, seconds: float, status: str, objective=None) -> None:
        self.phases.append(Phase(name, seconds, status, objective))
        if self.log:
            self.log(f"[{self.elapsed():7.2f}s] {name}: {status}")

    def offer(self, label: str, steps: tuple[ScheduledStep, ...], level: Safety | None = None) -> Candidate:
        t = time.perf_counter()
        cand = Candidate(label, steps, self.sample.score(steps), level)
        self.candidates.append(cand)
        s = cand.score
        if better(s, self.best.score if self.best else None, self.target):
            self.best = cand
            self.improved(label)
        self.note(label, time.perf_counter() - t,
                  f"{s.priority_scheduled} planned, expected priority answered {s.priority_answered:.2f}, "
                  f"overtime p90 {s.overtime_p90:.1f} (target {self.target})")
        return cand

    # Candidates ---------------------------------------------------------------------
    def plain(self, share: float) -> Result:
        from .solve import solve as deterministic
        plain = replace(self.problem, uncertainty=None)
        return deterministic(plain, time_limit=max(0.2, share * self.remaining()), workers=self.workers,
                             seed=self.seed)

    def padded(self, safety: Safety, seconds: float, seed: int | None = None) -> tuple[ScheduledStep, ...] | None:
        return self.solved(padded_problem(self.problem, safety), seconds, self.seed if seed is None else seed)

    def solved(self, padded: Problem, seconds: float, seed: int) -> tuple[ScheduledStep, ...] | None:
        """The deterministic plan of a padded morning with the real durations; None when
        there is none or it breaks a rule of the real morning (a `max` lag it did not
        tighten)."""
        from .solve import solve as deterministic
        result = deterministic(padded, time_limit=max(0.2, seconds), workers=self.workers, seed=seed)
        if not result.has_plan:
            return None
        steps = unpadded(self.problem, result.assignments)
        return steps if not self.breaks_a_rule(steps) else None

    def breaks_a_rule(self, steps: Sequence[ScheduledStep]) -> list[str]:
        """The rules of the morning that these steps break (the independent validator's; the
        plan's header, objective and list of the unscheduled are written later)."""
        from .check import check_plan
        from .io import plan_to_json
        seen = {a.patient for a in steps}
        plan = plan_to_json(Result(Status.FEASIBLE, instance=self.problem.name, assignments=tuple(steps),
                                   unscheduled=tuple(Unscheduled(p.id, "-") for p in self.problem.patients
                                                     if p.id not in seen)))
        return [str(v) for v in check_plan(self.instance, plan)
                if v.rule not in ("format", "objective", "lower-bound")]

    # Local search ---------------------------------------------------------------------
    def repair(self, cand: Candidate, *, tries: int = 6, until_deadline: bool = False) -> Candidate:
        """Leave out, one at a time, the patient whose leaving helps most while the p90 is
        above the target: within the target, the most expected priority answered; otherwise
        the most minutes of p90 per expected priority lost. Tried among the `tries` patients
        who most often end after the window's end. Stops when the plan can no longer beat the
        best one within the target (even if everyone left in who came were answered)."""
        current = cand
        left = self.remaining if until_deadline else self.search_remaining
        while (left() > 0 or until_deadline) and not current.score.within(self.target):
            if self.best is not None and self.best.score.within(self.target) and self.best.score.priority_answered \
                    >= self.sample.ceiling_of(a.patient for a in current.steps):
                break   # leaving out patients cannot make it better than the best
            now = current.score
            trials = []
            for pid, _ in now.late[:tries]:
                if left() <= 0 and trials:
                    break
                steps = _without(current.steps, pid)
                trials.append(Candidate(f"{cand.label}, without {pid}", steps, self.sample.score(steps)))
            if not trials:
                break
            safe = [t for t in trials if t.score.within(self.target)]
            if safe:
                current = max(safe, key=lambda t: (t.score.priority_answered, t.score.priority_scheduled))
            else:
                current = max(trials, key=lambda t: (now.overtime_p90 - t.score.overtime_p90)
                              / max(0.25, now.priority_answered - t.score.priority_answered))
        if current is not cand:
            self.keep(current, f"repair {cand.label}")
        return current

    def insert(self, cand: Candidate, possible: list[int], *, order: list[int] | None = None,
               beta: float = 0.3, quiet: bool = False, tries: int | None = None) -> Candidate:
        """Try the patients left out back in (highest priority first, or in `order`), each at
        her most compact place in the plan as it stands (`beta`: the weight of arriving
        later); keep her when the plan gets better and stays within the target. With `tries`:
        that many placed patients at most, whatever the time (the last pass)."""
        prep, placer = self.prep, self.placer
        current = cand
        placements = to_placements(prep, current.steps)
        if order is None:
            order = sorted((i for i in possible if i not in placements), key=lambda i: (-prep.patients[i].priority, i))
        for i in order:
            if (tries is None and self.search_remaining() <= 0) or (tries is not None and tries <= 0):
                break
            if i in placements:
                continue
            tl = Timeline(prep)
            for j, pl in placements.items():
                placer.commit(tl, prep.patients[j], pl)
            pl = placer.place_compact(tl, prep.patients[i], beta)
            if pl is None:
                continue
            trial_placements = dict(placements)
            trial_placements[i] = pl
            steps = as_steps(prep, trial_placements)
            if tries is not None:
                tries -= 1
            if self.target is not None and self.sample.runs > 2 * SCREEN_RUNS:
                # A quick look first: most places that break the limit show it on a few mornings.
                if self.sample.score(steps, SCREEN_RUNS).overtime_p90 > self.target + SCREEN_SLACK:
                    continue
            trial = Candidate(f"{cand.label}, with {prep.patients[i].id}", steps, self.sample.score(steps))
            if trial.score.within(self.target) and (current.score is None
                                                    or better(trial.score, current.score, self.target)):
                current, placements = trial, trial_placements
        if current is not cand and not quiet:
            self.keep(current, f"insert {cand.label}")
        return current

    def keep(self, cand: Candidate, name: str) -> None:
        self.candidates.append(cand)
        if better(cand.score, self.best.score, self.target):
            self.best = cand
            self.improved(name)
        s = cand.score
        self.note(name, 0.0, f"{s.priority_scheduled} planned, expected priority answered "
                             f"{s.priority_answered:.2f}, overtime p90 {s.overtime_p90:.1f}")

    def neighbourhood(self, possible: list[int], rng: random.Random, round_: int = 0) -> bool:
        """One round of large-neighbourhood search on the best plan: leave out one to three
        patients (mostly among the morning's late finishers), then try everyone left out back
        in, in a shuffled order of priority, at a place chosen with a random weight of
        arriving later. True when the best plan got better."""
        prep = self.prep
        best = self.best
        placements = to_placements(prep, best.steps)
        late = [prep.patient_index[pid] for pid, _ in best.score.late[:8]]
        pool = late if late and rng.random() < 0.7 else sorted(placements)
        if not pool:
            return False
        removed = set(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3)))))
        kept = tuple(a for a in best.steps if prep.patient_index[a.patient] not in removed)
        # Not scored: the first patient who fits back in within the target is kept; a round that
        # puts nobody back in is not kept (leaving patients out is the repair's move).
        start = Candidate(f"neighbourhood round {round_}", kept, None)
        out = [i for i in possible if i not in placements or i in removed]
        order = sorted(out, key=lambda i: (-prep.patients[i].priority - rng.random() * 1.5, i))
        trial = self.insert(start, possible, order=order, beta=rng.choice((0.0, 0.3, 1.0)), quiet=True)
        if trial.score is not None and better(trial.score, best.score, self.target):
            self.keep(trial, f"neighbourhood round {round_}")
            return True
        return False

    def check(self) -> None:
        """The best plans within the target once more, on a larger sample of other mornings
        (so the choice is not the search sample's luck): the best of them within the check's
        target is the plan. When none is, the best of them is repaired on that sample."""
        self.check_sample = Sample(self.problem, CHECK_RUNS, self.seed ^ _CHECK_SEED)
        self.check_sample.set_ceiling([self.prep.patients[i].id for i in self.possible])
        seen, ranked = set(), []
        for cand in sorted(self.candidates, key=lambda c: (not c.score.within(self.target),
                                                           -c.score.priority_answered, -c.score.priority_scheduled,
                                                           c.score.stay, c.score.overtime_p90)):
            if cand.steps not in seen:
                seen.add(cand.steps)
                ranked.append(cand)
        t = time.perf_counter()
        checked = []
        for cand in ranked[:CHECKED]:
            if checked and self.remaining() <= 0:
                break
            checked.append(Candidate(cand.label, cand.steps, self.check_sample.score(cand.steps)))
        best = None
        for cand in checked:
            if better(cand.score, best.score if best else None, self.check_target):
                best = cand
        if best is None:
            return
        self.sample, self.target = self.check_sample, self.check_target
        self.best = best
        s = best.score
        self.note("check", time.perf_counter() - t,
                  f"{len(checked)} plans on {CHECK_RUNS} other mornings; {best.label}: expected priority answered "
                  f"{s.priority_answered:.2f}, overtime p90 {s.overtime_p90:.1f} (target {self.check_target})")
        if not s.within(self.check_target):
            self.repair(best, tries=3, until_deadline=True)


def solve_robust(problem: Problem, *, time_limit: float, workers: int, seed: int,
                 log: Callable[[str], None] | None = None,
                 on_progress: Callable[[Progress], object] | None = None) -> Result:
    """The uncertainty-aware plan of a morning planned ahead (see the module docstring).
    `on_progress` is called on every better plan; returning False from it stops the search
    (after the deterministic solve under way: the longest takes about 40 % of the time limit)."""
    search = RobustSearch(problem, time_limit=time_limit, workers=workers, seed=seed, log=log,
                          on_progress=on_progress)
    prep = search.prep
    alone = analyse_alone(prep, search.placer, model_time=min(1.0, time_limit / 20))
    possible = [i for i in range(len(prep.patients)) if alone[i].witness is not None]
    search.possible = possible
    search.sample.set_ceiling([prep.patients[i].id for i in possible])

    # 1. The plain deterministic plan and first come, first served.
    plain = search.plain(PLAIN_SHARE)
    if plain.has_plan:
        search.offer("plain plan", plain.assignments)
    from .baselines import fcfs
    search.offer("first come, first served", fcfs(problem).assignments)
    # 2. Padded mornings, in about 60 % of the time left: a bisection on how much padding
    # (`level_at`), from the buffer baseline's morning on, then the best plan's morning again
    # with other seeds (the deterministic engine's plans of one morning differ by seed).
    until = time.perf_counter() + LEVELS_SHARE * search.remaining()
    low, high, theta, level = 0.0, 1.0, BASELINE_THETA, BASELINE
    solves, again = 0, 0
    while time.perf_counter() < until - 0.2:
        seed_k = seed
        if solves >= BISECTION_SOLVES:
            if search.best is None or search.best.level is None:
                break
            again += 1
            level, seed_k = search.best.level, seed + again
        share = BASELINE_SHARE if solves == 0 else 1 / max(1, BISECTION_SOLVES - solves)
        steps = search.padded(level, share * (until - time.perf_counter()), seed_k)
        solves += 1
        cand = search.offer(f"padded {level.label()}" + (f" (seed {seed_k})" if seed_k != seed else ""),
                            steps, level) if steps is not None else None
        if solves < BISECTION_SOLVES:
            if cand is not None and cand.score.within(search.target):
                high = theta     # enough padding: try less
            else:
                low = theta      # too little (or no plan): more
            theta = (low + high) / 2
            level = level_at(theta)
    # 3. Repair and improve the candidates, the most promising first, while time is left.
    done: set[str] = set()
    while search.search_remaining() > 0.2 and not search.ceiling():
        todo = [c for c in search.candidates if c.label not in done]
        if not todo:
            break
        cand = max(todo, key=lambda c: (c.score.within(search.target), c.score.priority_answered))
        done.add(cand.label)
        if not cand.score.within(search.target):
            cand = search.repair(cand)
            done.add(cand.label)
        if cand.score.within(search.target):
            done.add(search.insert(cand, possible).label)
    # 4. Large-neighbourhood search on the best plan until the time is up.
    rng = random.Random(seed)
    rounds = better_rounds = idle = 0
    idle_limit = max(IDLE_ROUNDS, IDLE_ROUNDS_PER_PATIENT * len(possible))
    while search.search_remaining() > 0.2 and search.best is not None and not search.ceiling() \
            and idle < idle_limit:
        rounds += 1
        if search.neighbourhood(possible, rng, rounds):
            better_rounds, idle = better_rounds + 1, 0
        else:
            idle += 1
    search.note("neighbourhood search", 0.0, f"{rounds} rounds, {better_rounds} better; "
                f"{search.sample.evaluations} plans scored in {search.sample.seconds:.1f} s")
    # 5. The best plans once more, on a larger sample of other mornings.
    search.check()
    return _result(search, alone, possible, plain)


def _result(search: RobustSearch, alone, possible: list[int], plain: Result) -> Result:
    from .finish import violations
    problem, prep = search.problem, search.prep
    _last_insertions(search)
    best = search.best
    placements = to_placements(prep, best.steps)
    steps = as_steps(prep, placements)
    out = [i for i in range(len(prep.patients)) if i not in placements]
    why = reasons(prep, placements, out, alone_reasons(prep, [i for i in out if i not in possible]))
    why.update(_safety_reasons(search, placements, [i for i in out if i in possible], why, plain))
    stay = sum(pl.stay(prep.patients[i]) for i, pl in placements.items())
    bound = sum(alone[i].min_stay for i in placements)
    objective = Objective(len(placements), sum(prep.patients[i].priority for i in placements), stay, min(stay, bound))
    stats = Stats(engine=ENGINE, solve_seconds=search.elapsed(), phases=tuple(search.phases),
                  cancelled=search.cancelled)
    result = Result(Status.FEASIBLE, instance=problem.name, objective=objective, assignments=steps,
                    unscheduled=tuple(Unscheduled(prep.patients[i].id, why[i]) for i in out), stats=stats,
                    risk=plan_risk(problem, steps, seed=search.seed))
    if violations(prep, result):
        # Never hand out a broken plan: the plain plan (with its risk) instead.
        return replace(plain, risk=plan_risk(problem, plain.assignments, seed=search.seed) if plain.has_plan else None)
    return replace(result, stats=replace(stats, solve_seconds=search.elapsed()))


def _last_insertions(search: RobustSearch) -> None:
    """Anyone still out who fits as the plan stands and makes it better (on the search's
    mornings, within its target) goes in: `LAST_TRIES` tries at most, whatever the time."""
    if search.best is None or search.cancelled:
        return
    final = Candidate(search.best.label, search.best.steps, search.search_sample.score(search.best.steps))
    saved = search.sample, search.target
    search.sample = search.search_sample
    search.target = None if search.limit is None else max(0.0, search.limit - search.margin(search.limit))
    try:
        last = search.insert(final, search.possible, quiet=True, tries=LAST_TRIES)
    finally:
        search.sample, search.target = saved
    if last is not final:
        search.best = last
        s = last.score
        search.note("last insertions", 0.0, f"{s.priority_scheduled} planned, expected priority answered "
                                            f"{s.priority_answered:.2f}, overtime p90 {s.overtime_p90:.1f}")


def _safety_reasons(search: RobustSearch, placements: dict[int, Placement], left: list[int],
                    why: dict[int, Reason], plain: Result) -> dict[int, Reason]:
    """Reasons for the patients left out to keep the morning safe.

    - She fits in the plan as it stands: what she would do to the morning, from the static
      run with her at her most compact place: the overtime's p90 over the limit
      (`overtime_risk`), or fewer answered in time on an average morning (`expected_answered`).
    - She does not fit as it stands, but the deterministic plan (no room for steps that run
      long) sees her: `overtime_room`, the room kept for steps that run long takes her place.
    Otherwise her reason is the deterministic one (what holds her up in the plan)."""
    prep, placer = search.prep, search.placer
    limit, target = search.limit, search.check_target
    best = None
    in_plain = {a.patient for a in plain.assignments} if plain.has_plan else set()
    out = {}
    tl = Timeline(prep)
    for j, pl in placements.items():
        placer.commit(tl, prep.patients[j], pl)
    scored = 0
    for i in sorted(left, key=lambda i: (-prep.patients[i].priority, i)):
        p = prep.patients[i]
        fits = why.get(i) is not None and why[i].code == "fits_left_out"
        pl = placer.place_compact(tl, p, 0.3) if fits and scored < REASONS_SCORED else None
        scored += pl is not None
        s = None
        if pl is not None:
            trial = dict(placements)
            trial[i] = pl
            s = search.search_sample.score(as_steps(prep, trial))
            if best is None:   # the plan itself on the same mornings
                best = search.search_sample.score(search.best.steps)
        if s is not None and limit is not None and not s.within(target):
            over = (f"above the clinic's limit of {limit:g} min" if s.overtime_p90 > limit else
                    f"within {CHECK_MARGIN:g} min of the clinic's limit of {limit:g} min")
            out[i] = Reason(f"left out to keep the morning safe: with her the overtime's 90th percentile would be "
                            f"{s.overtime_p90:.0f} min, {over}", "overtime_risk",
                            {"overtime_p90": round(s.overtime_p90), "limit": limit})
        elif s is not None and s.priority_answered < best.priority_answered:
            out[i] = Reason(f"left out to keep the morning safe: with her fewer patients would be done by the end "
                            f"of an average morning (expected priority answered {s.priority_answered:.1f} instead of "
                            f"{best.priority_answered:.1f})", "expected_answered",
                            {"with": round(s.priority_answered, 1), "without": round(best.priority_answered, 1)})
        elif s is None and (p.id in in_plain or fits):
            words = "" if limit is None else f" (the overtime's 90th percentile must stay within {limit:g} min)"
            out[i] = Reason(f"left out to keep the morning safe: the plan keeps room for steps that run long{words}, "
                            f"and without that room she would be seen", "overtime_room",
                            {"limit": limit})
    return out

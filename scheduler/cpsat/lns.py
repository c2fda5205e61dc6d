"""Large-neighbourhood search over the full model: free a few patients, keep the rest of
the plan exactly, let CP-SAT re-plan the freed ones (usually to optimality in a fraction
of a second), keep the result if it is at least as good, repeat.

Neighbourhoods are chosen the way a planner would look at the day: a stretch of the
morning, the patients of one or two staff members, the patients who wait the most and
those around them, the patients not yet seen, or a random handful. Their size adapts:
it grows while the sub-problems are solved to optimality quickly and shrinks when not.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from ..placement import Placement
from ..prepared import KindMode, Prepared
from .model import CpsatModel
from .solver import SolveStatus, solve_status


@dataclass
class LnsStats:
    rounds: int = 0
    improvements: int = 0
    optimal_rounds: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)   # kind -> [rounds, improvements]


class Lns:
    def __init__(self, cm: CpsatModel, objective, *, evaluate: Callable[[dict[int, Placement]], int],
                 witnesses: dict[int, Placement], min_stay: dict[int, int], workers: int, seed: int,
                 insert: bool = True, early_stop: bool = True):
        self.cm = cm
        self.prep: Prepared = cm.prep
        self.evaluate = evaluate
        self.witnesses = witnesses
        self.min_stay = min_stay
        self.workers = workers
        self.rng = random.Random(seed)
        self.seed = seed
        cm.model.minimize(objective)
        self.stats = LnsStats()
        self.size = min(len(cm.patients), max(4, min(10, len(cm.patients) // 3)))
        self.stall = 0   # rounds since the last improvement
        self.insert = insert   # free patients not seen yet (to fit them in)
        # Stop sub-solves that stopped improving (not when fitting patients in: finding
        # room for one can take a sub-solve a while).
        self.early_stop = early_stop
        self.spread = 0
        # How often each kind of neighbourhood is drawn.
        self.kinds = ("window", "window", "resource", "waiting", "blockers", "waiters", "random")
        # Never free (nearly) everyone: that is the full model, solved elsewhere.
        n = len(cm.patients)
        self.max_size = n if n <= 8 else max(8, (2 * n) // 3)

    # Values of the primary variables for a plan ------------------------------------------
    def _assignment(self, placements: dict[int, Placement]) -> dict[int, list[tuple[int, int]]]:
        """Per patient, (variable index, value) for presence, starts and resource choices."""
        v, prep = self.cm.v, self.prep
        complete = self.cm.complete(placements, self.witnesses)
        out: dict[int, list[tuple[int, int]]] = {}
        for i in self.cm.patients:
            p = prep.patients[i]
            src, seen = complete[i]
            vals = []
            if not isinstance(v.present[i], int):
                vals.append((v.present[i].index, int(seen)))
            for st in p.steps:
                var = v.start[(i, st.local)]
                if not isinstance(var, int):
                    vals.append((var.index, src.starts[st.local]))
            for g, rs in self.cm.group_values(i, src if seen else None).items():
                for r, lit in v.choice[g].items():
                    vals.append((lit.index, int(r in rs)))
            out[i] = vals
        return out

    # Neighbourhoods ------------------------------------------------------------------
    def _neighbourhood(self, placements: dict[int, Placement], k: int) -> tuple[str, set[int]]:
        """A kind of neighbourhood and k patients to free (the rest of the plan is kept)."""
        prep, rng = self.prep, self.rng
        pats = self.cm.patients
        free = [i for i in pats if not prep.patients[i].all_fixed and (self.insert or i in placements)]
        if len(free) <= k:
            return "all", set(free)
        unseen = [i for i in free if i not in placements]
        spans = {i: (min(pl.starts), max(s + st.duration for s, st in zip(pl.starts, prep.patients[i].steps)))
                 for i, pl in placements.items() if i in free}

        def nearest(a: int, b: int, count: int, exclude: set[int]) -> list[int]:
            """Seen patients whose stay is closest to [a, b) (overlapping ones first)."""
            ranked = sorted((i for i in spans if i not in exclude),
                            key=lambda i: max(0, spans[i][0] - b, a - spans[i][1]) + 5 * rng.random())
            return ranked[:count]

        kinds = list(self.kinds)
        if unseen:
            kinds += ["unseen"] * 3
        kind = rng.choice(kinds)
        chosen: set[int] = set()
        if kind == "unseen":
            # A patient not seen yet, at a random arrival they could make, and whoever is
            # in the clinic around then.
            u = rng.choices(unseen, weights=[prep.patients[i].priority for i in unseen])[0]
            pu = prep.patients[u]
            length = self.min_stay.get(u, pu.critical_path)
            lo = max(pu.lo, prep.t0)
            t = rng.randint(lo, max(lo, pu.hi - length))
            chosen.add(u)
            extra = [i for i in unseen if i != u and rng.random() < 0.3][: max(0, k // 4)]
            chosen |= set(extra)
            chosen |= set(nearest(t, t + length, k - len(chosen), chosen))
        elif kind == "window":
            t = rng.randint(prep.w0, prep.w1)
            chosen |= set(nearest(t, t + 1, k, chosen))
        elif kind == "resource":
            explicit = [r.index for r in prep.resources if prep.modes.get(r.kind) is KindMode.EXPLICIT]
            users: dict[int, set[int]] = {}
            for i, pl in placements.items():
                if i in spans:
                    for res in pl.resources:
                        for r in res:
                            users.setdefault(r, set()).add(i)
            explicit = [r for r in explicit if users.get(r)]
            if explicit:
                rs = rng.sample(explicit, min(2, len(explicit)))
                cand = list({i for r in rs for i in users[r]})
                t = rng.randint(prep.w0, prep.w1)
                cand.sort(key=lambda i: abs(spans[i][0] - t) + 5 * rng.random())
                chosen |= set(cand[:k])
        elif kind == "waiting":
            waits = sorted(spans, key=lambda i: -(spans[i][1] - spans[i][0] - self.min_stay.get(i, 0))
                           - 10 * rng.random())
            seeds = waits[: max(1, k // 3)]
            chosen |= set(seeds)
            for i in seeds:
                a, b = spans[i]
                chosen |= set(nearest(a, b, max(1, (k - len(seeds)) // len(seeds)), chosen))
        elif kind in ("blockers", "waiters"):
            # Patients who wait ("blockers": one of them; "waiters": as many as fit), and
            # whoever holds the kinds they wait for meanwhile.
            waiting = [(i, gap) for i in spans for gap in self._gaps(placements[i]) if gap[1] > gap[0]]
            rng.shuffle(waiting)
            if kind == "blockers":
                waiting = waiting[:1]
            else:
                waiting = waiting[: max(1, k // 3)]
            for i, (a, b, kinds) in waiting:
                chosen.add(i)
            share = max(1, (k - len(chosen)) // max(1, len(waiting)))
            for i, (a, b, kinds) in waiting:
                blockers = []
                for j, pl in placements.items():
                    if j in chosen or j not in spans:
                        continue
                    pj = prep.patients[j]
                    for s_, st in enumerate(pj.steps):
                        if pl.starts[s_] < b and a < pl.starts[s_] + st.duration and \
                                any(kd in kinds for kd, _ in st.kinds):
                            blockers.append(j)
                            break
                rng.shuffle(blockers)
                chosen |= set(blockers[:share])
            if waiting and len(chosen) < k:
                a, b, _ = waiting[0][1]
                chosen |= set(nearest(a, b, k - len(chosen), chosen))
        while len(chosen) < k:
            chosen.add(rng.choice(free))
        return kind, set(list(chosen)[: max(k, 1)]) if len(chosen) > k + 2 else chosen

    def _gaps(self, pl: Placement) -> list[tuple[int, int, set[str]]]:
        """Where a seen patient waits: (from, to, kinds needed by the step that waits)."""
        p = self.prep.patients[pl.patient]
        out = []
        for st in p.steps:
            if st.fixed or not st.preds:
                continue
            ready = max(pl.starts[q] + p.steps[q].duration + mn for (q, mn, _) in st.preds)
            if pl.starts[st.local] > ready:
                out.append((ready, pl.starts[st.local], {k for k, _ in st.kinds}))
        return out

    # Search ------------------------------------------------------------------------
    def run(self, placements: dict[int, Placement], deadline: float, *, target: int | None = None,
            on_improve: Callable[[dict[int, Placement], int], bool] | None = None,
            sub_limit: float = 1.0) -> tuple[dict[int, Placement], bool]:
        """Improve `placements` until `deadline` (perf_counter) or the objective reaches
        `target`. Returns the best plan and whether `on_improve` asked to stop.

        With `workers` > 1, as many sub-problems are solved at once, each by a one-worker
        CP-SAT in its own thread (CP-SAT releases the GIL), always from the best plan so
        far; `on_improve` is called from this (the caller's) thread only.
        """
        self._best, self._best_obj = placements, self.evaluate(placements)
        self._all_free = sum(1 for i in self.cm.patients if not self.prep.patients[i].all_fixed)
        self.proven = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._solvers: dict = {}   # running sub-solve -> [started, last improving solution]
        self._deadline, self._target, self._sub_limit = deadline, target, sub_limit
        improvements: queue.Queue = queue.Queue()
        if self._done():
            return self._best, False
        threads = [threading.Thread(target=self._worker, args=(improvements, w), daemon=True)
                   for w in range(self.workers)]
        for th in threads:
            th.start()
        stopped = False
        while any(th.is_alive() for th in threads):
            try:
                plan, obj = improvements.get(timeout=0.02)
            except queue.Empty:
                self._stop_stalled()
                continue
            if on_improve is not None and not stopped and on_improve(plan, obj) is False:
                stopped = True
                self._halt()
        for th in threads:
            th.join()
        while not improvements.empty() and not stopped:
            plan, obj = improvements.get()
            if on_improve is not None and on_improve(plan, obj) is False:
                stopped = True
        return self._best, stopped

    def _done(self) -> bool:
        return (self._stop.is_set() or time.perf_counter() >= self._deadline - 0.05
                or (self._target is not None and self._best_obj <= self._target))

    def _stop_stalled(self) -> None:
        """Stop a sub-solve that has stopped improving: once its last better solution is
        older than the time it took to find it (and a quarter of its time limit), the
        rest is mostly proof."""
        if not self.early_stop:
            return
        now = time.perf_counter()
        with self._lock:
            for solver, (started, last, limit) in self._solvers.items():
                if now - last > max(0.25 * limit, last - started) and not getattr(solver, "_stalled", False):
                    solver._stalled = True
                    solver.stop_search()

    def _halt(self) -> None:
        self._stop.set()
        with self._lock:
            for solver in list(self._solvers):
                solver.stop_search()

    def _worker(self, improvements: queue.Queue, index: int = 0) -> None:
        base = self.cm.model
        # Some diversity between the threads: every other one looks at larger neighbourhoods.
        spread = self.spread if index % 2 else 0
        while not self._done():
            with self._lock:
                best = self._best
                # Stuck for a while: look at bigger neighbourhoods, for longer.
                boost = min(2, self.stall // 8)
                k = max(2, min(self.max_size, self.size + spread + 2 * boost))
                kind, hood = self._neighbourhood(best, k)
                seed = self.rng.randrange(1 << 30)
            values = self._assignment(best)
            sub = base.clone()
            proto = sub.proto
            for i, vals in values.items():
                if i in hood:
                    continue
                for idx, val in vals:
                    d = proto.variables[idx].domain
                    d.clear()
                    d.extend([val, val])
            sub.clear_hints()
            for i, vals in values.items():
                for idx, val in vals:
                    sub.add_hint(sub.get_int_var_from_proto_index(idx), val)
            solver = cp_model.CpSolver()
            prm = solver.parameters
            limit = min(self._sub_limit * (1 + boost), max(0.05, self._deadline - time.perf_counter()))
            prm.max_time_in_seconds = limit
            prm.num_workers = 1
            prm.random_seed = seed
            t = time.perf_counter()
            with self._lock:
                if self._stop.is_set():
                    return
                self._solvers[solver] = [t, t, limit]
            status = solve_status(solver.solve(sub, _Seen(self._solvers, solver)))
            took = time.perf_counter() - t
            stalled = getattr(solver, "_stalled", False)
            with self._lock:
                self._solvers.pop(solver, None)
            cand = None
            if status.has_solution:
                cand = self.cm.placements(
                    lambda var: solver.value(sub.get_int_var_from_proto_index(var.index)),
                    lambda lit: solver.boolean_value(sub.get_bool_var_from_proto_index(lit.index)))
                obj = self.evaluate(cand)
            with self._lock:
                self.stats.rounds += 1
                self.stats.by_kind.setdefault(kind, [0, 0])[0] += 1
                if status is SolveStatus.OPTIMAL and kind == "all" and len(hood) == self._all_free:
                    # Everyone was free: that was the full model, and it is solved.
                    self.proven = True
                    self._stop.set()
                if status is SolveStatus.OPTIMAL:
                    self.stats.optimal_rounds += 1
                    if took < 0.3 * limit and not boost:
                        self.size = min(self.max_size, self.size + 1)
                elif not self._stop.is_set() and not boost and not stalled:
                    self.size = max(3, self.size - 1)
                self.stall += 1
                if cand is not None and obj <= self._best_obj:
                    improved = obj < self._best_obj
                    self._best, self._best_obj = cand, obj
                    if improved:
                        self.stall = 0
                        self.stats.improvements += 1
                        self.stats.by_kind[kind][1] += 1
                        improvements.put((cand, obj))


class _Seen(cp_model.CpSolverSolutionCallback):
    """Notes when a sub-solve last found a better solution (for `_stop_stalled`)."""

    def __init__(self, registry: dict, solver):
        super().__init__()
        self.registry, self.solver = registry, solver

    def on_solution_callback(self) -> None:
        entry = self.registry.get(self.solver)
        if entry is not None:
            entry[1] = time.perf_counter()

"""Large-neighbourhood search over the full model: free a few patients, keep the rest of
the plan exactly, let CP-SAT re-plan the freed ones (usually to optimality in a fraction
of a second), keep the result if it is at least as good, repeat.

Neighbourhoods are chosen the way a planner would look at the day: a stretch of the
morning, the patients of one or two staff members, the patients who wait the most and
those around them, the patients not yet seen, or a random handful. Their size adapts:
it grows while the sub-problems are solved to optimality quickly and shrinks when not.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from ..heuristic import Placement
from ..prepared import Prepared
from .model import CpsatModel
from .solver import _STATUS


@dataclass
class LnsStats:
    rounds: int = 0
    improvements: int = 0
    optimal_rounds: int = 0


class Lns:
    def __init__(self, cm: CpsatModel, objective, *, evaluate: Callable[[dict[int, Placement]], int],
                 witnesses: dict[int, Placement], min_stay: dict[int, int], workers: int, seed: int):
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
        self.size = min(len(cm.patients), max(4, len(cm.patients) // 3))

    # Values of the primary variables for a plan ------------------------------------------
    def _assignment(self, placements: dict[int, Placement]) -> dict[int, list[tuple[int, int]]]:
        """Per patient, (variable index, value) for presence, starts and resource choices."""
        v, prep = self.cm.v, self.prep
        placements = self.cm.canonical(placements)
        out: dict[int, list[tuple[int, int]]] = {}
        for i in self.cm.patients:
            p = prep.patients[i]
            pl = placements.get(i)
            seen = pl is not None
            src = pl if seen else self.witnesses[i]
            vals = []
            if not isinstance(v.present[i], int):
                vals.append((v.present[i].index, int(seen)))
            for st in p.steps:
                var = v.start[(i, st.local)]
                if not isinstance(var, int):
                    vals.append((var.index, src.starts[st.local]))
            chosen: dict[tuple, set[int]] = {}
            for st in p.steps:
                for kind, _ in st.kinds:
                    g = v.group_of.get((i, st.local, kind))
                    if g is not None:
                        rs = {r for r, k in zip(src.resources[st.local], st.needs) if k == kind} if seen else set()
                        chosen.setdefault(g, set()).update(rs)
            for g, rs in chosen.items():
                for r, lit in v.choice[g].items():
                    vals.append((lit.index, int(r in rs)))
            out[i] = vals
        return out

    # Neighbourhoods ------------------------------------------------------------------
    def _neighbourhood(self, placements: dict[int, Placement], k: int) -> tuple[str, set[int]]:
        prep, rng = self.prep, self.rng
        pats = self.cm.patients
        free = [i for i in pats if not prep.patients[i].all_fixed]
        if len(free) <= k:
            return "all", set(free)
        unseen = [i for i in free if i not in placements]
        spans = {i: (min(pl.starts), max(s + st.duration for s, st in zip(pl.starts, prep.patients[i].steps)))
                 for i, pl in placements.items()}
        kind = rng.choice(["window", "window", "resource", "waiting", "random"] + (["unseen"] * 2 if unseen else []))
        chosen: set[int] = set()
        if kind == "unseen":
            chosen |= set(rng.sample(unseen, min(len(unseen), max(1, k // 3))))
            kind2 = "window"
        else:
            kind2 = kind
        if kind2 == "window":
            t = rng.randint(prep.w0, prep.w1)
            ranked = sorted((i for i in free if i in spans),
                            key=lambda i: max(0, spans[i][0] - t, t - spans[i][1]) + rng.random())
            for i in ranked:
                if len(chosen) >= k:
                    break
                chosen.add(i)
        elif kind2 == "resource":
            explicit = [r.index for r in prep.resources if prep.modes.get(r.kind) == "explicit"]
            if explicit:
                users: dict[int, list[int]] = {}
                for i, pl in placements.items():
                    for res in pl.resources:
                        for r in res:
                            users.setdefault(r, []).append(i)
                rs = rng.sample(explicit, min(2, len(explicit)))
                cand = list({i for r in rs for i in users.get(r, []) if i in free})
                rng.shuffle(cand)
                t = rng.randint(prep.w0, prep.w1)
                cand.sort(key=lambda i: abs(spans[i][0] - t) if i in spans else 0)
                chosen |= set(cand[:k])
        elif kind2 == "waiting":
            waits = sorted((i for i in free if i in spans),
                           key=lambda i: -(spans[i][1] - spans[i][0] - self.min_stay.get(i, 0)) - rng.random())
            for i in waits[: max(1, k // 3)]:
                chosen.add(i)
            seeds = list(chosen)
            for i in seeds:
                a, b = spans[i]
                near = sorted((j for j in free if j in spans and j not in chosen),
                              key=lambda j: max(0, spans[j][0] - b, a - spans[j][1]) + rng.random())
                for j in near[: max(1, k // len(seeds) - 1)]:
                    if len(chosen) < k:
                        chosen.add(j)
        while len(chosen) < k:
            chosen.add(rng.choice(free))
        return kind, chosen

    # Search ------------------------------------------------------------------------
    def run(self, placements: dict[int, Placement], deadline: float, *, target: int | None = None,
            on_improve: Callable[[dict[int, Placement], int], bool] | None = None,
            sub_limit: float = 1.0) -> tuple[dict[int, Placement], bool]:
        """Improve `placements` until `deadline` (perf_counter) or the objective reaches
        `target`. Returns the best plan and whether the callback asked to stop."""
        best = placements
        best_obj = self.evaluate(best)
        n = len(self.cm.patients)
        base = self.cm.model
        while time.perf_counter() < deadline - 0.05:
            if target is not None and best_obj <= target:
                break
            k = max(2, min(n, self.size))
            kind, hood = self._neighbourhood(best, k)
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
            limit = min(sub_limit, max(0.05, deadline - time.perf_counter()))
            prm.max_time_in_seconds = limit
            prm.num_workers = self.workers
            prm.random_seed = self.rng.randrange(1 << 30)
            t = time.perf_counter()
            status = _STATUS.get(solver.solve(sub), "UNKNOWN")
            took = time.perf_counter() - t
            self.stats.rounds += 1
            if status == "OPTIMAL":
                self.stats.optimal_rounds += 1
                if took < 0.3 * limit:
                    self.size = min(n, self.size + 1)
            else:
                self.size = max(3, self.size - 1)
            if status in ("OPTIMAL", "FEASIBLE"):
                cand = self.cm.placements(
                    lambda var: solver.value(sub.get_int_var_from_proto_index(var.index)),
                    lambda lit: solver.boolean_value(sub.get_bool_var_from_proto_index(lit.index)))
                obj = self.evaluate(cand)
                if obj <= best_obj:
                    improved = obj < best_obj
                    best, best_obj = cand, obj
                    if improved:
                        self.stats.improvements += 1
                        if on_improve is not None and on_improve(best, best_obj) is False:
                            return best, True
        return best, False

"""Benchmark: the engine against a first-come-first-served list scheduler, side by side.

    python benchmarks/engine.py [--time-limit 10] [--large-time-limit 30] [--workers 2] [--seed 1]

Mornings: the shared instances (small-8, standard-20, standard-20-replan) and generated
mornings of 8 to 60 patients (`scheduler.testing.generator`, fixed seed), plus re-planning
mornings generated from the engine's own plans of the 20- and 60-patient mornings. For
each: patients seen, priority seen, total stay, lower bound, ratio (total stay / bound),
status, seconds to the first and to the final plan, and whether the independent validator
accepts the plan. Mornings of 40 patients or more get `--large-time-limit`.

The baseline places patients in file order (those with fixed steps first), each at the
earliest arrival where all its steps fit, skipping whoever does not fit (what a planner
does by hand); its bound is the same per-patient bound the engine uses (minimal stay
alone, at least the critical path), over the patients it sees.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler import plan_to_json, problem_from_json, solve  # noqa: E402
from scheduler.bounds import analyse_alone  # noqa: E402
from scheduler.check import check_plan  # noqa: E402
from scheduler.testing.generator import generate_morning, generate_replan  # noqa: E402
from scheduler.heuristic import fcfs_plan  # noqa: E402
from scheduler.prepared import Prepared  # noqa: E402

SIZES = (8, 12, 20, 30, 40, 60)
LARGE = 40


def mornings(seed: int):
    for name in ("small-8", "standard-20", "standard-20-replan"):
        yield name, json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())
    for n in SIZES:
        yield f"generated-{n} (seed {seed})", generate_morning(n, seed=seed)


def baseline(instance: dict) -> dict:
    t = time.perf_counter()
    prep = Prepared(problem_from_json(instance))
    plan = fcfs_plan(prep)
    seconds = time.perf_counter() - t
    alone = analyse_alone(prep)
    bound = sum(alone[i].min_stay for i in plan.placements)
    return {"seen": len(plan.placements), "priority": plan.priority, "stay": plan.total_stay, "bound": bound,
            "status": "-", "first": seconds, "final": seconds, "valid": "-"}


def engine(instance: dict, *, time_limit: float, workers: int) -> tuple[dict, dict]:
    t = time.perf_counter()
    result = solve(instance, time_limit=time_limit, workers=workers, seed=0)
    seconds = time.perf_counter() - t
    plan = plan_to_json(result)
    valid = "yes" if not check_plan(instance, plan) else "NO"
    o = result.objective
    row = {"seen": o.scheduled if o else "-", "priority": o.priority_scheduled if o else "-",
           "stay": o.total_stay if o else "-", "bound": o.lower_bound_total_stay if o else "-",
           "status": result.status.value, "first": result.stats.first_plan_seconds, "final": seconds,
           "valid": valid}
    if result.stats.moved_patients is not None:
        row["moved"] = f"{result.stats.moved_patients} ({result.stats.moved_minutes} min)"
    return row, plan


def _fmt(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        return "-"
    if key in ("first", "final"):
        return f"{value:.2f}"
    return str(value)


def _ratio(row: dict) -> str:
    if isinstance(row["stay"], int) and isinstance(row["bound"], int) and row["bound"] > 0:
        return f"{row['stay'] / row['bound']:.3f}"
    return "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="engine seconds per morning (default 10)")
    parser.add_argument("--large-time-limit", type=float, default=30.0,
                        help=f"engine seconds for mornings of {LARGE}+ patients (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    args = parser.parse_args(argv)

    print(f"# Engine vs first-come-first-served, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"workers={args.workers}, time limit {args.time_limit:g} s ({args.large_time_limit:g} s for "
          f"{LARGE}+ patients)")
    print()
    header = ["morning", "patients", "solver", "seen", "priority", "total stay", "bound", "ratio", "status",
              "first plan s", "final s", "valid", "moved"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    queue = list(mornings(args.seed))
    while queue:
        name, instance = queue.pop(0)
        n = len(instance["patients"])
        limit = args.large_time_limit if n >= LARGE else args.time_limit
        base = baseline(instance)
        ours, plan = engine(instance, time_limit=limit, workers=args.workers)
        for solver, row in (("FCFS", base), ("engine", ours)):
            cells = [name, str(n), solver, _fmt(row, "seen"), _fmt(row, "priority"), _fmt(row, "stay"),
                     _fmt(row, "bound"), _ratio(row), _fmt(row, "status"), _fmt(row, "first"),
                     _fmt(row, "final"), _fmt(row, "valid"), row.get("moved", "-")]
            print("| " + " | ".join(cells) + " |", flush=True)
        if name.startswith("generated-") and n in (20, 60) and "replan" not in name \
                and plan["status"] in ("OPTIMAL", "FEASIBLE"):
            replan = generate_replan(instance, plan, now="10:15", seed=args.seed)
            queue.insert(0, (f"generated-{n}-replan (seed {args.seed}, now 10:15)", replan))
    print()
    print("seen/priority: patients and priority seen; ratio = total stay / bound (1.000 = at the physical "
          "limit); bound: proven lower bound on the total stay of the patients seen; moved: patients whose "
          "published arrival moved (re-planning).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

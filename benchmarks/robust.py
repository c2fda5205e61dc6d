"""Benchmark: how plans hold up on real mornings (the digital twin), side by side.

    python benchmarks/robust.py [--quick] [--time-limit 20] [--large-time-limit 60] [--runs 400]
                                [--replan-runs 20] [--replan-time-limit 1] [--max-replans 6]
                                [--walk-ins 0] [--workers 2] [--seed 1] [--sizes 8,20,32,60]

Mornings: the shared uncertain mornings (fixtures/instances/uncertain/) and generated ones
(`scheduler.testing.generator.generate_uncertain_morning`: other cvs, no-show rates, punctuality and
overtime limits). Plans of each morning:

- FCFS: first come, first served (`scheduler.baselines.fcfs`);
- engine: the deterministic engine (`solve` of the morning without its `uncertainty` block,
  `--time-limit`; `--large-time-limit` from 40 patients);
- buffer baseline: a simple peer (`scheduler.baselines.buffered`: planned with every duration
  +10 % and the morning 10 minutes shorter, mapped back), same time limit;
- uncertainty-aware: the engine with the `uncertainty` block (`solve`, which plans to the
  format's objective: `scheduler.robust`), same time limit.

Each plan under both policies of the twin, on the same seeded mornings (run i is the same
morning for every plan and policy): `static` (the plan as published, `--runs` mornings) and
`replan` (the engine re-plans after every overrun, no-show and walk-in, `--replan-runs`
mornings, `--replan-time-limit` per re-plan). Figures per plan: patients planned; answered by
the window's end (expected count, and the expected priority answered); overtime mean and
90th percentile (minutes the morning's last step ends after the window's end), and whether
the p90 is within the morning's limit; the mean wait beyond each patient's own pathway; for
replan the patients moved and called and the re-plans per morning. `sim s`: seconds of the
static runs alone. `--quick` shortens every limit for a first look.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler import plan_to_json, problem_from_json, solve  # noqa: E402
from scheduler.baselines import buffered, fcfs  # noqa: E402
from scheduler.check import check_plan  # noqa: E402
from scheduler.testing.generator import generate_uncertain_morning  # noqa: E402
from scheduler.simulate import simulate_static  # noqa: E402
from scheduler.twin import ReplanOptions, simulate_replan  # noqa: E402

LARGE = 40
QUICK = {"time_limit": 3.0, "large_time_limit": 6.0, "runs": 200, "replan_runs": 3, "replan_time_limit": 0.5,
         "max_replans": 4}


def mornings(seed: int, sizes: list[int]):
    for path in sorted((ROOT / "fixtures" / "instances" / "uncertain").glob("*.json")):
        yield path.stem, json.loads(path.read_text())
    for n in sizes:
        yield f"u-generated-{n} (seed {seed})", generate_uncertain_morning(n, seed=seed)


def plans(instance: dict, *, time_limit: float, workers: int):
    problem = problem_from_json(instance)
    yield "FCFS", fcfs(problem)
    yield "engine", solve(replace(problem, uncertainty=None), time_limit=time_limit, workers=workers, seed=0)
    yield "buffer baseline", buffered(problem, time_limit=time_limit, workers=workers, seed=0)
    yield "uncertainty-aware", solve(problem, time_limit=time_limit, workers=workers, seed=0)


def _pair(a: float, b: float) -> str:
    return f"{a:.1f} / {b:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="short limits for a first look: " + ", ".join(f"{k} {v:g}" for k, v in QUICK.items()))
    parser.add_argument("--time-limit", type=float, default=20.0, help="engine seconds per plan (default 20)")
    parser.add_argument("--large-time-limit", type=float, default=60.0,
                        help=f"engine seconds per plan from {LARGE} patients (default 60)")
    parser.add_argument("--runs", type=int, default=400, help="static mornings per plan (default 400)")
    parser.add_argument("--replan-runs", type=int, default=20, help="replan mornings per plan (default 20)")
    parser.add_argument("--replan-time-limit", type=float, default=1.0, help="seconds per re-plan (default 1)")
    parser.add_argument("--max-replans", type=int, default=6, help="re-plans per morning at most (default 6)")
    parser.add_argument("--walk-ins", type=float, default=0.0, help="expected walk-ins per morning (default 0)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="generator and simulation seed (default 1)")
    parser.add_argument("--sizes", default="8,20,32,60", help="generated morning sizes (default 8,20,32,60)")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    sizes = [int(n) for n in args.sizes.split(",") if n]
    options = ReplanOptions(time_limit=args.replan_time_limit, workers=args.workers, seed=args.seed,
                            max_replans=args.max_replans, walk_ins=args.walk_ins)

    started = time.perf_counter()
    print(f"# Plans on real mornings (digital twin), {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"workers={args.workers}; plans {args.time_limit:g} s ({args.large_time_limit:g} s from {LARGE} "
          f"patients); static {args.runs} mornings; replan {args.replan_runs} mornings, "
          f"{args.replan_time_limit:g} s per re-plan, at most {args.max_replans} per morning, "
          f"walk-ins {args.walk_ins:g} per morning; seed {args.seed}")
    print()
    header = ["morning", "plan", "planned", "static: answered (priority)", "overtime mean / p90", "p90 ≤ limit",
              "wait", "replan: answered (priority)", "overtime mean / p90", "p90 ≤ limit", "wait",
              "moved / called", "re-plans (failed)", "sim s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, instance in mornings(args.seed, sizes):
        problem = problem_from_json(instance)
        limit = args.large_time_limit if len(problem.patients) >= LARGE else args.time_limit
        cap = problem.uncertainty.overtime_p90 if problem.uncertainty else None
        for label, result in plans(instance, time_limit=limit, workers=args.workers):
            if check_plan(instance, plan_to_json(result)):
                print(f"| {name} | {label} | INVALID PLAN | " + " | ".join("-" for _ in header[3:]) + " |")
                continue
            t = time.perf_counter()
            static = simulate_static(problem, result, runs=args.runs, seed=args.seed)
            seconds = time.perf_counter() - t
            replan = simulate_replan(problem, result, runs=args.replan_runs, seed=args.seed, options=options)

            def within(f) -> str:
                return "-" if cap is None else ("yes" if f.overtime_p90 <= cap else "no")

            cells = [f"{name} (limit {cap:g})" if cap is not None else name, label,
                     f"{static.scheduled} ({static.priority_scheduled})",
                     f"{static.answered_expected:.2f} ({static.priority_answered_expected:.2f})",
                     _pair(static.overtime_mean, static.overtime_p90), within(static), f"{static.wait_mean:.1f}",
                     f"{replan.answered_expected:.2f} ({replan.priority_answered_expected:.2f})",
                     _pair(replan.overtime_mean, replan.overtime_p90), within(replan), f"{replan.wait_mean:.1f}",
                     f"{replan.moved_per_morning:.1f} / {replan.called_per_morning:.1f}",
                     f"{replan.replans_per_morning:.1f} ({replan.replans_failed_per_morning:.1f})", f"{seconds:.2f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
    print()
    print("planned: patients (priority) in the plan; answered: expected patients (priority) whose every step "
          "ends by the window's end; overtime: minutes the morning's last step ends after the window's end "
          "(mean / 90th percentile), against the morning's `overtime_p90` limit; wait: mean minutes per "
          "patient seen beyond her own pathway; moved / called: patient moves over a morning's re-plans / "
          "patients phoned (a new time, or not to come); buffer baseline: every duration +10 %, the window "
          "10 minutes shorter; uncertainty-aware: `solve` with the morning's `uncertainty` (scheduler.robust). "
          f"Total {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

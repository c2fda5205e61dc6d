"""Benchmark: re-plans on the day keep faith with the patients (the engine alone).

    python benchmarks/day.py [--time-limit 3] [--plan-time-limit 10] [--workers 2] [--seed 1]

Mornings: the shared day-of mornings (`fixtures/instances/day/`: calm at 09:55, mild at
10:00) and, for generated mornings of 20, 40 and 60 patients (`scheduler.testing.generator`), the
engine's own published plan taken to 10:00 three ways (`generate_day`): calm (nothing went
wrong), mild (a 10-minute overrun, a no-show, a walk-in) and harsh (as mild, a radiologist
called away and an urgent walk-in). Each is re-planned with the re-plan time limit. Per
morning: seconds to the first valid plan and to the final one, the status, patients seen
of those who could be, patients in the clinic left out (must be 0), patients not yet here
given another time (moved), published patients dropped, and whether the independent
validator accepts the plan.
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

from scheduler import plan_to_json, solve  # noqa: E402
from scheduler.check import check_plan  # noqa: E402
from scheduler.testing.generator import DAY_SCENARIOS, generate_day, generate_morning  # noqa: E402

SIZES = (20, 40, 60)


def day_mornings(seed: int, plan_time_limit: float, workers: int):
    for path in sorted((ROOT / "fixtures" / "instances" / "day").glob("*.json")):
        yield path.stem, json.loads(path.read_text())
    for n in SIZES:
        morning = generate_morning(n, seed=seed)
        plan = plan_to_json(solve(morning, time_limit=plan_time_limit, workers=workers, seed=seed))
        for scenario in DAY_SCENARIOS:
            yield (f"generated-{n} {scenario} (seed {seed}, 10:00)",
                   generate_day(morning, plan, now="10:00", seed=seed, scenario=scenario))


def faith(instance: dict, plan: dict) -> dict:
    """Who is in the clinic, who is not seen, who is given another time."""
    present = {p["id"] for p in instance["patients"] if "arrived" in p} | {f["patient"] for f in instance.get("fixed", [])}
    published: dict[str, str] = {}
    for a in instance.get("reference", []):
        published[a["patient"]] = min(published.get(a["patient"], a["start"]), a["start"])
    arrival: dict[str, str] = {}
    for a in plan["assignments"]:
        arrival[a["patient"]] = min(arrival.get(a["patient"], a["start"]), a["start"])
    out = {u["patient"] for u in plan["unscheduled"]}
    late = {pid for pid, at in published.items() if at < instance["now"]}
    return {"present out": len(present & out),
            "moved": sum(1 for pid, at in published.items()
                         if pid in arrival and pid not in present and pid not in late and arrival[pid] != at),
            "dropped": sum(1 for pid in published if pid in out)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=3.0, help="re-plan seconds (default 3)")
    parser.add_argument("--plan-time-limit", type=float, default=10.0,
                        help="seconds for the published plan of a generated morning (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    args = parser.parse_args(argv)
    print(f"# Re-plans on the day, {time.strftime('%Y-%m-%d %H:%M')}, {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} cores, workers={args.workers}, re-plan time limit "
          f"{args.time_limit:g} s")
    print()
    header = ["morning", "patients", "in the clinic", "status", "first plan s", "final s", "seen",
              "in the clinic left out", "moved", "dropped", "valid"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, instance in day_mornings(args.seed, args.plan_time_limit, args.workers):
        started = time.perf_counter()
        result = solve(instance, time_limit=args.time_limit, workers=args.workers, seed=0)
        seconds = time.perf_counter() - started
        plan = plan_to_json(result)
        present = len({p["id"] for p in instance["patients"] if "arrived" in p}
                      | {f["patient"] for f in instance.get("fixed", [])})
        row = faith(instance, plan) if result.has_plan else {"present out": "-", "moved": "-", "dropped": "-"}
        cells = [name, str(len(instance["patients"])), str(present), result.status.value,
                 f"{result.stats.first_plan_seconds:.2f}" if result.stats.first_plan_seconds is not None else "-",
                 f"{seconds:.2f}", str(result.objective.scheduled) if result.objective else "-",
                 str(row["present out"]), str(row["moved"]), str(row["dropped"]),
                 "yes" if not check_plan(instance, plan) else "NO"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print()
    print("in the clinic: arrived, or a step under way or done; moved: not here yet (and not late), and given "
          "another arrival than published; dropped: published and no longer seen (a no-show is no longer on "
          "the morning and is not counted).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m scheduler solve INSTANCE.json [...]` and `python -m scheduler check`.

    python -m scheduler solve INSTANCE.json [--time-limit SECONDS] [--workers N] [--seed N] [-o PLAN.json]
    python -m scheduler check INSTANCE.json PLAN.json

`solve` writes the `mammapoli-plan/1` plan to standard output (or `-o`), progress and each
improving plan to standard error. Exit codes: 0 a plan (OPTIMAL or FEASIBLE), 1 INFEASIBLE,
2 INVALID instance (the plan JSON still says why), 3 the file cannot be read.
`check` is the independent validator (`scheduler.check`).
"""

from __future__ import annotations

import argparse
import json
import sys

from .io import plan_to_json
from .result import Status
from .solve import solve

EXIT = {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INFEASIBLE: 1, Status.INVALID: 2}


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description="Mammapoli's scheduling engine.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("solve", help="plan a morning (mammapoli-morning/1 -> mammapoli-plan/1)")
    s.add_argument("instance", help="the instance JSON file ('-' for standard input)")
    s.add_argument("--time-limit", type=_positive_float, default=10.0, help="seconds (default 10)")
    s.add_argument("--workers", type=_positive_int, default=2, help="CP-SAT workers (default 2)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("-o", "--output", help="write the plan here instead of standard output")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    c = sub.add_parser("check", help="validate a plan against its instance (lists every broken rule)")
    c.add_argument("instance")
    c.add_argument("plan")
    return parser


def _solve(args) -> int:
    try:
        if args.instance == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.instance, encoding="utf-8") as f:
                data = json.load(f)
    except OSError as error:
        print(f"cannot read {args.instance}: {error.strerror}", file=sys.stderr)
        return 3
    except json.JSONDecodeError as error:
        print(f"{args.instance}: not JSON: {error}", file=sys.stderr)
        return 3

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    result = solve(data, time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                   log=None if args.quiet else log)
    plan = plan_to_json(result)
    text = json.dumps(plan, indent=1, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if not args.quiet:
        if result.objective is not None:
            o = result.objective
            log(f"{result.status.value}: {o.scheduled} patients, priority {o.priority_scheduled}, total stay "
                f"{o.total_stay}, bound {o.lower_bound_total_stay} (ratio {o.ratio:.3f}) in "
                f"{result.stats.solve_seconds:.2f}s")
        else:
            log(f"{result.status.value}: {result.error}")
    return EXIT[result.status]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "solve":
        return _solve(args)
    try:
        from . import check
    except ImportError:
        print("the validator (scheduler.check) is not installed in this checkout", file=sys.stderr)
        return 3
    return check.main([args.instance, args.plan])


if __name__ == "__main__":
    sys.exit(main())

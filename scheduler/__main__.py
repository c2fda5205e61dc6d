"""Command line: `python -m scheduler solve INSTANCE.json [...]`, `check` and `simulate`.

    python -m scheduler solve INSTANCE.json [--time-limit SECONDS] [--workers N] [--seed N] [-o PLAN.json]
    python -m scheduler check INSTANCE.json PLAN.json
    python -m scheduler simulate INSTANCE.json PLAN.json [--runs N] [--seed S] [--policy static|replan] [--json OUT]

`solve` writes the `mammapoli-plan/1` plan to standard output (or `-o`), progress and each
improving plan to standard error. Exit codes: 0 a plan (OPTIMAL or FEASIBLE), 1 INFEASIBLE,
2 INVALID instance (the plan JSON still says why), 3 the file cannot be read.
`check` is the independent validator (`scheduler.check`). `simulate` runs the plan through
many varied mornings (`scheduler.simulate`, the replan policy `scheduler.twin`) and prints
how it fares; exit codes: 0 done, 1 the plan breaks a rule of the instance, 2 the instance
is invalid, 3 a file cannot be read.
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
    m = sub.add_parser("simulate", help="run a plan through many varied mornings (the digital twin)")
    m.add_argument("instance")
    m.add_argument("plan")
    m.add_argument("--policy", choices=("static", "replan"), default="static",
                   help="static: the plan as published; replan: the engine re-plans after each event")
    m.add_argument("--runs", type=_positive_int, help="mornings (default 400 static, 20 replan)")
    m.add_argument("--seed", type=int, default=0, help="random seed (default 0): the same seed, the same mornings")
    m.add_argument("--json", metavar="OUT", help="also write the figures as JSON here ('-': standard output)")
    m.add_argument("--time-limit", type=_positive_float, default=1.0, help="replan: seconds per re-plan (default 1)")
    m.add_argument("--workers", type=_positive_int, default=2, help="replan: CP-SAT workers (default 2)")
    m.add_argument("--max-replans", type=int, default=6, help="replan: re-plans per morning at most (default 6)")
    m.add_argument("--walk-ins", type=float, default=0.0,
                   help="replan: expected walk-ins per morning, Poisson (default 0: none)")
    return parser


class _Unreadable(Exception):
    pass


def _load(path: str):
    """A JSON file ('-': standard input); `_Unreadable` (said on standard error) if it is not."""
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
    except json.JSONDecodeError as error:
        print(f"{path}: not JSON: {error}", file=sys.stderr)
    raise _Unreadable(path)


def _solve(args) -> int:
    try:
        data = _load(args.instance)
    except _Unreadable:
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


def _simulate(args) -> int:
    from .check import check_plan
    from .io import problem_from_json
    from .clock import fmt_time
    from .problem import ProblemError
    from .simulate import simulate_static
    from .twin import ReplanOptions, simulate_replan

    try:
        instance, plan = _load(args.instance), _load(args.plan)
    except _Unreadable:
        return 3
    try:
        problem = problem_from_json(instance)
    except ProblemError as error:
        print(f"{args.instance}: invalid instance: {error}", file=sys.stderr)
        return 2
    violations = check_plan(instance, plan)
    if not violations and plan.get("status") not in ("OPTIMAL", "FEASIBLE"):
        violations = [f"the plan has status {plan.get('status')}: nothing to simulate"]
    if violations:
        for violation in violations:
            print(f"{args.plan}: {violation}", file=sys.stderr)
        return 1
    try:
        if args.policy == "static":
            figures = simulate_static(problem, plan, runs=args.runs or 400, seed=args.seed)
        else:
            options = ReplanOptions(time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                                    max_replans=args.max_replans, walk_ins=args.walk_ins)
            figures = simulate_replan(problem, plan, runs=args.runs or 20, seed=args.seed, options=options)
    except ValueError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2
    f = figures
    limit = "" if f.overtime_limit is None else f" (the clinic's limit {f.overtime_limit:g})"
    lines = [
        f"{problem.name or args.instance}: {f.policy} policy, {f.runs} mornings (seed {f.seed}); "
        f"{f.scheduled} patients planned, priority {f.priority_scheduled}",
        f"  answered by {fmt_time(problem.window[1])}   {f.answered_expected:.2f} of {f.scheduled} expected "
        f"(priority {f.priority_answered_expected:.2f} of {f.priority_scheduled})",
        f"  overtime             mean {f.overtime_mean:.1f} min, p90 {f.overtime_p90:.1f} min{limit}",
        f"  wait beyond pathway  mean {f.wait_mean:.1f} min, p90 {f.wait_p90:.1f} min (per patient seen)",
        f"  no-shows             {f.no_shows_expected:.2f} per morning; walk-ins {f.walk_ins_expected:.2f}",
        f"  moved / called       {f.moved_per_morning:.2f} / {f.called_per_morning:.2f} per morning",
        f"  re-plans             {f.replans_per_morning:.2f} per morning ({f.replans_failed_per_morning:.2f} "
        f"found no plan)",
    ]
    if problem.uncertainty is None:
        lines.append("  (the instance has no `uncertainty` block: every morning runs exactly as planned)")
    print("\n".join(lines))
    if args.json:
        text = json.dumps({"instance": problem.name, **f.to_json()}, indent=1) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            with open(args.json, "w", encoding="utf-8") as out:
                out.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "solve":
        return _solve(args)
    if args.command == "simulate":
        return _simulate(args)
    try:
        from . import check
    except ImportError:
        print("the validator (scheduler.check) is not installed in this checkout", file=sys.stderr)
        return 3
    return check.main([args.instance, args.plan])


if __name__ == "__main__":
    sys.exit(main())

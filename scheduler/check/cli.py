"""`python -m scheduler check INSTANCE PLAN`: the validator from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from .common import FAILED_STATUSES
from .plan import check_plan

# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """`python -m scheduler check INSTANCE PLAN`: 0 valid, 1 violations, 2 unreadable files.

    `argv` is the arguments after the `check` sub-command (default: sys.argv[1:]).
    """
    parser = argparse.ArgumentParser(prog="python -m scheduler check",
                                     description="Check a mammapoli-plan/1 plan against its "
                                                 "mammapoli-morning/1 instance.")
    parser.add_argument("instance", help="instance JSON (mammapoli-morning/1)")
    parser.add_argument("plan", help="plan JSON (mammapoli-plan/1)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # usage errors (2) and --help (0)
        return int(stop.code or 0)
    loaded = []
    for path in (args.instance, args.plan):
        try:
            with open(path, encoding="utf-8") as handle:
                loaded.append(json.load(handle))
        except (OSError, ValueError) as exc:
            print(f"error: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    instance, plan = loaded
    violations = check_plan(instance, plan)
    for violation in violations:
        print(violation)
    if violations:
        return 1
    print(_summary(instance, plan))
    return 0


def _summary(instance: dict, plan: dict) -> str:
    name = instance.get("name") or "the instance"
    if plan["status"] in FAILED_STATUSES:
        return f"OK: {plan['status']} for {name} ({plan['error']})"
    objective = plan["objective"]
    return (f"OK: {plan['status']} plan for {name} is valid: {objective['scheduled']} of "
            f"{len(instance['patients'])} patients scheduled, {len(plan['assignments'])} steps, "
            f"total stay {objective['total_stay']} min "
            f"(lower bound {objective['lower_bound_total_stay']})")

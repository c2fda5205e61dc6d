"""Independent validator: does a `mammapoli-plan/1` plan keep every hard rule of its morning?

Written from `docs/morning-format.md` alone and sharing no code with the engine, so that
a bug in the engine's model cannot hide in the check of its own output. It reads the raw
JSON dicts with the standard library only, and never raises on bad input: a malformed
plan (or instance) comes back as violations.

Usage: `check_plan(instance, plan)` returns a list of `Violation`s, empty when the plan is
valid; `instance_problems(instance)` the ways an instance breaks the format; `main([INSTANCE,
PLAN])` is the body of `python -m scheduler check INSTANCE PLAN`.

Modules: `morning` reads the instance, `plan` holds the rules a plan must keep, `common` what
they share, `cli` the command line.
"""

from .cli import main
from .common import FAILED_STATUSES, MORNING_FORMAT, PLAN_FORMAT, SOLVED_STATUSES, Violation
from .morning import instance_problems
from .plan import check_plan

__all__ = ["check_plan", "instance_problems", "main", "Violation", "MORNING_FORMAT", "PLAN_FORMAT",
           "SOLVED_STATUSES", "FAILED_STATUSES"]

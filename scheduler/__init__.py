"""Mammapoli's scheduling engine: plans same-morning breast-clinic pathways with CP-SAT.

Pure Python (standard library and ortools); no Django import anywhere in this package.

    from scheduler import solve, problem_from_json, plan_to_json
    result = solve(problem_from_json(instance), time_limit=10, workers=2, seed=0)
    plan = plan_to_json(result)
    fit = insert(problem, Patient("N", "fna"))   # one more patient, moving nobody (booking)
    why = record_conflict(problem, "P01", "us", 510, ("rad-A", "echo-A"))  # may it start? (None: yes)
"""

from .feasibility import record_conflict
from .insert import Blocked, Insertion, insert
from .io import plan_to_json, problem_from_json, problem_to_json
from .problem import (Assignment, FixedStep, Lag, Pathway, Patient, Problem, ProblemError, Resource,
                      Step, Uncertainty)
from .result import (Objective, Phase, Progress, Result, Risk, ScheduledStep, Stats, Status, Unscheduled)
from .solve import solve

__all__ = [
    "solve", "insert", "record_conflict", "problem_from_json", "problem_to_json", "plan_to_json", "Insertion", "Blocked",
    "Problem", "Resource", "Pathway", "Step", "Lag", "Patient", "FixedStep", "Assignment", "ProblemError",
    "Uncertainty",
    "Result", "Risk", "Status", "Objective", "ScheduledStep", "Unscheduled", "Stats", "Phase", "Progress",
]

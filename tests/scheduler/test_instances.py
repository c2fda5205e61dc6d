"""Every shared instance solved with a short time limit and a fixed seed, and validated."""

from __future__ import annotations

from engine_helpers import fixture, run
from scheduler import problem_from_json
from scheduler.heuristic import fcfs_plan
from scheduler.prepared import Prepared


def baseline_priority(inst: dict) -> int:
    return fcfs_plan(Prepared(problem_from_json(inst))).priority


def test_small_8_is_solved_to_the_bound():
    result, plan = run(fixture("small-8"), time_limit=5)
    assert result.status.value == "OPTIMAL"
    assert plan["objective"] == {"scheduled": 8, "priority_scheduled": 10, "total_stay": 720,
                                 "lower_bound_total_stay": 720}


def test_standard_20_is_planned():
    inst = fixture("standard-20")
    result, plan = run(inst, time_limit=4)
    objective = plan["objective"]
    assert objective["priority_scheduled"] >= baseline_priority(inst)
    assert objective["scheduled"] + len(plan["unscheduled"]) == 20
    assert all(u["reason"] for u in plan["unscheduled"])
    assert result.stats.first_plan_seconds is not None


def test_standard_20_replan_keeps_every_fixed_step():
    inst = fixture("standard-20-replan")
    result, plan = run(inst, time_limit=3)
    assert plan["status"] in ("OPTIMAL", "FEASIBLE")
    placed = {(a["patient"], a["step"]): a for a in plan["assignments"]}
    for fixed in inst["fixed"]:
        a = placed[(fixed["patient"], fixed["step"])]
        assert (a["start"], a["resources"]) == (fixed["start"], fixed["resources"])
    assert plan["objective"]["priority_scheduled"] >= baseline_priority(inst)
    assert plan["stats"]["moved_patients"] is not None

"""Property tests: on random small mornings every plan passes the independent validator and
the engine never sees less priority than the first-come-first-served baseline; generated
mornings re-planned mid-morning keep every fixed step."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import plan_to_json, problem_from_json, solve
from scheduler.check import check_plan
from scheduler.testing.generator import generate_morning, generate_replan
from scheduler.heuristic import fcfs_plan
from scheduler.prepared import Prepared
from scheduler.testing.strategies import small_mornings

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(small_mornings())
def test_every_plan_is_valid_and_sees_at_least_the_baseline_priority(instance):
    result = solve(instance, time_limit=0.5, workers=1, seed=0)
    plan = plan_to_json(result)
    assert check_plan(instance, plan) == []
    assert result.status.value in ("OPTIMAL", "FEASIBLE")   # no fixed steps: always a plan
    baseline = fcfs_plan(Prepared(problem_from_json(instance)))
    assert result.objective.priority_scheduled >= baseline.priority


@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(st.integers(8, 14), st.integers(0, 10_000), st.sampled_from(["09:30", "10:15", "11:00"]))
def test_generated_mornings_and_their_replans_are_valid(n, seed, now):
    morning = generate_morning(n, seed=seed)
    plan = plan_to_json(solve(morning, time_limit=1.0, seed=0))
    assert check_plan(morning, plan) == []
    replan = generate_replan(morning, plan, now=now, seed=seed)
    result = solve(replan, time_limit=1.0, seed=0)
    replanned = plan_to_json(result)
    assert check_plan(replan, replanned) == []
    assert result.status.value in ("OPTIMAL", "FEASIBLE")
    assert result.objective.priority_scheduled >= fcfs_plan(Prepared(problem_from_json(replan))).priority

"""Peer plans (`scheduler.baselines`): first come first served and the buffer baseline."""

from __future__ import annotations

from engine_helpers import fixture
from scheduler import plan_to_json, problem_from_json
from scheduler.baselines import buffered, buffered_problem, fcfs
from scheduler.check import check_plan


def test_first_come_first_served_is_a_valid_plan_in_file_order():
    inst = fixture("uncertain/u-standard-20")
    result = fcfs(problem_from_json(inst))
    plan = plan_to_json(result)
    assert check_plan(inst, plan) == []
    assert result.objective.scheduled == 16 and result.stats.engine == "first come, first served"
    firsts = {}
    for a in result.assignments:
        firsts[a.patient] = min(firsts.get(a.patient, a.start), a.start)
    assert firsts["P01"] == 8 * 60                                # the first on the list goes first
    assert {u.patient for u in result.unscheduled} == {p["id"] for p in inst["patients"]} - set(firsts)


def test_the_buffered_morning_is_ten_percent_longer_and_ten_minutes_shorter():
    problem = problem_from_json(fixture("uncertain/u-standard-20"))
    padded = buffered_problem(problem)
    assert padded.window == (480, 770) and padded.uncertainty is None
    core = padded.pathway("core")
    assert [s.duration for s in core.steps] == [17, 17, 17, 28, 22, 22]     # 15, 15, 15, 25, 20, 20 + 10 %
    assert padded.patient("P01").extra == (("exam", 11),)                    # 15 + 10 -> 28 = 17 + 11
    assert all(b <= 770 for r in padded.resources for _, b in r.available)


def test_the_buffer_baseline_maps_back_to_the_real_durations_and_is_valid():
    inst = fixture("uncertain/u-standard-20")
    problem = problem_from_json(inst)
    result = buffered(problem, time_limit=2, seed=0)
    assert check_plan(inst, plan_to_json(result)) == []
    assert result.stats.engine.startswith("buffer baseline")
    for a in result.assignments:
        p = problem.patient(a.patient)
        assert a.end - a.start == problem.pathway(p.pathway).step(a.step).duration + p.extra_map.get(a.step, 0)
    assert max(a.end for a in result.assignments) <= 770        # planned inside the shorter morning


def test_a_max_wait_after_a_padded_step_shrinks_by_its_padding():
    problem = problem_from_json(fixture("uncertain/u-standard-20"))
    padded = buffered_problem(problem)
    for pathway in problem.pathways:
        for step in pathway.steps:
            for lag, new in zip(step.after, padded.pathway(pathway.id).step(step.id).after):
                if lag.max is None:
                    assert new.max is None
                else:   # the predecessor is at least 10 % longer in the padded morning
                    pad = padded.pathway(pathway.id).step(lag.step).duration - pathway.step(lag.step).duration
                    assert new.max <= max(lag.min, lag.max - pad) and new.min == lag.min

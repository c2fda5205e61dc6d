"""The digital twin's replan policy (`scheduler.twin`): tiny mornings with forced events and
the exact outcome; every re-plan the engine makes is checked by the independent validator."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from engine_helpers import fixture, morning, patient, res, step
from scheduler import Patient, plan_to_json, problem_from_json, solve
from scheduler.check import check_plan
from scheduler.io import problem_to_json
from scheduler.problem import Lag, Pathway, Step
from scheduler.simulate import Layout, _lognormal, plan_steps
from scheduler.twin import (ReplanOptions, _own_pathway, draw_walk_ins, replan_morning, simulate_replan)

OPTIONS = ReplanOptions(time_limit=2.0, workers=2)
PATHWAYS = {"p": {"steps": [step("a", 30, "doctor")]}, "q": {"steps": [step("b", 30, "doctor")]}}


def three(window_end: str, block: dict) -> tuple:
    """P1, P2, P3 booked on doctor D at 08:00, 08:30 and 09:00 (30 minutes each)."""
    inst = morning([res("D", "doctor")], PATHWAYS, [patient("P1"), patient("P2", "q"), patient("P3", "q")],
                   window=("08:00", window_end))
    inst["uncertainty"] = block
    plan = {"format": "mammapoli-plan/1", "instance": "test", "status": "FEASIBLE",
            "objective": {"scheduled": 3, "priority_scheduled": 3, "total_stay": 90, "lower_bound_total_stay": 90},
            "assignments": [{"patient": p, "step": s, "start": a, "end": b, "resources": ["D"]} for p, s, a, b in
                            (("P1", "a", "08:00", "08:30"), ("P2", "b", "08:30", "09:00"),
                             ("P3", "b", "09:00", "09:30"))],
            "unscheduled": []}
    assert check_plan(inst, plan) == []
    return inst, plan


def forced(inst: dict, plan: dict, *, no_show=(), z=None, walk_ins=()):
    """One morning under the replan policy with the dice set by hand; (morning, re-plans)."""
    problem = problem_from_json(inst)
    layout = Layout(problem)
    dice = ([0.0] * layout.draws if z is None else z(layout),
            [0.0 if p.id in no_show else 1.0 for p in layout.patients])
    replans = []
    result = replan_morning(problem, layout, plan_steps(plan), dice, OPTIONS, walk_ins=walk_ins,
                            on_replan=replans.append)
    for r in replans:
        assert check_plan(problem_to_json(r.problem), plan_to_json(r.result)) == [], r.event
    return result, replans


def steps_of(result) -> dict:
    return {a.patient: (a.start, a.end) for a in result.assignments if a.step in ("a", "b")}


WALK_IN = Patient("W1", "q", arrived=8 * 60 + 20)


def test_a_no_show_and_a_walk_in_with_room_at_the_end_move_nobody():
    inst, plan = three("10:00", {"no_show": 0.5})
    m, replans = forced(inst, plan, no_show={"P1"}, walk_ins=[(WALK_IN, 500)])
    assert [(r.now, r.event) for r in replans] == [(495, "no-show: P1"), (500, "walk-in: W1")]
    assert {p.id for p in replans[0].problem.patients} == {"P2", "P3"}          # she is off the list
    assert steps_of(replans[0].result) == {"P2": (510, 540), "P3": (540, 570)}   # nothing else changes
    second = replans[1]
    assert second.problem.now == 500 and second.problem.patient("W1").arrived == 500
    assert steps_of(second.result) == {"P2": (510, 540), "P3": (540, 570), "W1": (570, 600)}
    assert (m.answered, m.no_shows, m.walk_ins, m.moved, m.called, m.replans, m.replans_failed) == (3, 1, 1, 0, 0, 2, 0)
    assert m.overtime == 0 and sorted(m.waits) == [0, 0, 70]                     # W1 waits 08:20 -> 09:30


def test_without_room_the_walk_in_is_seen_and_one_patient_is_called_off():
    # Doctor D until 09:30: the walk-in in the clinic comes first; P2 (08:30) is called off,
    # P3 keeps her time; this leaves W1 the shortest stay of the plans with one move.
    inst, plan = three("09:30", {"no_show": 0.5})
    m, replans = forced(inst, plan, no_show={"P1"}, walk_ins=[(WALK_IN, 500)])
    assert [r.event for r in replans] == ["no-show: P1", "walk-in: W1"]
    assert steps_of(replans[1].result) == {"W1": (500, 530), "P3": (540, 570)}
    assert (m.answered, m.moved, m.called, m.replans) == (2, 1, 1, 2)


def test_an_overrun_becomes_a_fixed_step_with_its_real_end_and_the_team_follows_the_re_plan():
    # P1's step takes 44.3 minutes instead of 30 (cv 0.5 on step a): an event when it ends,
    # 08:44.3, and P2 (here since 08:30) goes in at once. The re-plan at 08:45 has P1 fixed
    # 08:00-08:44 and P2 running since 08:44; P3 (09:00, not here yet) cannot keep her time:
    # she is called and asked to come at 09:15 (the notice: 30 minutes after now).
    inst, plan = three("10:00", {"duration_cv": {"default": 0, "a": 0.5}})

    def z(layout):
        mu, sigma = _lognormal(30, 0.5)
        values = [0.0] * layout.draws
        values[layout.steps[layout.index["P1"]]["a"].z] = (math.log(44.3) - mu) / sigma
        return values

    m, replans = forced(inst, plan, z=z)
    (first,) = replans
    assert (first.now, first.event) == (525, "overrun: P1 a ends 14 min late")
    assert [(f.patient, f.step, f.start, f.end, f.resources) for f in first.problem.fixed] == \
        [("P1", "a", 480, 524, ("D",)), ("P2", "b", 524, None, ("D",))]
    assert first.problem.patient("P2").arrived == 510 and first.problem.patient("P3").arrived is None
    assert steps_of(first.result) == {"P1": (480, 524), "P2": (524, 554), "P3": (555, 585)}
    assert (m.answered, m.moved, m.called, m.replans) == (3, 1, 1, 1)
    # P2 waited for P1's overrun (08:30 -> 08:44.3); P3 comes at her new time and goes straight in.
    assert m.waits == pytest.approx((0, 14.3, 0))


def test_re_plans_per_morning_are_bounded_and_every_re_plan_is_valid():
    problem = problem_from_json(fixture("uncertain/u-standard-20"))
    plan = solve(problem, time_limit=2, seed=0)
    records = []
    f = simulate_replan(problem, plan, runs=3, seed=5, options=ReplanOptions(time_limit=0.5, max_replans=1),
                        on_replan=records.append)
    assert f.policy == "replan" and f.runs == 3 and 0 < f.replans_per_morning <= 1
    assert 0 < len(records) <= 3
    for r in records:
        assert r.result.has_plan
        assert check_plan(problem_to_json(r.problem), plan_to_json(r.result)) == []


def test_walk_ins_are_a_seeded_poisson_process_with_patients_like_the_mornings():
    problem = problem_from_json(fixture("uncertain/u-standard-20"))
    draws = [draw_walk_ins(problem, random.Random(s), 1.5) for s in range(3000)]
    assert statistics.fmean(len(d) for d in draws) == pytest.approx(1.5, abs=0.07)
    assert draw_walk_ins(problem, random.Random(7), 1.5) == draw_walk_ins(problem, random.Random(7), 1.5)
    pathways = {p.pathway for p in problem.patients}
    for walk_ins in draws[:200]:
        for number, (p, at) in enumerate(walk_ins, start=1):
            assert p.id == f"W{number}" and p.pathway in pathways and p.arrived == at
            assert 8 * 60 <= at <= 12 * 60
    assert draw_walk_ins(problem, random.Random(0), 0) == []


def test_a_lag_the_morning_could_not_keep_is_widened_in_a_pathway_of_her_own():
    pathway = Pathway("p", (Step("a", 10, ("x",)), Step("b", 10, ("x",), after=(Lag("a", 60),)),
                            Step("c", 10, ("x",), after=(Lag("b", 0, 30),))))
    # a ended 08:10, b started 09:00 (50 min: the lab was quick); b ended 09:10, c not yet.
    kept = {("P1", "a"): (480, 490), ("P1", "b"): (540, 550)}
    own = _own_pathway(pathway, "P1", kept, 560, relax=False)
    assert own.id == "p~P1" and own.step("b").after == (Lag("a", 50),) and own.step("c").after == (Lag("b", 0, 30),)
    late = _own_pathway(pathway, "P1", kept, 600, relax=False)        # 09:40 > 09:10 + 30: c's max is dropped
    assert late.step("c").after == (Lag("b", 0, None),)
    on_time = {("P1", "a"): (480, 490), ("P1", "b"): (550, 560)}
    assert _own_pathway(pathway, "P1", on_time, 570, relax=False) is pathway   # nothing to widen
    assert _own_pathway(pathway, "P1", on_time, 570, relax=True).step("c").after == (Lag("b", 0, None),)
    running = {("P1", "a"): (480, 490), ("P1", "b"): (550, None)}      # b under way: c's max may go too
    assert _own_pathway(pathway, "P1", running, 555, relax=False) is pathway
    assert _own_pathway(pathway, "P1", running, 555, relax=True).step("c").after == (Lag("b", 0, None),)


def test_replan_options_refuse_nonsense():
    with pytest.raises(ValueError, match="time_limit must be > 0"):
        ReplanOptions(time_limit=0)
    with pytest.raises(ValueError, match="walk_ins must be >= 0"):
        ReplanOptions(walk_ins=-1)


def test_a_patient_seen_before_her_earliest_still_makes_a_valid_instance():
    # P2 (earliest 08:30) comes 14 minutes early; P1 did not come, so the doctor takes her at
    # 08:16 (the run does not model `earliest`). The walk-in's re-plan at 08:20 has her fixed
    # from 08:16: in the clinic her `earliest` is moot, and the engine gives a plan.
    inst, plan = three("10:00", {"no_show": 0.5, "punctuality_sd": 5})
    inst["patients"][1]["earliest"] = "08:30"

    def z(layout):
        values = [0.0] * layout.draws
        values[layout.punctuality_z[layout.index["P2"]]] = -2.8
        return values

    m, replans = forced(inst, plan, no_show={"P1"}, z=z, walk_ins=[(WALK_IN, 500)])
    assert [r.event for r in replans] == ["no-show: P1", "walk-in: W1"]
    second = replans[1]
    assert [(f.patient, f.start, f.end) for f in second.problem.fixed] == [("P2", 496, None)]
    assert second.problem.patient("P2").earliest is None and second.result.has_plan
    assert (m.answered, m.replans_failed) == (3, 0)

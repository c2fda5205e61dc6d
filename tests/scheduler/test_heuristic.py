"""The first-come-first-served baseline and the construction heuristic."""

from __future__ import annotations

from engine_helpers import fixture, morning, patient, placements_violations, res, step
from scheduler import problem_from_json
from scheduler.bounds import analyse_alone
from scheduler.heuristic import construct_plan, fcfs_plan
from scheduler.prepared import Prepared


def prepared(inst: dict) -> Prepared:
    return Prepared(problem_from_json(inst))


def test_fcfs_places_patients_in_file_order_at_their_earliest_arrival_and_skips_misfits():
    pathways = {"short": {"steps": [step("a", 20, "doctor")]}, "long": {"steps": [step("a", 40, "doctor")]}}
    inst = morning([res("D", "doctor")], pathways,
                   [patient("P1", "short"), patient("P2", "long"), patient("P3", "long", priority=3),
                    patient("P4", "short")], window=("08:00", "09:20"))
    prep = prepared(inst)
    plan = fcfs_plan(prep)
    starts = {prep.patients[i].id: pl.starts[0] for i, pl in plan.placements.items()}
    assert starts == {"P1": 8 * 60, "P2": 8 * 60 + 20, "P4": 9 * 60}   # P3 does not fit any more
    assert (plan.priority, plan.total_stay) == (3, 80)


def test_fcfs_respects_max_lags_by_delaying_the_earlier_step():
    pathways = {"p": {"steps": [step("a", 10, "doctor"), step("b", 10, "scanner", after=[{"step": "a", "max": 5}])]}}
    inst = morning([res("D", "doctor"), res("S", "scanner", ("08:40", "10:00"))], pathways, [patient("P1")])
    prep = prepared(inst)
    plan = fcfs_plan(prep)
    assert plan.placements[0].starts == [8 * 60 + 25, 8 * 60 + 40]


def test_construction_is_valid_and_never_below_the_baseline():
    for name in ("small-8", "standard-20", "standard-20-replan"):
        instance = fixture(name)
        prep = prepared(instance)
        alone = analyse_alone(prep)
        possible = [i for i, a in alone.items() if a.witness is not None]
        plan, built = construct_plan(prep, patients=possible, time_budget=0.2, seed=0,
                                     min_stay={i: a.min_stay for i, a in alone.items()})
        assert built >= 1 and placements_violations(instance, prep, plan.placements) == []
        assert plan.priority >= fcfs_plan(prep).priority


def test_minimal_stay_alone_includes_unavoidable_waiting():
    # The pathologist only starts at 09:00, and a patient cannot arrive before 08:30.
    pathways = {"p": {"steps": [step("a", 10, "doctor"), step("b", 20, "pathologist", after=[{"step": "a"}])]}}
    inst = morning([res("D", "doctor", ("08:30", "08:40")), res("PA", "pathologist", ("09:00", "10:00"))],
                   pathways, [patient("P1")])
    prep = prepared(inst)
    alone = analyse_alone(prep)[0]
    assert prep.patients[0].critical_path == 30
    assert alone.min_stay == 50 and alone.exact

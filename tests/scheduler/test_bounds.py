"""scheduler.bounds: the critical path, the objective of a plan the engine did not make, and
the earliest end of a pathway — what the Django side asks instead of counting lags itself."""

from scheduler import Assignment, problem_from_json
from scheduler.bounds import critical_paths, earliest_end, plan_objective
from tests.scheduler.engine_helpers import fixture, morning, patient, res, step

# exam 15, then us 15, then the result 10 at least 10 and at most 60 minutes after the us.
CHAIN = {"p": {"steps": [step("exam", 15, "surgeon"), step("us", 15, "radiologist", after=[{"step": "exam"}]),
                         step("result", 10, "surgeon", after=[{"step": "us", "min": 10, "max": 60}])]}}
RESOURCES = [res("chir", "surgeon"), res("rad", "radiologist")]


def test_the_critical_path_counts_lags_extra_minutes_and_a_fixed_steps_real_length():
    problem = problem_from_json(fixture("standard-20-replan"))
    paths = critical_paths(problem)
    assert paths["P03"] == 15 + 15 + 10 + 10  # exam, us, lab 10, result
    assert paths["P01"] == 25 + 15 + 10 + 10  # her exam took 25 minutes


def test_steps_in_any_order_count_at_least_their_sum():
    parallel = {"p": {"steps": [step("a", 20, "surgeon"), step("b", 30, "radiologist")]}}
    problem = problem_from_json(morning(RESOURCES, parallel, [patient("A")]))
    assert critical_paths(problem) == {"A": 50}  # one step at a time: not just the longer one


def test_a_plans_objective_counts_her_stay_from_her_arrival_and_bounds_it_by_the_critical_path():
    problem = problem_from_json(morning(RESOURCES, CHAIN, [patient("A", arrived="08:00"), patient("B", priority=2)],
                                        now="08:05"))
    steps = [Assignment("A", "exam", 490, ("chir",), 505), Assignment("A", "us", 505, ("rad",), 520),
             Assignment("A", "result", 530, ("chir",), 540)]
    objective = plan_objective(problem, steps)
    assert (objective.scheduled, objective.priority_scheduled, objective.total_stay,
            objective.lower_bound_total_stay) == (1, 1, 540 - 480, 50)


def test_the_earliest_end_starts_from_now_and_keeps_what_happened():
    problem = problem_from_json(morning(RESOURCES, CHAIN, [patient("A")], now="08:30",
                                        fixed=[{"patient": "A", "step": "exam", "start": "08:00", "end": "08:20",
                                                "resources": ["chir"]}]))
    assert earliest_end(problem, "A") == 8 * 60 + 30 + 15 + 10 + 10  # us from now, lab 10, result


# Two steps in any order (no precedence): not a chain, so she is analysed alone by CP-SAT.
PARALLEL = {"p": {"steps": [step("a", 20, "surgeon"), step("b", 30, "radiologist")]}}


def _timed_out(prep, p, time_limit):
    """What the one-patient model answers when its time runs out before any solution."""
    return None, p.critical_path, False


def test_a_patient_whose_model_runs_out_of_time_alone_still_has_a_witness(monkeypatch):
    from scheduler import bounds
    from scheduler.prepared import Prepared

    monkeypatch.setattr(bounds, "_model_min_stay", _timed_out)
    prep = Prepared(problem_from_json(morning(RESOURCES, PARALLEL, [patient("A")])))
    alone = bounds.analyse_alone(prep)[0]
    assert alone.witness is not None and not alone.unproven and not alone.exact
    assert sorted(alone.witness.starts) == [480, 500]  # the list scheduler's earliest: a then b, or b then a


def test_a_plan_that_leaves_out_a_patient_unproven_is_not_called_optimal(monkeypatch):
    from scheduler import Status, bounds, solve
    from scheduler.placer import Placer

    monkeypatch.setattr(bounds, "_model_min_stay", _timed_out)
    monkeypatch.setattr(Placer, "place_earliest", lambda self, tl, p, release=None: None)
    result = solve(morning(RESOURCES, PARALLEL, [patient("A")]), time_limit=2, workers=1, seed=0)
    assert result.status is not Status.OPTIMAL

"""The CP-SAT model itself: symmetry breaking is sound and hints respect it."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from engine_helpers import fixture
from scheduler import problem_from_json
from scheduler.bounds import analyse_alone
from scheduler.cpsat import redundant
from scheduler.cpsat.model import CpsatModel, ModelOptions
from scheduler.cpsat.solver import run_phase
from scheduler.testing.generator import generate_morning
from scheduler.heuristic import construct_plan
from scheduler.prepared import Prepared


def _setup(instance):
    prep = Prepared(problem_from_json(instance))
    alone = analyse_alone(prep)
    possible = [i for i, a in alone.items() if a.witness is not None]
    return prep, possible, {i: alone[i].witness for i in possible}, {i: a.min_stay for i, a in alone.items()}


@pytest.mark.parametrize("name", ["standard-20", "standard-20-replan"])
def test_the_heuristic_plan_is_a_feasible_hint_of_the_symmetry_broken_model(name):
    prep, possible, witnesses, min_stay = _setup(fixture(name))
    plan, _ = construct_plan(prep, patients=possible, time_budget=0.2, seed=0, min_stay=min_stay)
    cm = CpsatModel(prep, possible, {i for i in possible if prep.patients[i].has_fixed}, min_stay)
    assert cm.groups and (cm.resource_classes or name.endswith("replan"))
    cm.add_hint(plan.placements, witnesses)
    cm.model.minimize(cm.total_stay)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(cm.model) == cp_model.OPTIMAL
    assert round(solver.objective_value) == plan.total_stay


def test_symmetry_breaking_keeps_the_optimum():
    # Ten patients, two identical surgeons and radiologists, a short morning: not
    # everyone fits and some must wait.
    inst = generate_morning(10, seed=3)
    for r in inst["resources"]:
        r["available"] = [["08:00", "10:30"]] if r["kind"] in ("surgeon", "radiologist") else \
            [[a, min(b, "10:30")] for a, b in r["available"] if a < "10:30"]
    inst["window"]["end"] = "10:30"
    for p in inst["patients"]:
        p.pop("latest", None)
        p.pop("earliest", None)
    prep, possible, _, min_stay = _setup(inst)
    assert redundant.identical_resource_classes(prep)
    upper = sum(prep.patients[i].priority for i in possible)
    values = []
    for sym in (True, False):
        cm = CpsatModel(prep, possible, set(), min_stay,
                        options=ModelOptions(patient_symmetry=sym, resource_symmetry=sym))
        out = run_phase(cm, 10_000 * (upper - cm.priority) + cm.total_stay, maximize=False, time_limit=20,
                        workers=2, seed=0)
        assert out.status == "OPTIMAL"
        values.append(out.objective)
    assert values[0] == values[1]

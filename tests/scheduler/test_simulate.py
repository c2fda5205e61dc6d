"""The static run of a plan (`scheduler.simulate`): the spec's rules, one small case each,
checked against an independent reading of the rules, and the `risk` a plan carries."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from engine_helpers import fixture, morning, patient, res, step
from scheduler import Uncertainty, plan_to_json, problem_from_json, solve
from scheduler.baselines import fcfs
from scheduler.check import check_plan
from scheduler.simulate import (Layout, compile_plan, execute, planned_arrivals, plan_steps, risk, run_seeds,
                                simulate_static)

CALM = Uncertainty()   # no variation at all


def u20():
    return problem_from_json(fixture("uncertain/u-standard-20"))


def one_doctor(*patients, **extra) -> dict:
    return morning([res("D", "doctor")], {"p": {"steps": [step("a", 30, "doctor")]}}, list(patients), **extra)


def plan_of(*steps) -> dict:
    """A plan of single-step patients on D: (patient, start, end)."""
    return {"assignments": [{"patient": p, "step": "a", "start": s, "end": e, "resources": ["D"]}
                            for p, s, e in steps]}


def runs_of(problem, plan, seeds):
    """Each run's (starts, ends, arrivals, came), by (patient, step)."""
    layout = Layout(problem)
    compiled = compile_plan(layout, plan_steps(plan))
    planned = planned_arrivals(layout, compiled)
    out = []
    for run_seed in seeds:
        z, u = layout.draw(random.Random(run_seed))
        came = layout.came(u)
        arrival = [a + (0.0 if layout.present[i] else layout.offset(i, z)) for i, a in enumerate(planned)]
        starts, ends, _ = execute(compiled, z, came, arrival, layout.resource_open)
        keys = [(a.patient, a.step) for a in compiled.steps]
        out.append(({k: s for k, s in zip(keys, starts)}, {k: e for k, e in zip(keys, ends)},
                    {p.id: arrival[i] for i, p in enumerate(layout.patients)},
                    {p.id: came[i] for i, p in enumerate(layout.patients)}))
    return out


# --------------------------------------------------------------------------- reproducible

def test_the_same_seed_gives_the_same_figures_and_another_seed_others():
    problem = u20()
    plan = fcfs(problem)
    first = simulate_static(problem, plan, runs=200, seed=7)
    assert simulate_static(problem, plan, runs=200, seed=7) == first
    assert simulate_static(problem, plan_to_json(plan), runs=200, seed=7) == first   # a plan dict too
    assert simulate_static(problem, plan, runs=200, seed=8) != first
    assert first.runs == 200 and first.scheduled == 16 and first.priority_scheduled == 20


def test_two_plans_meet_the_same_mornings():
    # Common random numbers: patient P01's durations and arrival do not depend on the plan.
    problem = u20()
    seeds = run_seeds(3, 5)
    by_fcfs = runs_of(problem, fcfs(problem), seeds)
    by_engine = runs_of(problem, solve(problem, time_limit=2, seed=0), seeds)
    compared = 0
    for a, b in zip(by_fcfs, by_engine):
        assert a[3] == b[3]                                   # the same no-shows
        if a[3]["P01"]:
            length = {k: a[1][k] - a[0][k] for k in a[0] if k[0] == "P01"}
            assert length == pytest.approx({k: b[1][k] - b[0][k] for k in b[0] if k[0] == "P01"})
            compared += 1
    assert compared >= 3


# --------------------------------------------------------------------------- no variation

def test_with_no_variation_a_tight_plan_runs_exactly_as_planned():
    inst = one_doctor(patient("P1"), patient("P2"), patient("P3"), window=("08:00", "09:30"))
    plan = plan_of(("P1", "08:00", "08:30"), ("P2", "08:30", "09:00"), ("P3", "09:00", "09:30"))
    problem = problem_from_json(inst)
    (starts, ends, _, _), = runs_of(problem, plan, [0])
    assert [ends[(p, "a")] for p in ("P1", "P2", "P3")] == [510, 540, 570]
    f = simulate_static(problem, plan, runs=20, uncertainty=CALM)
    assert (f.answered_expected, f.priority_answered_expected, f.overtime_mean, f.overtime_p90) == (3, 3, 0, 0)


def test_with_no_variation_the_engine_plan_answers_everyone_it_schedules():
    inst = fixture("uncertain/u-standard-20")
    inst["uncertainty"] = {"duration_cv": 0, "no_show": 0, "punctuality_sd": 0}
    problem = problem_from_json(inst)
    result = solve(problem, time_limit=3, seed=0)
    f = simulate_static(problem, result, runs=50, seed=1)
    o = result.objective
    assert (f.answered_expected, f.priority_answered_expected) == (o.scheduled, o.priority_scheduled)
    assert (f.overtime_mean, f.overtime_p90, f.no_shows_expected) == (0, 0, 0)   # the plan's own overtime: none
    # No step ends later than planned (a step may start early: the run does not wait for a gap).
    (starts, ends, _, _), = runs_of(problem, result, [0])
    planned = {(a.patient, a.step): a.end for a in result.assignments}
    assert all(ends[k] <= planned[k] for k in planned)
    assert result.risk.answered_expected == o.scheduled and result.risk.overtime_p90 == 0


# --------------------------------------------------------------------------- the rules, one by one

def test_a_no_show_is_skipped_and_frees_her_resources_for_the_next_in_order():
    # P2 is in the clinic since 08:00, planned after P1; P1 never comes (no_show 1 applies
    # only to patients who are not present).
    inst = one_doctor(patient("P1"), patient("P2", arrived="08:00"), window=("08:00", "09:00"))
    plan = plan_of(("P1", "08:00", "08:30"), ("P2", "08:30", "09:00"))
    problem = problem_from_json(inst)
    assert check_plan(inst, {"format": "mammapoli-plan/1", "instance": "test", "status": "FEASIBLE",
                             "objective": {"scheduled": 2, "priority_scheduled": 2, "total_stay": 90,
                                           "lower_bound_total_stay": 60},
                             "unscheduled": [], **plan}) == []
    gone = simulate_static(problem, plan, runs=10, uncertainty=Uncertainty(no_show=1))
    assert (gone.answered_expected, gone.no_shows_expected, gone.wait_mean) == (1, 1, 0)   # P2 08:00-08:30
    (starts, _, _, came), = runs_of(replace_uncertainty(inst, {"no_show": 1}), plan, [0])
    assert came == {"P1": False, "P2": True} and starts == {("P1", "a"): None, ("P2", "a"): 480}
    kept = simulate_static(problem, plan, runs=10, uncertainty=CALM)
    assert (kept.answered_expected, kept.no_shows_expected, kept.wait_mean) == (2, 0, 15)   # P2 waits 30


def replace_uncertainty(inst: dict, block: dict):
    return problem_from_json({**inst, "uncertainty": block})


LAB = {"p": {"steps": [step("a", 10, "doctor"), step("b", 10, "lab", after=[{"step": "a", "min": 60}])]}}


def lab_morning(block: dict):
    inst = morning([res("D", "doctor"), res("L", "lab")], LAB, [patient("P1")], window=("08:00", "11:00"))
    inst["uncertainty"] = block
    plan = {"assignments": [{"patient": "P1", "step": "a", "start": "08:00", "end": "08:10", "resources": ["D"]},
                            {"patient": "P1", "step": "b", "start": "09:10", "end": "09:20", "resources": ["L"]}]}
    return problem_from_json(inst), plan


def test_a_lags_min_is_varied_with_mean_one_and_half_the_steps_cv():
    problem, plan = lab_morning({"duration_cv": {"default": 0, "b": 0.4}})
    runs = runs_of(problem, plan, run_seeds(0, 4000))
    gaps = [starts[("P1", "b")] - ends[("P1", "a")] for starts, ends, _, _ in runs]
    assert statistics.fmean(gaps) == pytest.approx(60, abs=0.8)
    assert statistics.stdev(gaps) / 60 == pytest.approx(0.2, abs=0.01)      # half of b's cv 0.4
    lengths = [ends[("P1", "b")] - starts[("P1", "b")] for starts, ends, _, _ in runs]
    assert statistics.fmean(lengths) == pytest.approx(10, abs=0.15)
    assert statistics.stdev(lengths) / 10 == pytest.approx(0.4, abs=0.02)
    assert {ends[("P1", "a")] for _, ends, _, _ in runs} == {490}           # a's cv is 0: exactly 10 min
    problem, plan = lab_morning({"duration_cv": 0})
    assert {starts[("P1", "b")] for starts, _, _, _ in runs_of(problem, plan, run_seeds(0, 50))} == {550}


def test_punctuality_is_normal_and_clipped_to_fifteen_early_and_thirty_late():
    inst = one_doctor(*[patient(f"P{i}") for i in range(6)], window=("08:00", "12:00"),
                      uncertainty={"punctuality_sd": 100})
    plan = plan_of(*[(f"P{i}", f"{8 + i // 2:02d}:{30 * (i % 2):02d}", f"{8 + (i + 1) // 2:02d}:{30 * ((i + 1) % 2):02d}")
                     for i in range(6)])
    problem = problem_from_json(inst)
    offsets = [arrival[f"P{i}"] - (480 + 30 * i) for _, _, arrival, _ in runs_of(problem, plan, run_seeds(0, 100))
               for i in range(6)]
    assert min(offsets) == -15 and max(offsets) == 30
    assert sum(o == -15 for o in offsets) > 100 and sum(o == 30 for o in offsets) > 100
    (starts, _, arrival, _), = runs_of(problem, plan, [5])
    # A patient's first step starts when she has arrived and the doctor is free.
    assert starts[("P0", "a")] == max(480, arrival["P0"])


def test_a_resource_is_not_there_before_its_first_available_minute_and_breaks_are_not_modelled():
    inst = morning([res("D", "doctor", ("08:30", "09:00"), ("09:30", "10:00"))],
                   {"p": {"steps": [step("a", 30, "doctor")]}}, [patient("P1", arrived="08:00"), patient("P2")],
                   window=("08:00", "10:00"))
    plan = plan_of(("P1", "08:30", "09:00"), ("P2", "09:30", "10:00"))
    (starts, _, _, _), = runs_of(problem_from_json(inst), plan, [0])
    assert starts == {("P1", "a"): 510, ("P2", "a"): 570}   # P2 comes at her time, 09:30
    inst["patients"][1]["arrived"] = "08:00"
    (starts, _, _, _), = runs_of(problem_from_json(inst), plan, [0])
    assert starts[("P2", "a")] == 540                        # into the break: right after P1


def test_every_resource_serves_its_steps_in_the_planned_order():
    # P2 is in the clinic first but planned after P1: she waits for him.
    inst = one_doctor(patient("P1"), patient("P2", arrived="08:00"), window=("08:00", "10:00"),
                      uncertainty={"punctuality_sd": 0})
    plan = plan_of(("P1", "08:10", "08:40"), ("P2", "08:40", "09:10"))
    (starts, _, _, _), = runs_of(problem_from_json(inst), plan, [0])
    assert starts == {("P1", "a"): 490, ("P2", "a"): 520}


def test_fixed_steps_keep_their_times():
    inst = fixture("standard-20-replan")
    inst["uncertainty"] = {"duration_cv": 0.5, "punctuality_sd": 10, "no_show": 0.5}
    problem = problem_from_json(inst)
    result = solve(problem, time_limit=2, seed=0)
    fixed = {(f.patient, f.step): f for f in problem.fixed}
    for starts, ends, _, came in runs_of(problem, result, run_seeds(1, 20)):
        for key, f in fixed.items():
            assert came[key[0]]                               # she is in the clinic: she came
            assert starts[key] == f.start
            if f.end is not None:
                assert ends[key] == f.end


# --------------------------------------------------------------------------- an independent reading

def spec_run(inst: dict, plan: dict, z, u, layout: Layout) -> dict:
    """The static run as the spec words it, by fixed-point iteration over plain dicts (no
    topological order, no compiled tuples): (patient, step) -> (start, end)."""
    hm = lambda t: int(t[:2]) * 60 + int(t[3:])   # noqa: E731
    u_block = inst["uncertainty"]
    cvs = u_block["duration_cv"] if isinstance(u_block["duration_cv"], dict) else {"default": u_block["duration_cv"]}
    patients = {p["id"]: p for p in inst["patients"]}
    steps = {(p["id"], s["id"]): s for p in inst["patients"] for s in inst["pathways"][p["pathway"]]["steps"]}
    planned = sorted(plan["assignments"], key=lambda a: hm(a["start"]))
    came = {pid: u[i] >= u_block["no_show"] for i, pid in enumerate(patients)}

    def lognormal(mean, cv, x):
        if cv == 0:
            return mean
        s2 = math.log(1 + cv * cv)
        return math.exp(math.log(mean) - s2 / 2 + math.sqrt(s2) * x)

    length, lag, arrive = {}, {}, {}
    for i, pid in enumerate(patients):
        arrive[pid] = None
    for a in planned:
        key = (a["patient"], a["step"])
        s = steps[key]
        d = layout.steps[layout.index[a["patient"]]][a["step"]]
        cv = cvs.get(a["step"], cvs["default"])
        length[key] = lognormal(s["duration"] + patients[a["patient"]].get("extra", {}).get(a["step"], 0), cv, z[d.z])
        for j, l in enumerate(s.get("after", [])):
            lag[(key, l["step"])] = l.get("min", 0) * lognormal(1, cv / 2, z[d.lags[j][4]])
        if arrive[a["patient"]] is None:
            sd = u_block["punctuality_sd"]
            offset = min(30, max(-15, sd * z[layout.punctuality_z[layout.index[a["patient"]]]]))
            arrive[a["patient"]] = hm(a["start"]) + offset
    ran = [a for a in planned if came[a["patient"]]]
    start = {(a["patient"], a["step"]): hm(a["start"]) for a in ran}
    for _ in range(10 * len(ran)):
        before = dict(start)
        end = {k: start[k] + length[k] for k in start}
        for n, a in enumerate(ran):
            key = (a["patient"], a["step"])
            mine = [b for b in ran[:n] if b["patient"] == a["patient"]]
            ready = [hm(inst["window"]["start"])]
            if mine:
                ready.append(end[(mine[-1]["patient"], mine[-1]["step"])])
            else:
                ready.append(arrive[a["patient"]])
            for l in steps[key].get("after", []):
                ready.append(end[(a["patient"], l["step"])] + lag[(key, l["step"])])
            for r in a["resources"]:
                earlier = [b for b in ran[:n] if r in b["resources"]]
                if earlier:
                    ready.append(end[(earlier[-1]["patient"], earlier[-1]["step"])])
                else:
                    ready.append(min(hm(x[0]) for x in next(q for q in inst["resources"] if q["id"] == r)["available"]))
            start[key] = max(ready)
        if start == before:
            break
    return {k: (start[k], start[k] + length[k]) for k in start}


def test_the_run_agrees_with_an_independent_reading_of_the_rules():
    inst = fixture("uncertain/u-standard-20")
    inst["uncertainty"]["duration_cv"] = {"default": 0.3, "core": 0.5, "histology": 0.2}
    problem = problem_from_json(inst)
    result = solve(problem, time_limit=2, seed=0)
    plan = plan_to_json(result)
    layout = Layout(problem)
    for run_seed, (starts, ends, _, _) in zip(run_seeds(11, 15), runs_of(problem, result, run_seeds(11, 15))):
        z, u = layout.draw(random.Random(run_seed))
        expected = spec_run(inst, plan, z, u, layout)
        got = {k: (starts[k], ends[k]) for k in starts if starts[k] is not None}
        assert got.keys() == expected.keys()
        for k in got:
            assert got[k] == pytest.approx(expected[k], abs=1e-6), k


# --------------------------------------------------------------------------- the plan's risk

def test_an_uncertain_morning_gets_a_plan_with_its_risk_reproducible_with_the_seed():
    problem = u20()
    result = solve(problem, time_limit=2, seed=3)
    plan = plan_to_json(result)
    assert set(plan["risk"]) == {"runs", "answered_expected", "priority_answered_expected", "overtime_p90",
                                 "overtime_mean"}
    assert plan["risk"]["runs"] == 400
    assert plan["risk"] == risk(problem, result, runs=400, seed=3)        # the engine's own runs, seed 3
    assert risk(problem, result, runs=400, seed=4) != plan["risk"]
    assert 0 < plan["risk"]["answered_expected"] <= plan["risk"]["priority_answered_expected"]
    assert check_plan(fixture("uncertain/u-standard-20"), plan) == []


def test_the_risk_is_honest_to_five_percent_of_a_longer_simulation_with_another_seed():
    problem = u20()
    result = solve(problem, time_limit=2, seed=0)
    longer = simulate_static(problem, result, runs=4000, seed=987654)
    assert result.risk.answered_expected == pytest.approx(longer.answered_expected, rel=0.05)
    assert result.risk.priority_answered_expected == pytest.approx(longer.priority_answered_expected, rel=0.05)
    assert result.risk.overtime_mean == pytest.approx(longer.overtime_mean, rel=0.10, abs=1)


def test_without_uncertainty_the_plan_has_no_risk_and_with_only_no_shows_it_is_the_same():
    inst = fixture("small-8")
    plain = solve(inst, time_limit=2, seed=0)
    # No variation of durations or arrivals: the deterministic plan is planned (a no-show never
    # makes the static run later); varying durations are planned for in tests/scheduler/test_robust.py.
    inst["uncertainty"] = {"duration_cv": 0, "no_show": 0.1, "overtime_p90": 10}
    uncertain = solve(inst, time_limit=2, seed=0)
    assert "risk" not in plan_to_json(plain) and plain.risk is None
    assert uncertain.risk is not None
    assert (plain.status, plain.objective, plain.assignments) == (uncertain.status, uncertain.objective,
                                                                 uncertain.assignments)

"""One small morning per rule of `mammapoli-morning/1`, with the exact plan or objective.

Every plan is also checked by the independent validator (`engine_helpers.run`).
"""

from __future__ import annotations

from engine_helpers import morning, patient, res, run, step, steps_of, unscheduled

ONE_STEP = {"p": {"steps": [step("a", 30, "doctor")]}}


def test_capacity_one_per_resource():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1"), patient("P2")])
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    spans = sorted((a["start"], a["end"]) for a in plan["assignments"])
    assert spans == [("08:00", "08:30"), ("08:30", "09:00")]
    assert plan["objective"] == {"scheduled": 2, "priority_scheduled": 2, "total_stay": 60,
                                 "lower_bound_total_stay": 60}


def test_capacity_decides_who_is_seen_by_priority():
    inst = morning([res("D", "doctor")], ONE_STEP,
                   [patient("P1"), patient("P2", priority=2)], window=("08:00", "08:50"))
    inst["resources"][0]["available"] = [["08:00", "08:50"]]
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert steps_of(plan, "P2") == {"a": ("08:00", "08:30", ["D"])}
    assert plan["objective"]["scheduled"] == 1 and plan["objective"]["priority_scheduled"] == 2
    assert unscheduled(plan)["P1"] == "doctor D is busy 08:00-08:30; the earliest 'a' would end 09:00, after the window"


def test_availability_break():
    inst = morning([res("D", "doctor", ("08:00", "08:20"), ("08:40", "09:10"))], ONE_STEP,
                   [patient("P1")], window=("08:00", "09:10"))
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:40", "09:10", ["D"])}


def test_touching_available_intervals_cannot_be_spanned():
    inst = morning([res("D", "doctor", ("08:00", "08:20"), ("08:20", "10:00"))], ONE_STEP,
                   [patient("P1", latest="08:50")])
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:20", "08:50", ["D"])}


def test_one_resource_per_needed_kind_and_a_kind_needed_twice():
    pathways = {"p": {"steps": [step("a", 20, "nurse", "room", "nurse")]}}
    resources = [res("N1", "nurse", ("09:00", "10:00")), res("N2", "nurse"), res("N3", "nurse"),
                 res("R", "room")]
    inst = morning(resources, pathways, [patient("P1", latest="08:20")])
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:00", "08:20", ["N2", "R", "N3"])}


def test_a_kind_needed_twice_with_one_resource_cannot_be_seen():
    pathways = {"p": {"steps": [step("a", 20, "nurse", "nurse")]}}
    inst = morning([res("N1", "nurse")], pathways, [patient("P1")])
    result, plan = run(inst)
    assert plan["objective"]["scheduled"] == 0
    assert unscheduled(plan)["P1"] == "step 'a' needs 2 nurses and the clinic has 1 this morning"


def test_precedence_min_lag():
    pathways = {"p": {"steps": [step("a", 10, "doctor"),
                                step("b", 10, "scanner", after=[{"step": "a", "min": 30}])]}}
    inst = morning([res("D", "doctor"), res("S", "scanner")], pathways, [patient("P1", latest="08:50")])
    result, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:00", "08:10", ["D"]), "b": ("08:40", "08:50", ["S"])}
    assert plan["objective"]["total_stay"] == 50 and result.status.value == "OPTIMAL"


def test_precedence_max_lag_can_rule_a_patient_out():
    def inst(max_lag):
        lag = {"step": "a"} if max_lag is None else {"step": "a", "max": max_lag}
        pathways = {"p": {"steps": [step("a", 10, "doctor"), step("b", 10, "scanner", after=[lag])]}}
        return morning([res("D", "doctor", ("08:00", "08:30")), res("S", "scanner", ("09:00", "10:00"))],
                       pathways, [patient("P1")])

    _, plan = run(inst(None))
    assert steps_of(plan, "P1") == {"a": ("08:20", "08:30", ["D"]), "b": ("09:00", "09:10", ["S"])}
    _, plan = run(inst(20))
    assert plan["objective"]["scheduled"] == 0
    assert unscheduled(plan)["P1"] == ("'b' cannot start before 09:00 and must start within 20 min after 'a' "
                                       "ends; doctor D is not available after 08:30")


def test_precedence_max_lag_pulls_the_earlier_step_later():
    pathways = {"p": {"steps": [step("a", 10, "doctor"),
                                step("b", 10, "scanner", after=[{"step": "a", "max": 10}])]}}
    inst = morning([res("D", "doctor"), res("S", "scanner", ("08:40", "10:00"))], pathways,
                   [patient("P1", earliest="08:00", latest="08:55")])
    _, plan = run(inst)
    a, b = steps_of(plan, "P1")["a"], steps_of(plan, "P1")["b"]
    assert b == ("08:40", "08:50", ["S"]) and a == ("08:30", "08:40", ["D"])


def test_same_resource_as():
    pathways = {"p": {"steps": [
        step("exam", 15, "doctor"),
        step("result", 15, "doctor", after=[{"step": "exam", "min": 30}], same_as={"doctor": "exam"})]}}
    inst = morning([res("D1", "doctor", ("08:00", "08:30")), res("D2", "doctor")], pathways,
                   [patient("P1", latest="09:00")])
    result, plan = run(inst)
    assert steps_of(plan, "P1") == {"exam": ("08:00", "08:15", ["D2"]), "result": ("08:45", "09:00", ["D2"])}


def test_same_resource_as_with_a_kind_needed_twice_shares_one():
    pathways = {"p": {"steps": [
        step("a", 10, "nurse"),
        step("b", 10, "nurse", "nurse", after=[{"step": "a"}], same_as={"nurse": "a"})]}}
    inst = morning([res("N1", "nurse"), res("N2", "nurse", ("08:10", "10:00")), res("N3", "nurse")],
                   pathways, [patient("P1", latest="08:20")])
    _, plan = run(inst)
    steps = steps_of(plan, "P1")
    assert steps["a"][:2] == ("08:00", "08:10") and steps["b"][:2] == ("08:10", "08:20")
    assert steps["a"][2][0] in steps["b"][2] and len(set(steps["b"][2])) == 2


def test_patient_in_one_step_at_a_time():
    pathways = {"p": {"steps": [step("x", 20, "doctor"), step("y", 20, "scanner")]}}  # no order
    inst = morning([res("D", "doctor"), res("S", "scanner")], pathways, [patient("P1")])
    result, plan = run(inst)
    x, y = steps_of(plan, "P1")["x"], steps_of(plan, "P1")["y"]
    assert x[1] <= y[0] or y[1] <= x[0]
    assert plan["objective"]["total_stay"] == 40 and plan["objective"]["lower_bound_total_stay"] == 40
    assert result.status.value == "OPTIMAL"


def test_earliest():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1", earliest="09:00")], window=("08:00", "09:30"))
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("09:00", "09:30", ["D"])}


def test_latest():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1"), patient("P2", latest="08:30")],
                   window=("08:00", "09:00"))
    _, plan = run(inst)
    assert steps_of(plan, "P2") == {"a": ("08:00", "08:30", ["D"])}
    assert steps_of(plan, "P1") == {"a": ("08:30", "09:00", ["D"])}


def test_window():
    pathways = {"p": {"steps": [step("a", 100, "doctor"), step("b", 30, "doctor", after=[{"step": "a"}])]}}
    inst = morning([res("D", "doctor")], pathways, [patient("P1")])
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL" and plan["objective"]["scheduled"] == 0
    assert unscheduled(plan)["P1"] == ("the pathway 'p' needs at least 130 min but only 08:00-10:00 is open "
                                       "(120 min)")


def test_fixed_step_is_kept_exempt_from_availability_and_nothing_starts_before_now():
    pathways = {"p": {"steps": [step("a", 20, "doctor"), step("b", 20, "doctor", after=[{"step": "a"}])]}}
    inst = morning([res("D", "doctor", ("08:20", "10:00"))], pathways, [patient("P1")],
                   fixed=[{"patient": "P1", "step": "a", "start": "08:00", "end": "08:30", "resources": ["D"]}],
                   now="08:40")
    result, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:00", "08:30", ["D"]), "b": ("08:40", "09:00", ["D"])}
    assert plan["objective"]["total_stay"] == 60 and plan["objective"]["lower_bound_total_stay"] == 60


def test_fixed_step_without_end_lasts_its_planned_duration_and_blocks_its_resource():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1", extra={"a": 10}), patient("P2")],
                   fixed=[{"patient": "P1", "step": "a", "start": "08:10", "resources": ["D"]}],
                   now="08:20", window=("08:00", "09:20"))
    _, plan = run(inst)
    assert steps_of(plan, "P1") == {"a": ("08:10", "08:50", ["D"])}
    assert steps_of(plan, "P2") == {"a": ("08:50", "09:20", ["D"])}


def test_fixed_steps_that_collide_are_infeasible():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1"), patient("P2")],
                   fixed=[{"patient": "P1", "step": "a", "start": "08:00", "resources": ["D"]},
                          {"patient": "P2", "step": "a", "start": "08:15", "resources": ["D"]}])
    result, plan = run(inst)
    assert plan["status"] == "INFEASIBLE" and plan["assignments"] == []
    assert plan["error"] == ("patients P1 and P2: fixed steps P1.a and P2.a both hold D at 08:15 "
                             "(capacity one per resource)")


def test_patient_with_fixed_steps_who_cannot_finish_is_infeasible():
    pathways = {"p": {"steps": [step("a", 20, "doctor"), step("b", 30, "doctor", after=[{"step": "a", "min": 60}])]}}
    inst = morning([res("D", "doctor")], pathways, [patient("P1")],
                   fixed=[{"patient": "P1", "step": "a", "start": "08:30", "resources": ["D"]}], now="08:50")
    result, plan = run(inst)
    assert plan["status"] == "INFEASIBLE" and plan["error"].startswith("patient P1")


def test_priority_before_stay():
    pathways = {"short": {"steps": [step("a", 10, "doctor")]}, "long": {"steps": [step("a", 40, "doctor")]}}
    inst = morning([res("D", "doctor")], pathways,
                   [patient("P1", "short"), patient("P2", "long", priority=2)], window=("08:00", "08:45"))
    _, plan = run(inst)
    assert plan["objective"] == {"scheduled": 1, "priority_scheduled": 2, "total_stay": 40,
                                 "lower_bound_total_stay": 40}


def test_total_stay_interleaves_patients_without_waiting():
    pathways = {"p": {"steps": [
        step("exam", 10, "doctor"),
        step("result", 10, "doctor", after=[{"step": "exam", "min": 20}], same_as={"doctor": "exam"})]}}
    inst = morning([res("D", "doctor")], pathways, [patient("P1"), patient("P2")], window=("08:00", "09:00"))
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert plan["objective"] == {"scheduled": 2, "priority_scheduled": 2, "total_stay": 80,
                                 "lower_bound_total_stay": 80}


def test_lower_bound_counts_waiting_that_nobody_can_avoid():
    pathways = {"p": {"steps": [step("a", 10, "doctor"), step("b", 10, "scanner", after=[{"step": "a"}])]}}
    inst = morning([res("D", "doctor", ("08:00", "08:10")), res("S", "scanner", ("09:00", "10:00"))],
                   pathways, [patient("P1")])
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert plan["objective"]["total_stay"] == 70 and plan["objective"]["lower_bound_total_stay"] == 70


def test_stability_keeps_the_published_arrivals():
    inst = morning([res("D", "doctor")], ONE_STEP, [patient("P1"), patient("P2")], window=("08:00", "09:00"),
                   reference=[{"patient": "P1", "step": "a", "start": "08:30", "end": "09:00", "resources": ["D"]},
                              {"patient": "P2", "step": "a", "start": "08:00", "end": "08:30", "resources": ["D"]}])
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert steps_of(plan, "P1") == {"a": ("08:30", "09:00", ["D"])}
    assert steps_of(plan, "P2") == {"a": ("08:00", "08:30", ["D"])}
    assert plan["stats"]["moved_patients"] == 0


def test_reason_names_the_resource_and_when_the_pathway_would_end():
    pathways = {"p": {"steps": [step("exam", 10, "surgeon"), step("histology", 60, "pathologist", after=[{"step": "exam"}])]}}
    inst = morning([res("S", "surgeon"), res("patho-A", "pathologist", ("08:30", "10:00"))], pathways,
                   [patient("P1", priority=2), patient("P2")], window=("08:00", "10:00"))
    _, plan = run(inst)
    assert unscheduled(plan) == {"P2": "pathologist patho-A is busy 08:30-09:30; the earliest 'histology' "
                                       "would end 10:30, after the window"}


def test_the_reason_carries_a_code_and_its_parameters_for_a_translation():
    pathways = {"p": {"steps": [step("exam", 10, "surgeon"), step("histology", 60, "pathologist", after=[{"step": "exam"}])]}}
    inst = morning([res("S", "surgeon"), res("patho-A", "pathologist", ("08:30", "10:00"))], pathways,
                   [patient("P1", priority=2), patient("P2")], window=("08:00", "10:00"))
    result, plan = run(inst)
    (dropped,) = result.unscheduled
    assert (dropped.code, dropped.params) == ("clauses", {"clauses": [
        {"code": "resource_busy", "params": {"kind": "pathologist", "resource": "patho-A", "start": "08:30",
                                             "end": "09:30"}},
        {"code": "ends_too_late", "params": {"step": "histology", "end": "10:30", "latest": None}}]})
    assert plan["unscheduled"] == [{"patient": "P2", "reason": dropped.reason}]  # the exchange format: words only


def test_a_reason_for_a_missing_kind_says_which_step_needs_it():
    pathways = {"p": {"steps": [step("exam", 10, "surgeon"), step("us", 10, "radiologist", after=[{"step": "exam"}])]}}
    inst = morning([res("S", "surgeon")], pathways, [patient("P1")], window=("08:00", "10:00"))
    result, _ = run(inst)
    assert [(u.code, u.params) for u in result.unscheduled] == [("kind_missing", {"step": "us", "kind": "radiologist"})]


def test_proven_optimum_above_the_simple_bound_is_reported_as_the_bound():
    # One doctor for the first and last step of both patients: one of them must wait.
    pathways = {"p": {"steps": [step("a", 20, "doctor"), step("b", 10, "scanner", after=[{"step": "a"}]),
                                step("c", 20, "doctor", after=[{"step": "b"}])]}}
    inst = morning([res("D", "doctor"), res("S", "scanner")], pathways, [patient("P1"), patient("P2")],
                   window=("08:00", "09:20"))
    result, plan = run(inst)
    assert result.status.value == "OPTIMAL"
    assert plan["objective"] == {"scheduled": 2, "priority_scheduled": 2, "total_stay": 120,
                                 "lower_bound_total_stay": 120}


def test_patients_with_fixed_steps_who_cannot_all_finish_are_infeasible():
    pathways = {"p": {"steps": [step("a", 20, "scanner"), step("b", 30, "doctor", after=[{"step": "a"}])]}}
    inst = morning([res("S1", "scanner"), res("S2", "scanner"), res("D", "doctor", ("08:20", "09:00"))], pathways,
                   [patient("P1"), patient("P2")], window=("08:00", "09:00"), now="08:10",
                   fixed=[{"patient": "P1", "step": "a", "start": "08:00", "resources": ["S1"]},
                          {"patient": "P2", "step": "a", "start": "08:00", "resources": ["S2"]}])
    result, plan = run(inst)
    assert plan["status"] == "INFEASIBLE"
    assert plan["error"] == ("patients P1, P2: their fixed steps cannot all be kept together with the steps "
                             "they still need (capacity one per resource)")


def test_a_pathway_too_long_for_her_time_has_its_own_code():
    pathways = {"p": {"steps": [step("exam", 30, "surgeon"), step("us", 30, "radiologist", after=[{"step": "exam"}])]}}
    inst = morning([res("S", "surgeon"), res("R", "radiologist")], pathways, [patient("P1", latest="08:45")],
                   window=("08:00", "10:00"))
    result, _ = run(inst)
    (left_out,) = result.unscheduled
    assert (left_out.code, left_out.params) == ("pathway_too_long", {
        "pathway": "p", "needed": "60", "start": "08:00", "end": "08:45", "open": "45"})

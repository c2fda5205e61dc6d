"""`scheduler.record_conflict`: may a step be recorded as started? One morning, one rule each,
with the exact code and params (and the first conflict `solve` reports kept in its words)."""

from __future__ import annotations

from engine_helpers import morning, patient, res, step

from scheduler import problem_from_json, record_conflict, solve

PATHWAYS = {"p": {"steps": [
    step("exam", 15, "doctor", "room"),
    step("us", 15, "rad", "echo", after=[{"step": "exam"}]),
    step("result", 10, "doctor", "room", after=[{"step": "us", "min": 10, "max": 60}], same_as={"doctor": "exam"}),
]}}
RESOURCES = [res("D1", "doctor"), res("D2", "doctor"), res("R1", "room"), res("R2", "room"), res("X", "rad"),
             res("E", "echo")]


def problem(*fixed: tuple[str, str, str, list[str], str | None], latest: str | None = None, now: str | None = None):
    patients = [patient("P1", **({"latest": latest} if latest else {})), patient("P2")]
    extra = {"now": now} if now else {}
    return problem_from_json(morning([dict(r) for r in RESOURCES], PATHWAYS, patients, window=("08:00", "12:00"),
                                     fixed=[{"patient": p, "step": s, "start": a, "resources": r,
                                             **({"end": b} if b else {})} for p, s, a, r, b in fixed], **extra))


def at(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def conflict(prob, patient_id, step_id, start, resources):
    reason = record_conflict(prob, patient_id, step_id, at(start), resources)
    return None if reason is None else (reason.code, reason.params)


def test_a_step_that_keeps_every_rule_has_no_conflict():
    prob = problem(("P1", "exam", "08:00", ["D1", "R1"], "08:15"))
    assert conflict(prob, "P1", "us", "08:20", ["X", "E"]) is None


def test_the_patient_is_still_in_a_step_under_way_even_past_its_planned_length():
    prob = problem(("P1", "exam", "08:00", ["D1", "R1"], None))
    assert conflict(prob, "P1", "us", "09:00", ["X", "E"]) == (
        "fixed_overlap", {"patient": "P1", "step": "us", "other": "exam", "at": "09:00"})


def test_a_predecessor_that_has_not_happened():
    assert conflict(problem(), "P1", "us", "08:30", ["X", "E"]) == (
        "fixed_before_open", {"patient": "P1", "step": "us", "before": "exam", "at": "08:30"})


def test_the_lags_after_the_predecessors_actual_end():
    prob = problem(("P1", "exam", "08:00", ["D1", "R1"], "08:15"), ("P1", "us", "08:15", ["X", "E"], "08:30"))
    assert conflict(prob, "P1", "result", "08:35", ["D1", "R2"]) == (
        "fixed_min_lag", {"patient": "P1", "step": "result", "before": "us", "gap": 5, "minutes": 10, "end": "08:30"})
    assert conflict(prob, "P1", "result", "09:31", ["D1", "R2"]) == (
        "fixed_max_lag", {"patient": "P1", "step": "result", "before": "us", "gap": 61, "minutes": 60,
                          "end": "08:30"})
    assert conflict(prob, "P1", "result", "08:40", ["D1", "R2"]) is None


def test_the_same_doctor_who_did_the_exam():
    prob = problem(("P1", "exam", "08:00", ["D1", "R1"], "08:15"), ("P1", "us", "08:15", ["X", "E"], "08:30"))
    assert conflict(prob, "P1", "result", "08:40", ["D2", "R2"]) == (
        "fixed_same_as", {"patient": "P1", "step": "result", "other": "exam", "kind": "doctor", "resource": "D1"})


def test_a_resource_with_another_patient_told_from_the_new_steps_side():
    prob = problem(("P2", "exam", "08:00", ["D1", "R1"], None))
    assert conflict(prob, "P1", "exam", "08:05", ["D1", "R2"]) == (
        "fixed_capacity", {"patient": "P1", "step": "exam", "other_patient": "P2", "other": "exam",
                           "resource": "D1", "at": "08:05", "since": "08:00"})
    # Both started at the same minute: the new one sorts first, and is still told from her side.
    assert conflict(prob, "P1", "exam", "08:00", ["D2", "R1"]) == (
        "fixed_capacity", {"patient": "P1", "step": "exam", "other_patient": "P2", "other": "exam",
                           "resource": "R1", "at": "08:00", "since": "08:00"})


def test_another_patients_conflict_is_not_hers():
    prob = problem(("P2", "exam", "08:00", ["D1", "R1"], "08:15"), ("P2", "us", "08:10", ["X", "E"], "08:25"))
    assert conflict(prob, "P1", "exam", "08:30", ["D2", "R2"]) is None


def test_a_start_past_her_latest_time_is_recorded_the_re_plan_says_what_no_longer_fits():
    # What happened happened: only the pathway's own rules refuse it (RECORDING_RULES).
    assert conflict(problem(latest="09:00"), "P1", "exam", "09:00", ["D1", "R1"]) is None
    assert conflict(problem(latest="08:40"), "P1", "exam", "08:00", ["D1", "R1"]) is None
    prob = problem(("P1", "exam", "09:00", ["D1", "R1"], None), latest="09:00", now="09:05")
    assert solve(prob, time_limit=1, workers=1).status.value == "INFEASIBLE"   # the re-plan names it


def test_solve_reports_the_first_conflict_in_the_same_words_with_its_code():
    prob = problem(("P1", "exam", "08:00", ["D1", "R1"], None), ("P2", "exam", "08:05", ["D1", "R2"], None),
                   now="08:10")
    result = solve(prob, time_limit=1, workers=1)
    assert result.status.value == "INFEASIBLE"
    assert result.error == ("patients P1 and P2: fixed steps P1.exam and P2.exam both hold D1 at 08:05 "
                            "(capacity one per resource)")
    assert (result.error.code, result.error.params["resource"]) == ("fixed_capacity", "D1")

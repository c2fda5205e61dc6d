"""Why a patient cannot be seen, in the reader's language, from the engine's code and
parameters; the clinic's names for steps and kinds; the engine's words where it gave no code."""

import pytest
from django.utils import translation

from mammapoli.clinics.names import ClinicNames
from mammapoli.planning.display import phase_label, solver_status_label
from mammapoli.planning.reasons import TEMPLATES, reason_text

NAMES = ClinicNames(steps={("fna", "result"): "uitslaggesprek", ("fna", "cytology"): "cytologie"},
                    kinds={"pathologist": "patholoog"})
COMPOSED = {"clauses": [
    {"code": "resource_busy", "params": {"kind": "pathologist", "resource": "patho-A", "start": "10:40", "end": "12:30"}},
    {"code": "ends_too_late", "params": {"step": "result", "end": "13:05", "latest": None}}]}


def test_a_composed_reason_reads_in_dutch_with_the_clinics_names():
    with translation.override("nl"):
        assert reason_text("clauses", COMPOSED, names=NAMES, pathway="fna") == (
            "patholoog patho-A is bezet 10:40–12:30; uitslaggesprek zou op zijn vroegst om 13:05 klaar zijn, "
            "na het einde van de ochtend")


def test_and_in_english_with_the_english_names():
    english = ClinicNames(steps={("fna", "result"): "result consult"}, kinds={"pathologist": "pathologist"})
    with translation.override("en"):
        assert reason_text("clauses", COMPOSED, names=english, pathway="fna") == (
            "pathologist patho-A is busy 10:40–12:30; result consult would end at 13:05 at the earliest, after the "
            "end of the morning")


def test_her_latest_time_is_said_when_she_has_one():
    with translation.override("nl"):
        assert reason_text("ends_too_late", {"step": "cytology", "end": "12:10", "latest": "12:00"}, names=NAMES,
                           pathway="fna") == "cytologie zou op zijn vroegst om 12:10 klaar zijn, na haar uiterste tijd 12:00"


@pytest.mark.parametrize("code", ["unknown_code", ""])
def test_an_unknown_code_gives_no_text_so_the_engines_words_are_shown(code):
    assert reason_text(code, {}, names=NAMES) is None
    assert reason_text("clauses", {"clauses": [{"code": code, "params": {}}]}, names=NAMES) is None


def test_parameters_of_another_engine_version_give_no_text_rather_than_an_error():
    assert reason_text("resource_busy", {"kind": "pathologist"}, names=NAMES) is None


def test_every_code_the_engine_documents_has_a_template():
    import re

    import scheduler.reasons

    documented = set(re.findall(r"`([a-z_]+)`", scheduler.reasons.__doc__)) - {"clauses", "same_as", "Reason",
                                                                               "latest", "_after"}
    documented |= {f"every_{w}_after" for w in ("busy", "away", "busy_or_away")}
    assert documented <= set(TEMPLATES)


def test_every_code_the_uncertainty_aware_plan_gives_has_a_template():
    import re

    import scheduler.robust

    given = set(re.findall(r"`([a-z_]+)`", scheduler.robust._safety_reasons.__doc__)) & {
        "overtime_risk", "expected_answered", "overtime_room"}
    assert given == {"overtime_risk", "expected_answered", "overtime_room"}
    assert given <= set(TEMPLATES)


@pytest.mark.parametrize(("code", "params", "dutch"), [
    ("overtime_risk", {"overtime_p90": 14, "limit": 10},
     "niet ingepland om de ochtend veilig te houden: met haar loopt 1 op de 10 ochtenden zoals deze 14 min of meer "
     "uit (de grens van de kliniek is 10 min)"),
    ("expected_answered", {"with": 17.2, "without": 17.9},
     "niet ingepland om de ochtend veilig te houden: met haar hebben op een gemiddelde ochtend minder patiënten hun "
     "uitslag aan het eind van de ochtend (verwachte prioriteit met uitslag 17.2 in plaats van 17.9)"),
    ("overtime_room", {"limit": 15},
     "niet ingepland om de ochtend veilig te houden: het plan houdt ruimte voor stappen die uitlopen (de "
     "uitloopgrens van de kliniek is 15 min), en in die ruimte had zij gepast"),
    ("overtime_room", {"limit": None},
     "niet ingepland om de ochtend veilig te houden: het plan houdt ruimte voor stappen die uitlopen, en in die "
     "ruimte had zij gepast"),
])
def test_a_patient_left_out_to_keep_the_morning_safe_is_told_in_dutch(code, params, dutch):
    with translation.override("nl"):
        assert reason_text(code, params, names=NAMES) == dutch


@pytest.mark.parametrize(("phase", "dutch"), [
    ("first come, first served", "op volgorde van binnenkomst"), ("heuristic", "snelle eerste planning"),
    ("stay (LNS)", "verblijfsduur (lokaal zoeken)"), ("priority (full model)", "patiënten gezien (volledig model)"),
    ("stay (LNS) + polish", "verblijfsduur (lokaal zoeken, bijschaven)"), ("something new", "verbetering"),
])
def test_the_search_phases_in_dutch(phase, dutch):
    with translation.override("nl"):
        assert phase_label(phase) == dutch


def test_the_solver_status_in_dutch():
    with translation.override("nl"):
        assert (solver_status_label("OPTIMAL"), solver_status_label("FEASIBLE")) == (
            "bewezen optimaal", "geldig, niet bewezen optimaal")


def test_a_start_refusal_names_another_patients_step_in_her_own_pathway():
    names = ClinicNames(steps={("fna", "exam"): "onderzoek", ("us", "exam"): "lichamelijk onderzoek",
                               ("us", "us"): "echo"})
    params = {"patient": "P1", "step": "exam", "other_patient": "P2", "other": "exam", "resource": "chir-A",
              "at": "08:05", "since": "08:00"}
    with translation.override("nl"):
        assert reason_text("fixed_capacity", params, names=names, pathway="fna", other_pathway="us") == (
            "capaciteit chir-A is bezig met P2 (lichamelijk onderzoek, sinds 08:00)")
        assert reason_text("fixed_before_open", {"patient": "P1", "step": "us", "before": "exam", "at": "08:05"},
                           names=names, pathway="us") == "stap lichamelijk onderzoek moet klaar zijn voordat echo begint"

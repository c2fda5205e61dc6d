"""The triple-assessment scales and the concordance rules: one test per mapping and per rule."""

import pytest
from django.utils import translation

from mammapoli.records import scoring
from mammapoli.records.scoring import BadgeState, Components, Scores, concordance


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- the scales map to a common suspicion level --------------------------------------------


@pytest.mark.parametrize(("score", "level"), [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (None, None), (0, None), (6, None)])
def test_p_score_is_its_own_level(score, level):
    assert scoring.p_level(score) == level


@pytest.mark.parametrize(("score", "level"), [(0, None), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 5), (7, None)])
def test_birads_0_is_incomplete_and_6_is_malignant(score, level):
    assert scoring.birads_level(score) == level


@pytest.mark.parametrize("level_of", [scoring.m_level, scoring.u_level])
def test_m_and_u_scores_are_their_own_level(level_of):
    assert [level_of(score) for score in (1, 2, 3, 4, 5, 0, 6, None)] == [1, 2, 3, 4, 5, None, None, None]


def test_c1_is_not_diagnostic_and_c2_to_c5_are_their_own_level():
    assert [scoring.c_level(score) for score in (1, 2, 3, 4, 5, None)] == [None, 2, 3, 4, 5, None]


def test_b1_is_not_diagnostic_and_every_b5_is_malignant():
    assert {score: scoring.b_level(score) for score in scoring.BScore.values} == {
        "B1": None, "B2": 2, "B3": 3, "B4": 4, "B5a": 5, "B5b": 5, "B5c": 5}


def test_a_component_counts_with_its_worst_score():
    imaging = scoring.imaging_component(Scores(birads=3, m_score=2, u_score=4))
    assert (imaging.level, imaging.label) == (4, "U4")
    tie = scoring.imaging_component(Scores(birads=4, u_score=4))
    assert (tie.level, tie.label) == (4, "BI-RADS 4, U4")
    pathology = scoring.pathology_component(Scores(c_score=2, b_score="B5b"))
    assert (pathology.level, pathology.label) == (5, "B5b")


def test_a_non_diagnostic_score_beside_a_diagnostic_one_is_ignored():
    pathology = scoring.pathology_component(Scores(c_score=1, b_score="B2"))
    assert (pathology.level, pathology.non_diagnostic, pathology.benign) == (2, False, True)
    only_c1 = scoring.pathology_component(Scores(c_score=1))
    assert (only_c1.level, only_c1.non_diagnostic, only_c1.entered) == (None, True, True)
    nothing = scoring.pathology_component(Scores())
    assert (nothing.level, nothing.non_diagnostic, nothing.entered) == (None, False, False)


# --- positive -------------------------------------------------------------------------------


def rule(function, **scores):
    return function(Components.of(Scores(**scores)))


@pytest.mark.parametrize(("p_score", "fires"), [(1, False), (2, False), (3, True), (4, True), (5, True)])
def test_positive_clinical_at_p3_or_worse(p_score, fires):
    assert bool(rule(scoring.positive_clinical, p_score=p_score)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"birads": 2}, False), ({"birads": 3}, True), ({"birads": 0}, False), ({"birads": 6}, True),
    ({"m_score": 2, "u_score": 3}, True), ({"m_score": 2, "u_score": 2}, False),
])
def test_positive_imaging_at_level_3_or_worse(scores, fires):
    assert bool(rule(scoring.positive_imaging, **scores)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"c_score": 2}, False), ({"c_score": 3}, True), ({"c_score": 1}, False),
    ({"b_score": "B2"}, False), ({"b_score": "B3"}, True), ({"b_score": "B5a"}, True), ({"b_score": "B1"}, False),
])
def test_positive_pathology_at_level_3_or_worse(scores, fires):
    assert bool(rule(scoring.positive_pathology, **scores)) is fires


def test_positive_reasons_name_the_score():
    assert rule(scoring.positive_clinical, p_score=4) == "Positive: clinical examination P4 is 3 or worse."
    assert rule(scoring.positive_imaging, birads=4, u_score=5) == "Positive: imaging U5 is 3 or worse."
    assert rule(scoring.positive_pathology, c_score=3) == "Positive: pathology C3 is 3 or worse."


# --- discordant: one test per rule, with the cases either side of its edge ------------------


@pytest.mark.parametrize(("scores", "fires"), [
    ({"birads": 4, "b_score": "B2"}, True),
    ({"u_score": 5, "c_score": 2}, True),
    ({"m_score": 4, "b_score": "B2"}, True),
    ({"birads": 3, "b_score": "B2"}, False),  # indeterminate imaging disagrees with nothing
    ({"birads": 5, "b_score": "B3"}, False),  # B3 is not benign
    ({"birads": 5, "b_score": "B5b"}, False),  # concordant malignant
    ({"birads": 5}, False),  # no pathology yet
])
def test_suspicious_imaging_with_benign_pathology(scores, fires):
    assert bool(rule(scoring.discordant_suspicious_imaging_benign_pathology, **scores)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"p_score": 4, "c_score": 2}, True),
    ({"p_score": 5, "b_score": "B2"}, True),
    ({"p_score": 3, "b_score": "B2"}, False),
    ({"p_score": 5, "b_score": "B4"}, False),
    ({"p_score": 5}, False),
])
def test_suspicious_clinical_with_benign_pathology(scores, fires):
    assert bool(rule(scoring.discordant_suspicious_clinical_benign_pathology, **scores)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"birads": 2, "b_score": "B5b"}, True),
    ({"birads": 1, "c_score": 5}, True),
    ({"u_score": 2, "b_score": "B4"}, True),  # suspicious pathology, benign imaging
    ({"birads": 3, "b_score": "B5a"}, False),
    ({"birads": 2, "b_score": "B3"}, False),
    ({"birads": 0, "b_score": "B5b"}, False),  # incomplete imaging is not benign imaging
    ({"b_score": "B5c"}, False),
])
def test_malignant_pathology_with_benign_imaging(scores, fires):
    assert bool(rule(scoring.discordant_malignant_pathology_benign_imaging, **scores)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"p_score": 4, "birads": 1}, True),
    ({"p_score": 5, "m_score": 2, "u_score": 2}, True),
    ({"p_score": 4, "birads": 3}, False),
    ({"p_score": 3, "birads": 1}, False),
    ({"p_score": 1, "birads": 5}, False),  # an impalpable lesion: not discordant
    ({"p_score": 2, "birads": 5}, False),
])
def test_suspicious_clinical_with_benign_imaging(scores, fires):
    assert bool(rule(scoring.discordant_suspicious_clinical_benign_imaging, **scores)) is fires


@pytest.mark.parametrize(("scores", "fires"), [
    ({"birads": 4, "c_score": 1}, True),
    ({"p_score": 5, "b_score": "B1"}, True),
    ({"birads": 3, "b_score": "B1"}, False),
    ({"birads": 5, "c_score": 1, "b_score": "B5b"}, False),  # the core sample is diagnostic
    ({"birads": 5}, False),
])
def test_non_diagnostic_pathology_with_suspicion(scores, fires):
    assert bool(rule(scoring.discordant_non_diagnostic_pathology, **scores)) is fires


def test_malignant_pathology_with_a_normal_clinical_examination_is_concordant():
    verdict = concordance(Scores(p_score=1, birads=5, b_score="B5b", biopsy_taken=True))
    assert (verdict.positive, verdict.discordant, verdict.state) == (True, False, BadgeState.POSITIVE)


# --- the verdict ----------------------------------------------------------------------------


def test_nothing_entered_is_pending_with_no_reasons():
    verdict = concordance(Scores())
    assert verdict.as_dict() == {"positive": False, "discordant": False, "reasons": []}
    assert verdict.state == BadgeState.PENDING


def test_benign_clinical_and_imaging_without_biopsy_is_negative():
    verdict = concordance(Scores(p_score=2, birads=2, m_score=1, u_score=2))
    assert verdict.as_dict() == {"positive": False, "discordant": False, "reasons": []}
    assert verdict.state == BadgeState.NEGATIVE


def test_positive_is_shown_at_once_and_called_concordant_only_when_complete():
    early = concordance(Scores(p_score=3))
    assert (early.state, early.state_label) == (BadgeState.POSITIVE, "positive, not complete yet")
    complete = concordance(Scores(p_score=3, birads=3))
    assert (complete.state, complete.state_label) == (BadgeState.POSITIVE, "positive, concordant")


def test_a_biopsy_without_result_keeps_the_verdict_pending():
    verdict = concordance(Scores(p_score=2, birads=2, biopsy_taken=True))
    assert verdict.state == BadgeState.PENDING
    assert verdict.reasons == ("Awaiting pathology: a biopsy was taken.",)
    assert concordance(Scores(p_score=2, birads=2, c_score=2, biopsy_taken=True)).state == BadgeState.NEGATIVE


def test_discordant_reasons_come_first_then_positive_then_notes():
    verdict = concordance(Scores(p_score=4, birads=0, u_score=5, b_score="B2", biopsy_taken=True))
    assert verdict.as_dict() == {"positive": True, "discordant": True, "reasons": [
        "Discordant: imaging U5 is suspicious but pathology B2 is benign.",
        "Discordant: clinical examination P4 is suspicious but pathology B2 is benign.",
        "Positive: clinical examination P4 is 3 or worse.",
        "Positive: imaging U5 is 3 or worse.",
    ]}
    assert verdict.state == BadgeState.DISCORDANT


def test_non_diagnostic_scores_are_noted():
    verdict = concordance(Scores(p_score=2, birads=0, c_score=1, biopsy_taken=True))
    assert verdict.reasons == ("Not counted: imaging BI-RADS 0 is incomplete.",
                               "Not counted: pathology C1 is not diagnostic.")
    assert (verdict.positive, verdict.discordant, verdict.state) == (False, False, BadgeState.PENDING)


def test_reasons_are_translated():
    with translation.override("nl"):
        reason = concordance(Scores(p_score=4)).reasons[0]
    assert reason != "Positive: clinical examination P4 is 3 or worse."
    assert "P4" in reason


def test_scores_are_read_from_the_sections_content():
    scores = Scores.from_contents({
        "clinical": {"p_score": 3}, "imaging": {"birads": 4, "m_score": 4, "u_score": 5, "biopsies": [{"type": "core"}]},
        "pathology": {"c_score": None, "b_score": "B5b"}, "conclusion": {"plan": "mdo"}})
    assert scores == Scores(p_score=3, birads=4, m_score=4, u_score=5, c_score=None, b_score="B5b", biopsy_taken=True)


def test_score_labels():
    assert scoring.score_label("birads", 0) == "BI-RADS 0 incomplete"
    assert scoring.score_label("b_score", "B5b") == "B5b malignant, invasive"
    assert scoring.score_label("p_score", 4) == "P4 suspicious"

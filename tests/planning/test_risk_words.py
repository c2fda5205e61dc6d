"""A plan's risk in plain words, Dutch first: exact sentences, plural forms, the clinic's limit."""

import pytest
from django.utils import translation

from mammapoli.planning.risk_words import risk_words


def risk(answered: float, p90: float) -> dict:
    return {"runs": 400, "answered_expected": answered, "priority_answered_expected": answered,
            "overtime_p90": p90, "overtime_mean": p90 / 3}


@pytest.mark.parametrize(("language", "figures", "expected"), [
    ("nl", (17.2, 12.4), "17 van de 18 hebben naar verwachting hun uitslag om 13:00; "
                         "1 op de 10 ochtenden zoals deze loopt meer dan 12 minuten uit"),
    ("en", (17.2, 12.4), "17 of 18 expected to have their answer by 13:00; "
                         "1 in 10 mornings like this runs more than 12 minutes over"),
    ("nl", (0.6, 1.0), "1 van de 18 heeft naar verwachting haar uitslag om 13:00; "
                       "1 op de 10 ochtenden zoals deze loopt meer dan 1 minuut uit"),
    ("en", (0.6, 1.0), "1 of 18 expected to have her answer by 13:00; "
                       "1 in 10 mornings like this runs more than 1 minute over"),
    ("nl", (16.5, 0.4), "17 van de 18 hebben naar verwachting hun uitslag om 13:00; "
                        "9 op de 10 ochtenden zoals deze zijn op tijd klaar"),
    ("en", (16.5, 0.0), "17 of 18 expected to have their answer by 13:00; 9 in 10 mornings like this end on time"),
])
def test_the_sentence(language, figures, expected):
    with translation.override(language):
        words = risk_words(risk(*figures), seen=18, end="13:00", limit=15)
    assert (words.sentence, words.over_limit, str(words)) == (expected, "", expected)


@pytest.mark.parametrize(("language", "limit", "expected"), [
    ("nl", 15, "Dat is meer dan de grens van de kliniek van 15 minuten."),
    ("en", 15, "That is more than the clinic's limit of 15 minutes."),
    ("nl", 1, "Dat is meer dan de grens van de kliniek van 1 minuut."),
    ("en", 1, "That is more than the clinic's limit of 1 minute."),
])
def test_over_the_clinics_limit_says_so(language, limit, expected):
    with translation.override(language):
        words = risk_words(risk(7.9, 21.6), seen=8, end="12:30", limit=limit)
    assert words.over_limit == expected
    over = {"nl": "1 op de 10 ochtenden zoals deze loopt meer dan 22 minuten uit",
            "en": "1 in 10 mornings like this runs more than 22 minutes over"}[language]
    assert str(words).endswith(f"; {over}. {expected}")


def test_at_the_limit_or_without_one_nothing_more_is_said():
    assert risk_words(risk(8, 15.2), seen=8, end="13:00", limit=15).over_limit == ""  # 15 minutes: at the limit
    assert risk_words(risk(8, 95), seen=8, end="13:00", limit=None).over_limit == ""


def test_never_more_answered_than_on_the_plan():
    assert risk_words(risk(8.0, 0), seen=8, end="13:00").sentence.startswith("8 of 8 expected")

"""Dutch pages: a detector of what a Dutch page must not show, and a demo morning that has a
bit of everything (a proposal with patients who cannot be seen, events on the board, a
signed section with an addendum, a benign conclusion with its reason, refused attempts).

`untranslated(text)` lists, in a page's visible text, the engine's codes of the demo clinic
(its steps, pathways and resource kinds), the engine's own words (statuses, phases) and
English sentences: any msgid of the catalogue of two words or more, and English words that
no Dutch sentence has.
"""

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.web.test_i18n import po_entries

ROOT = Path(__file__).resolve().parents[1]
CLINIC_ZONE = ZoneInfo("Europe/Amsterdam")

#: The demo clinic's codes (fixtures/demo_clinic.json, standard-20): never shown raw.
STEP_CODES = ("exam", "mammo", "us", "fna", "core", "cytology", "histology", "result")
PATHWAY_CODES = ("imaging", "ultrasound-only")
KIND_CODES = ("surgeon", "consult_room", "radiographer", "mammography_unit", "radiologist", "ultrasound_room",
              "pathologist", "nurse", "consult room", "ultrasound room", "mammography unit")
ENGINE_WORDS = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "first come, first served", "heuristic", "LNS", "full model")
#: English words that no Dutch sentence of ours contains (names and codes aside).
ENGLISH_WORDS = ("the", "and", "with", "which", "would", "cannot", "after", "before", "busy", "every", "step",
                 "steps", "morning", "patients", "this", "that", "from", "booked", "signed", "planned", "seen",
                 "available", "not", "has", "her", "she", "role", "does", "write", "read", "version", "search")
_CODE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(c) for c in STEP_CODES + PATHWAY_CODES + KIND_CODES)
                   + r")(?![\w-])")
_ENGINE = re.compile("|".join(re.escape(w) for w in ENGINE_WORDS))
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(ENGLISH_WORDS) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _english_sentences() -> tuple[str, ...]:
    """The catalogue's English texts of two words or more, without their placeholders."""
    entries = po_entries(ROOT / "mammapoli" / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    pieces = set()
    for msgid, msgstr in entries.items():
        for piece in re.split(r"%\(\w+\)[sd]|%\(\w+\)02d", msgid):
            piece = piece.strip(" .,:;()·—–-")
            if len(piece.split()) >= 2 and piece not in msgstr:
                pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


def untranslated(text: str) -> list[str]:
    """What in `text` (a Dutch page's visible text) is a raw code or English."""
    found = [f"code {m[0]!r}" for m in _CODE.finditer(text)]
    found += [f"engine {m[0]!r}" for m in _ENGINE.finditer(text)]
    found += [f"English {m[0]!r} in …{text[max(m.start() - 30, 0):m.end() + 30]}…" for m in _ENGLISH.finditer(text)]
    found += [f"English {piece!r}" for piece in _english_sentences() if piece in text]
    return found


def visible_text(html: str) -> str:
    """A page's text as a reader meets it: the words between the tags, option texts, and the
    title and placeholder attributes (hover texts); no scripts or styles."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?is)<!--.*?-->", " ", html)
    attributes = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    text = " ".join([text, *attributes])
    for entity, char in (("&nbsp;", " "), ("&amp;", "&"), ("&#x27;", "'"), ("&quot;", '"'), ("&lt;", "<"),
                         ("&gt;", ">"), ("&#39;", "'")):
        text = text.replace(entity, char)
    return " ".join(text.split())


def at(day: dt.date, clock: str) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=CLINIC_ZONE)


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def _now(call, **kwargs):
    """Run a service and the tasks it queues on commit (the suite runs inside a transaction
    that never commits): the plan job has run when this returns."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = call(**kwargs)
    if hasattr(result, "job"):
        result.job.refresh_from_db()
    elif hasattr(result, "job_id"):
        result.refresh_from_db()
    return result


def busy_demo_morning():
    """The demo clinic's morning (today, by the suite clock), planned and published; the
    pathologist is away all morning, so the biopsy patients cannot be seen (the re-plan is
    published and names them); the first imaging patient arrived and has had her exam; one
    patient did not come; P01's form has a signed pathology section with an addendum and a
    benign conclusion with its reason; a radiologist tried to write the clinical section."""
    import io

    from mammapoli.clinics.models import Resource
    from mammapoli.planning.models import Plan, PlanJobStatus, Visit
    from mammapoli.planning.services import events
    from mammapoli.planning.services.jobs import plan_job_start
    from mammapoli.planning.services.plans import plan_publish
    from mammapoli.records import services as form
    from mammapoli.records.errors import PatientDataForbidden

    call_command("load_demo", stdout=io.StringIO())
    planner = demo_user("planner")
    session = Visit.objects.get(code="P01").session
    job = _now(plan_job_start, user=planner, session=session, time_limit=2)
    plan_publish(user=planner, plan=Plan.objects.get(job=job))
    absence = _now(
        events.resource_unavailable_from, user=planner, session=session, resource=Resource.objects.get(code="patho-A"), at=at(session.date, "08:00"),
        reason="ziek")
    assert absence.job.status == PlanJobStatus.SUCCEEDED, absence.job.error
    plan_publish(user=planner, plan=Plan.objects.get(job=absence.job))
    first = (Visit.objects.filter(session=session, pathway__code="imaging", steps__planned_start__isnull=False)
             .order_by("steps__planned_start").first())
    exam = first.steps.get(step__code="exam")
    _now(events.visit_arrive, user=planner, visit=first, at=exam.planned_start - dt.timedelta(minutes=5))
    _now(events.step_start, user=planner, visit_step=exam, at=exam.planned_start)
    _now(events.step_finish, user=planner, visit_step=exam, at=exam.planned_end)
    later = Visit.objects.filter(session=session, status="booked").order_by("-code").first()
    _now(events.visit_no_show, user=planner, visit=later, at=at(session.date, "09:00"))

    p01 = Visit.objects.get(session=session, code="P01")
    surgeon, radiologist, pathologist = demo_user("surgeon"), demo_user("radiologist"), demo_user("pathologist")
    form.form_section_update(user=surgeon, visit_id=p01.pk, section="clinical", expected_version=0,
                             changes={"complaint": "Pijnlijke plek rechts.", "p_score": 2,
                                      "findings": {"left": [], "right": [{"quadrant": "upper_outer", "size_mm": 8}]}})
    form.form_section_update(user=radiologist, visit_id=p01.pk, section="imaging", expected_version=0,
                             changes={"u_score": 4, "birads": 4})
    form.form_section_update(user=pathologist, visit_id=p01.pk, section="pathology", expected_version=0,
                             changes={"specimens": ["core"], "b_score": "B2", "report": "Fibrose."})
    form.form_section_sign(user=pathologist, visit_id=p01.pk, section="pathology", expected_version=1)
    form.form_addendum_add(user=pathologist, visit_id=p01.pk, section="pathology", reason="Aanvulling na revisie.",
                           changes={"report": "Fibrose, geen atypie."}, expected_version=2)
    form.form_section_update(user=surgeon, visit_id=p01.pk, section="conclusion", expected_version=0,
                             changes={"outcome": "benign", "plan": "follow_up",
                                      "outcome_override": "Besproken in het MDO: beeld past bij fibrose."})
    try:  # refused, and logged: the radiologist does not write the clinical examination
        form.form_section_update(user=radiologist, visit_id=p01.pk, section="clinical", expected_version=1,
                                 changes={"complaint": "x"})
    except PatientDataForbidden:
        pass
    else:
        raise AssertionError("the radiologist wrote the clinical section")
    return session

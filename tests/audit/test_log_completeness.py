"""NEN 7513 completeness: every page and API operation (from the URL resolver), read as each
persona, leaves a log row for every patient whose data it shows, and exactly one refused row
for every refusal.

The walk needs no list of pages that "show patient data": a response shows a patient when it
holds her hospital number or her full name; then this request must have written a row for
her, or added a repeat to one. A new route fails the walk until its path parameters can be
filled (ARGUMENTS) or it is named as outside the log (NOT_PATIENT_DATA)."""

import datetime as dt
import html
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from mammapoli.audit.models import AccessEvent
from mammapoli.clinics.models import AvailabilityException
from mammapoli.letters.models import GpLetter
from mammapoli.planning.models import Visit
from mammapoli.planning.services.plans import plan_publish
from tests.factories import ReferralFactory
from tests.second_factor import VerifiedAPIClient
from tests.fhir.conftest import fill_form
from tests.planning.conftest import plan_now, small_morning  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

PERSONAS = ["surgeon", "radiologist", "pathologist", "nurse", "planner", "privacy_officer", "outsider"]

# Routes that never touch patient data, so are not walked for it (the log keeps no rows for them).
NOT_PATIENT_DATA = {
    "health-live", "health-ready", "set_language", "api-schema", "api-docs", "api-token", "login", "logout",
    "fhir-metadata",
}
SKIPPED_PREFIXES = ("admin/", "^static/")  # the superusers' admin (read-only log, own log); files


def routes() -> list[tuple[str, str | None]]:
    """(route, name) of every URL pattern, nested includes resolved."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), pattern.name))

    walk(get_resolver().url_patterns, "")
    return [(route, name) for route, name in found if not route.startswith(SKIPPED_PREFIXES)]


@pytest.fixture
def world(clinic, small_morning, plan_now, planner, surgeon, radiologist, pathologist,  # noqa: F811
          django_capture_on_commit_callbacks):
    """A morning of eight visits, planned and published, one visit's form written and signed
    (so it has a GP letter), an absence, a referral."""
    session = small_morning
    job = plan_now(session, user=planner)
    plan_publish(user=planner, plan=job.plan)
    visit = Visit.objects.filter(session=session).order_by("code").first()
    with django_capture_on_commit_callbacks(execute=True):
        fill_form(visit, surgeon=surgeon, radiologist=radiologist, pathologist=pathologist)
    letter = GpLetter.objects.get(visit=visit)
    resource = clinic.resources.get(code="rad-A")
    absence = AvailabilityException.objects.create(resource=resource, date=session.date, start=dt.time(9),
                                                   end=dt.time(9, 30), reason="called away")
    referral = ReferralFactory(clinic=clinic)  # not booked yet
    slot = f"{clinic.pk}-{session.date.isoformat()}"
    arguments = {
        "visit_id": visit.pk, "section": "clinical", "patient_id": visit.patient_id, "session_id": session.pk,
        "job_id": job.job_id, "plan_id": job.plan.pk,
        "resource_id": resource.pk, "absence_id": absence.pk, "letter_id": letter.pk,
        "referral_id": referral.pk,
    }
    fhir_ids = {"ServiceRequest": referral.pk, "Appointment": visit.pk, "Schedule": clinic.pk,
                "Slot": slot, "DiagnosticReport": visit.pk, "Observation": f"{visit.pk}-birads",
                "DocumentReference": letter.pk, "Composition": letter.pk, "Binary": letter.pk}
    patients = list(Visit.objects.filter(session=session).select_related("patient").order_by("code"))
    for number, each in enumerate(patients):  # names found nowhere else on a page (the import's are the codes)
        each.patient.given_name, each.patient.family_name = "Walkje", f"Zoekenaar-{number}"
        each.patient.save()
    shown = {v.patient_id: v.patient for v in patients} | {referral.patient_id: referral.patient}
    return {"arguments": arguments, "fhir": fhir_ids, "patients": shown}


def url_for(route: str, world) -> str | None:
    if route.startswith("fhir/") and "<str:resource_id>" in route:
        kind = route.split("/")[1]
        value = world["fhir"].get(kind)
        return None if value is None else "/" + route.replace("<str:resource_id>", str(value))
    missing = []

    def fill(match):
        value = world["arguments"].get(match[2])
        if value is None:
            missing.append(match[2])
        return str(value)

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return None if missing else url


def shown_patients(body: str, patients) -> set[int]:
    text = html.unescape(body)
    return {pk for pk, patient in patients.items()
            if patient.hospital_number and patient.hospital_number in text or patient.full_name in text}


def log_state() -> dict[int, int]:
    return dict(AccessEvent.objects.values_list("id", "count"))


def touched(before: dict[int, int]) -> list[AccessEvent]:
    """The rows this request wrote, or added a repeat to."""
    after = log_state()
    ids = [pk for pk, count in after.items() if before.get(pk) != count]
    return list(AccessEvent.objects.filter(pk__in=ids))


def client_as(user) -> VerifiedAPIClient:
    client = VerifiedAPIClient()  # logged in with the second factor passed
    client.force_login(user)
    return client


def test_every_read_of_patient_data_and_every_refusal_is_logged(request, world):
    unfilled = []
    problems = []
    walked = {"shown": 0, "refused": 0}
    for route, name in routes():
        if name in NOT_PATIENT_DATA:
            continue
        url = url_for(route, world)
        if url is None:
            unfilled.append(route)
            continue
        for persona in PERSONAS:
            user = request.getfixturevalue(persona)
            client = client_as(user)
            before = log_state()
            response = client.get(url, HTTP_ACCEPT="application/fhir+json" if url.startswith("/fhir") else "*/*")
            rows = touched(before)
            where = f"GET {url} as {persona} ({response.status_code})"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code in (403, 404):
                walked["refused"] += 1
                refused = [row for row in rows if row.outcome == "denied"]
                if len(refused) != 1:
                    problems.append(f"{where}: {len(refused)} refused rows, expected one")
                if any(row.outcome == "allowed" and row.patient_id for row in rows):
                    problems.append(f"{where}: a refusal logged as an allowed read")
            elif 200 <= response.status_code < 300:
                shown = shown_patients(body.decode("utf-8", "replace"), world["patients"])
                walked["shown"] += bool(shown)
                logged = {row.patient_id for row in rows if row.outcome == "allowed"}
                if missing := shown - logged:
                    problems.append(f"{where}: shows patients {sorted(missing)} without a log row")
                if [row for row in rows if row.outcome == "denied"]:
                    problems.append(f"{where}: answered 2xx but logged a refusal")
    assert problems == [], "\n".join(problems)
    assert unfilled == [], f"routes the walk cannot fill in (add them to `world`): {unfilled}"
    # The walk did read patient data and was refused: it cannot pass by walking nothing.
    assert walked["shown"] > 20 and walked["refused"] > 20, walked


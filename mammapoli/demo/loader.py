"""The demo clinic: `fixtures/demo_clinic.json` on top of the standard-20 morning, dated today.

Idempotent: loading it again updates what is there. Demo data only; the production
settings do not install this app.
"""

import base64
import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mammapoli.clinics.models import (
    ApplicationManager,
    Clinic,
    Pathway,
    PathwayStep,
    Resource,
    ResourceKind,
    StaffMember,
    WeeklyAvailability,
)
from mammapoli.planning.models import ClinicSession
from mammapoli.planning.morning_import import morning_import
from mammapoli.records.models import Patient, Referral

FIXTURES = settings.BASE_DIR / "fixtures"


def demo_definition(path: Path = FIXTURES / "demo_clinic.json") -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_demo(*, day: dt.date | None = None) -> ClinicSession:
    definition = demo_definition()
    day = day or timezone.localdate()
    instance = json.loads((FIXTURES / definition["instance"]).read_text(encoding="utf-8"))
    instance["date"] = day.isoformat()
    clinic, _created = Clinic.objects.get_or_create(name=slugify(definition["clinic"]["name"]))
    patients = {entry["id"]: _patient(clinic, entry) for entry in definition["patients"]}
    session = morning_import(data=instance, clinic_name=definition["clinic"]["name"], patients=patients)
    clinic = session.clinic
    clinic.title = definition["clinic"]["title"]
    clinic.save(update_fields=["title"])
    _same_hours_every_working_day(clinic, day)
    _names(clinic, definition["names"])
    for entry in definition["patients"]:
        referral = _referral(clinic, patients[entry["id"]], entry["referral"], day)
        session.visits.filter(code=entry["id"]).update(referral=referral)
    for entry in definition["users"]:
        _demo_authenticator(_user(clinic, entry, definition["password"]), definition["otp_secret"])
    return session


DEMO_AUTHENTICATOR = "demo authenticator"


def _demo_authenticator(user, secret_base32: str) -> TOTPDevice:
    """Every demo user comes enrolled in the second factor with the one documented demo secret
    (README): add it to an authenticator app, or ask `manage.py demo_otp_code` for the code."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_AUTHENTICATOR, defaults={"key": demo_otp_key(secret_base32), "confirmed": True})
    return device


def demo_otp_key(secret_base32: str) -> str:
    """The demo secret as django-otp keeps a key (hex)."""
    return base64.b32decode(secret_base32).hex()


def demo_otp_code(secret_base32: str) -> str:
    """The code an authenticator app with the demo secret shows now."""
    totp = TOTP(base64.b32decode(secret_base32))
    return f"{totp.token():06d}"


def _same_hours_every_working_day(clinic, day: dt.date) -> None:
    """The import gives the resources hours on the morning's weekday only; the demo clinic
    works every weekday like that, so referrals can be booked on the coming mornings."""
    for resource in Resource.objects.filter(clinic=clinic).prefetch_related("weekly_availability"):
        rows = list(resource.weekly_availability.all())
        hours = [(row.start, row.end) for row in rows if row.weekday == day.weekday()]
        have = {row.weekday for row in rows}
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(resource=resource, weekday=weekday, start=start, end=end)
            for weekday in range(5) if weekday not in have for start, end in hours)


def _names(clinic, names: dict) -> None:
    """The clinic's Dutch and English names of its resource kinds, pathways and steps."""
    for model, rows, key in ((ResourceKind, ResourceKind.objects.filter(clinic=clinic), "kinds"),
                             (Pathway, Pathway.objects.filter(clinic=clinic), "pathways"),
                             (PathwayStep, PathwayStep.objects.filter(pathway__clinic=clinic), "steps")):
        for row in rows:
            given = names[key].get(row.code)
            if given:
                shorter = {"short_name_nl": given["short_nl"], "short_name_en": given["short_en"]} \
                    if "short_nl" in given else {}
                model.objects.filter(pk=row.pk).update(name_nl=given["nl"], name_en=given["en"], **shorter)


def _patient(clinic: Clinic, entry: dict) -> Patient:
    patient, _ = Patient.objects.update_or_create(
        clinic=clinic, hospital_number=entry["hospital_number"],
        defaults={"given_name": entry["given_name"], "family_name": entry["family_name"],
                  "date_of_birth": dt.date.fromisoformat(entry["date_of_birth"]), "sex": entry["sex"],
                  "phone": entry.get("phone", "")},
    )
    return patient


def _referral(clinic, patient: Patient, entry: dict, day: dt.date) -> Referral:
    received_on = day - dt.timedelta(days=entry["received_days_ago"])
    referral, _ = Referral.objects.update_or_create(
        clinic=clinic, patient=patient, received_on=received_on,
        defaults={key: entry[key] for key in
                  ("referring_gp", "complaint", "reason", "urgency", "suspicion", "biopsy_requested")},
    )
    return referral


def _user(clinic, entry: dict, password: str):
    """A demo user; the application manager manages the team and master data in the admin
    and is in no team herself (she sees no patient)."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=entry["username"])
    user.first_name, user.last_name = entry["first_name"], entry["last_name"]
    manages = entry.get("application_manager", False)
    user.is_staff = manages
    user.set_password(password)
    user.save()
    if manages:
        ApplicationManager.objects.get_or_create(clinic=clinic, user=user)
    else:
        ApplicationManager.objects.filter(user=user).delete()
    if entry["role"] is None:
        StaffMember.objects.filter(user=user).delete()
        return user
    member, _ = StaffMember.objects.update_or_create(clinic=clinic, user=user, defaults={"role": entry["role"]})
    if entry.get("resource"):
        Resource.objects.filter(staff_member=member).exclude(code=entry["resource"]).update(staff_member=None)
        Resource.objects.filter(clinic=clinic, code=entry["resource"]).update(
            staff_member=member, name=user.get_full_name(),
        )
    return user

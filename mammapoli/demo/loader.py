"""The demo clinic: `fixtures/demo_clinic.json` on top of the standard-20 morning, dated today.

Idempotent: loading it again updates what is there. Demo data only; the production
settings do not install this app.
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mammapoli.clinics.models import (
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
ADMIN_GROUP = "Clinic administration"
ADMIN_APPS = ("clinics",)


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
    group = _admin_group()
    for entry in definition["users"]:
        _user(clinic, entry, definition["password"], group)
    return session


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


def _admin_group() -> Group:
    """The clinic's application manager may edit the master data in the admin."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return group


def _user(clinic, entry: dict, password: str, admin_group: Group):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=entry["username"])
    user.first_name, user.last_name = entry["first_name"], entry["last_name"]
    user.is_staff = entry.get("is_staff", False)
    user.set_password(password)
    user.save()
    if user.is_staff:
        user.groups.add(admin_group)
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

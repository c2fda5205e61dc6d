"""The planner's list of referrals: open, booked, or no longer bookable within the urgency
target, with filters. Read-only; one LIST row in the access log per patient shown."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Clinic
from mammapoli.audit.models import Action
from mammapoli.audit.services import access_events_record_many
from mammapoli.records.models import Referral, Urgency

from .models import ACTIVE_VISIT_STATUSES, Visit, VisitStatus
from .permissions import PLANNERS
from .working_days import target_date

OPEN, LATE, BOOKED, ALL = "open", "late", "booked", "all"
LIMIT = 200


class ReferralFilter(forms.Form):
    state = forms.ChoiceField(label=_("show"), required=False, initial=OPEN, choices=[
        (OPEN, _("not booked yet")), (LATE, _("not booked, target missed")), (BOOKED, _("booked")),
        (ALL, _("all"))])
    urgency = forms.ChoiceField(label=_("urgency"), required=False, choices=[("", _("any"))] + Urgency.choices)
    clinic = forms.ChoiceField(label=_("clinic"), required=False)
    received_from = forms.DateField(label=_("received from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, clinics: list[Clinic], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].choices = [("", _("all my clinics"))] + [(str(c.pk), str(c)) for c in clinics]


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    target: dt.date
    visit: Visit | None  # the morning she is booked on (the next one, if several)

    @property
    def booked(self) -> bool:
        return self.visit is not None

    def late_on(self, today: dt.date) -> bool:
        """Not booked, and the last morning within the target is today or past (bookings are
        for coming mornings), so she can no longer be seen within it."""
        return self.visit is None and self.target <= today


def referrals_for_planner(
    user: AbstractBaseUser | AnonymousUser, *, state: str = OPEN, urgency: str = "", clinic_id: int | None = None,
    received_from: dt.date | None = None, today: dt.date | None = None,
) -> list[ReferralRow]:
    """The referrals of the clinics where `user` plans, newest first, filtered; logged."""
    today = today or timezone.localdate()
    if not user.is_authenticated:
        return []
    roles = dict(user.memberships.filter(role__in=PLANNERS).values_list("clinic_id", "role"))
    if clinic_id is not None:
        roles = {key: value for key, value in roles.items() if key == clinic_id}
    referrals = Referral.objects.filter(clinic_id__in=roles).select_related("patient", "clinic")
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    if received_from:
        referrals = referrals.filter(received_on__gte=received_from)
    booked = {}
    for visit in (Visit.objects.filter(referral__in=referrals, status__in=(*ACTIVE_VISIT_STATUSES, VisitStatus.LEFT))
                  .select_related("session").order_by("session__date")):
        booked.setdefault(visit.referral_id, visit)
    rows = [ReferralRow(referral=r, target=target_date(r.urgency, r.received_on), visit=booked.get(r.pk))
            for r in referrals.order_by("received_on", "id")]
    if state == OPEN:
        rows = [row for row in rows if not row.booked]
    elif state == LATE:
        rows = [row for row in rows if row.late_on(today)]
    elif state == BOOKED:
        rows = [row for row in rows if row.booked]
    rows.sort(key=lambda row: (row.booked, row.target, row.referral.received_on, row.referral.pk))
    rows = rows[:LIMIT]
    _log(user, rows, roles, detail=f"filter=state:{state or ALL} urgency:{urgency or '-'}")
    return rows


def _log(user, rows: list[ReferralRow], roles: dict[int, str], *, detail: str) -> None:
    """One LIST row per patient shown, with the user's role in the referral's clinic."""
    by_clinic: dict[int, list[tuple[int, int | None]]] = {}
    for row in rows:
        by_clinic.setdefault(row.referral.clinic_id, []).append(
            (row.referral.patient_id, row.visit.pk if row.visit else None))
    for clinic_id, subjects in by_clinic.items():
        access_events_record_many(user=user, action=Action.LIST, what="referral list", subjects=subjects,
                                  role=roles[clinic_id], clinic_id=clinic_id, detail=detail)

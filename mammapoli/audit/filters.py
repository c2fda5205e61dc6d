"""The privacy officer's filter on the access log: a day (or a span of days), a user, an action,
an outcome, a patient number. Bad input is a form error naming the field; nothing is filtered then."""

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessEvent, Action, Outcome


class AccessLogFilter(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label=_("User"), required=False, max_length=150,
                           help_text=_("username or part of the name"))
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("any")), *Action.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("any")), *Outcome.choices])
    patient = forms.CharField(label=_("Hospital number"), required=False, max_length=50)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def apply(self, events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
        """`events` narrowed by the valid filter. A day counts in the clinic's time zone, and a
        row counts on every day from its first to its last read."""
        data = self.cleaned_data
        if data.get("date_from"):
            events = events.filter(last_at__gte=_midnight(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_midnight(data["date_to"] + dt.timedelta(days=1)))
        if user := data.get("user", "").strip():
            events = events.filter(Q(username__icontains=user) | Q(user__first_name__icontains=user)
                                   | Q(user__last_name__icontains=user))
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        if number := data.get("patient", "").strip():
            events = events.filter(patient__hospital_number=number)
        return events

    def describe(self) -> str:
        """The filter as the log writes it (for the row that records an export)."""
        parts = [f"{name}={value}" for name, value in self.cleaned_data.items() if value not in ("", None)]
        return "filter=" + (" ".join(parts) if parts else "none")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

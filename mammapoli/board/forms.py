"""Forms of the board's events. They read input; the event services write.

A time typed on the board is clinic-local on the morning's date; left empty it means "now".
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mammapoli.clinics.models import Resource
from mammapoli.clinics.selectors import active_pathways
from mammapoli.planning.clock import aware
from mammapoli.planning.forms import PatientFields
from mammapoli.planning.models import ClinicSession, Visit
from mammapoli.planning.selectors import result_givers, result_handover_candidates
from mammapoli.planning.services.event_entry import EventType

#: Events without a step; a step's events are sent as "step_started:<step>" / "step_finished:<step>".
VISIT_EVENTS = (EventType.ARRIVED, EventType.NO_SHOW, EventType.PATHWAY_SWITCHED, EventType.LEFT)
STEP_EVENTS = (EventType.STEP_STARTED, EventType.STEP_FINISHED)


def _at(session: ClinicSession, clock: dt.time | None) -> dt.datetime | None:
    return aware(session.date, clock) if clock is not None else None


def _resource_label(resource: Resource) -> str:
    name = f" {resource.name}" if resource.name else ""
    return f"{resource.code}{name} ({resource.kind})"


class _MorningTimes(forms.Form):
    at = forms.TimeField(label=_("at"), required=False, input_formats=["%H:%M"],
                         widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                         help_text=_("empty: now"))

    def __init__(self, *args, session: ClinicSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session


class VisitEventForm(_MorningTimes):
    event = forms.CharField(max_length=80)
    pathway = forms.SlugField(required=False)

    def clean_event(self) -> tuple[str, str | None]:
        kind, _sep, step = self.cleaned_data["event"].partition(":")
        if kind in VISIT_EVENTS and not step:
            return kind, None
        if kind in STEP_EVENTS and step:
            return kind, step
        raise forms.ValidationError(_("Unknown event."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("event", ("",))[0] == EventType.PATHWAY_SWITCHED and not cleaned.get("pathway"):
            self.add_error("pathway", _("Choose the pathway she continues on."))
        return cleaned

    def event_arguments(self) -> dict:
        """The keyword arguments of `visit_event_enter` (besides user and access)."""
        kind, step = self.cleaned_data["event"]
        arguments = {"type": kind, "at": _at(self.session, self.cleaned_data["at"])}
        if step:
            arguments["step"] = step
        if kind == EventType.PATHWAY_SWITCHED:
            arguments["pathway"] = self.cleaned_data["pathway"]
        return arguments


class WalkInForm(_MorningTimes, PatientFields):
    pathway = forms.ChoiceField(label=_("pathway"))
    priority = forms.IntegerField(label=_("priority"), min_value=1, max_value=9, initial=1,
                                  help_text=_("higher is more urgent: 2 or more for an urgent walk-in"))

    field_order = [*PatientFields.PATIENT_FIELDS, "pathway", "priority", "at"]

    def __init__(self, *args, session: ClinicSession, **kwargs):
        super().__init__(*args, session=session, **kwargs)
        self.fields["pathway"].choices = [(p.code, str(p)) for p in active_pathways(session.clinic_id)]
        self.fields["at"].label = _("arrived at")

    def walk_in_arguments(self) -> dict:
        """The keyword arguments of `walk_in_enter` (besides user and access)."""
        data = self.cleaned_data
        return {"patient": self.patient(), "pathway": data["pathway"],
                "priority": data["priority"], "at": _at(self.session, data["at"])}


class AbsenceForm(_MorningTimes):
    resource = forms.ModelChoiceField(label=_("who or what"), queryset=Resource.objects.none(),
                                      to_field_name="code")
    until = forms.TimeField(label=_("until"), required=False, input_formats=["%H:%M"],
                            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                            help_text=_("empty: the end of the morning"))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    field_order = ["resource", "at", "until", "reason"]

    def __init__(self, *args, session: ClinicSession, **kwargs):
        super().__init__(*args, session=session, **kwargs)
        self.fields["resource"].queryset = (Resource.objects.filter(clinic_id=session.clinic_id, active=True)
                                            .select_related("kind").order_by("kind__code", "code"))
        self.fields["resource"].label_from_instance = _resource_label
        self.fields["at"].label = _("from")

    def absence_arguments(self) -> dict:
        """The keyword arguments of `resource_unavailable_enter` (besides user)."""
        data = self.cleaned_data
        return {"session": self.session, "resource": data["resource"], "at": _at(self.session, data["at"]),
                "until": _at(self.session, data["until"]), "reason": data["reason"]}


class HandoverForm(_MorningTimes):
    """Her result to another surgeon: the visits whose result is still to come, the surgeons."""

    visit = forms.ModelChoiceField(label=_("patient"), queryset=Visit.objects.none(), to_field_name="code")
    surgeon = forms.ModelChoiceField(label=_("result given by"), queryset=Resource.objects.none(),
                                     to_field_name="code")

    field_order = ["visit", "surgeon", "at"]

    def __init__(self, *args, session: ClinicSession, **kwargs):
        super().__init__(*args, session=session, **kwargs)
        self.fields["visit"].queryset = result_handover_candidates(session)
        self.fields["visit"].label_from_instance = lambda v: f"{v.code} {v.patient.full_name}"
        self.fields["surgeon"].queryset = result_givers(session)
        self.fields["surgeon"].label_from_instance = _resource_label

    def handover_arguments(self) -> dict:
        """The keyword arguments of `visit_result_hand_over` (besides user)."""
        data = self.cleaned_data
        return {"visit": data["visit"], "surgeon": data["surgeon"],
                "at": _at(self.session, data["at"]) or timezone.now()}


class WithdrawForm(_MorningTimes):
    """An absence withdrawn at a time (empty: now)."""

    def entered(self) -> dt.datetime | None:
        return _at(self.session, self.cleaned_data["at"])


class ShortenForm(WithdrawForm):
    until = forms.TimeField(label=_("back at"), input_formats=["%H:%M"],
                            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

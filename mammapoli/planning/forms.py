"""Forms of the planner's pages (booking, planning). They only read input; services write."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from mammapoli.core.bounds import REASON_MAX_LENGTH, validate_booking_day, validate_date_of_birth, validate_received_on
from mammapoli.records.models import Complaint, Sex, Suspicion, Urgency


class PatientFields(forms.Form):
    """Who the patient is, as `patient_get_or_create` takes it (a referral, a walk-in)."""

    hospital_number = forms.RegexField(label=_("hospital number"), regex=r"^[A-Za-z0-9-]+$", max_length=32)
    given_name = forms.CharField(label=_("given name"), max_length=100)
    family_name = forms.CharField(label=_("family name"), max_length=100)
    date_of_birth = forms.DateField(label=_("date of birth"), widget=forms.DateInput(attrs={"type": "date"}),
                                    validators=[validate_date_of_birth])
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.FEMALE)
    phone = PhoneNumberField(label=_("phone"), required=False, region="NL",
                             help_text=_("To reach her when her time changes, e.g. 06 12345678."))

    PATIENT_FIELDS = ("hospital_number", "given_name", "family_name", "date_of_birth", "sex", "phone")

    def patient(self) -> dict:
        return {key: self.cleaned_data[key] for key in self.PATIENT_FIELDS}


class ReferralForm(PatientFields):
    clinic = forms.ChoiceField(label=_("clinic"))
    referring_gp = forms.CharField(label=_("referring GP"), max_length=200)
    complaint = forms.ChoiceField(label=_("complaint"), choices=Complaint.choices)
    reason = forms.CharField(label=_("reason for referral"), required=False, max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.REGULAR)
    suspicion = forms.ChoiceField(label=_("clinical suspicion"), choices=Suspicion.choices, initial=Suspicion.LOW)
    biopsy_requested = forms.BooleanField(label=_("biopsy requested"), required=False)
    received_on = forms.DateField(label=_("received on"), required=False, validators=[validate_received_on],
                                  widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["clinic"]

    def __init__(self, *args, clinics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].choices = [(c.pk, str(c)) for c in clinics]

    def referral(self) -> dict:
        skip = {"clinic", *self.PATIENT_FIELDS}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}


class BookForm(forms.Form):
    pathway = forms.SlugField()
    date = forms.DateField(validators=[validate_booking_day])
    arrival = forms.TimeField(input_formats=["%H:%M"])


class PlanForm(forms.Form):
    """Empty: the clinic's default time limit; otherwise from 1 second up to that default."""

    time_limit = forms.IntegerField(label=_("time limit (seconds)"), min_value=1, required=False)

    def __init__(self, *args, default: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_limit"]
        field.max_value = default
        field.validators.append(MaxValueValidator(default))
        field.widget.attrs.update(min=1, max=default, placeholder=str(default))
        field.help_text = _("Empty: %(seconds)s s, the most the engine may take.") % {"seconds": default}

    def seconds(self) -> int:
        return self.cleaned_data["time_limit"] or self.fields["time_limit"].max_value

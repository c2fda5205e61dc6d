"""A patient record belongs to one clinic; the hospital number is unique per clinic.

Existing rows: each patient goes to the clinic of her first referral or visit. A patient seen
by several clinics is split: the first keeps the record, each other clinic gets a copy of it
(same number, name, date of birth, sex, phone) and its referrals and visits move to that copy.
A patient of no clinic at all (left behind by a refused walk-in) goes to the first clinic.
The access log keeps the ids it had: its history is not rewritten.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def _clinics_of(Patient, Referral, Visit, patient) -> list[int]:
    seen: dict[int, object] = {}
    for clinic_id, when in Referral.objects.filter(patient=patient).values_list("clinic_id", "created_at"):
        seen.setdefault(clinic_id, when.date())
    for clinic_id, day in Visit.objects.filter(patient=patient).values_list("session__clinic_id", "session__date"):
        seen[clinic_id] = min(seen.get(clinic_id, day), day)
    return [clinic_id for clinic_id, _first in sorted(seen.items(), key=lambda item: (item[1], item[0]))]


def patients_to_clinics(apps, schema_editor):
    Clinic = apps.get_model("clinics", "Clinic")
    Patient = apps.get_model("records", "Patient")
    Referral = apps.get_model("records", "Referral")
    Visit = apps.get_model("planning", "Visit")
    first_clinic = Clinic.objects.order_by("pk").values_list("pk", flat=True).first()
    for patient in Patient.objects.order_by("pk").iterator():
        clinics = _clinics_of(Patient, Referral, Visit, patient) or [first_clinic]
        Patient.objects.filter(pk=patient.pk).update(clinic_id=clinics[0])
        for clinic_id in clinics[1:]:
            copy = Patient.objects.create(
                clinic_id=clinic_id, hospital_number=patient.hospital_number, given_name=patient.given_name,
                family_name=patient.family_name, date_of_birth=patient.date_of_birth, sex=patient.sex,
                phone=patient.phone)
            Referral.objects.filter(patient=patient, clinic_id=clinic_id).update(patient=copy)
            Visit.objects.filter(patient=patient, session__clinic_id=clinic_id).update(patient=copy)


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0001_initial"),
        ("planning", "0002_visitstep_pathway_trigger"),
        ("records", "0005_input_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient", name="clinic",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="patients",
                                    to="clinics.clinic", verbose_name="clinic"),
        ),
        migrations.AlterField(
            model_name="patient", name="hospital_number",
            field=models.CharField(max_length=32, validators=[django.core.validators.RegexValidator(
                "^[A-Za-z0-9-]+$", "Letters, digits and dashes only.")], verbose_name="hospital number"),
        ),
        migrations.RunPython(patients_to_clinics, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patient", name="clinic",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="patients",
                                    to="clinics.clinic", verbose_name="clinic"),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.UniqueConstraint(fields=("clinic", "hospital_number"),
                                               name="patient_number_unique_per_clinic",
                                               violation_error_message="This clinic has a patient with this "
                                                                       "hospital number."),
        ),
    ]

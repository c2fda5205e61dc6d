"""The data migration that gives every existing patient record a clinic (records 0006)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("records", "0005_input_bounds")
AFTER = ("records", "0006_patient_per_clinic")


def _migrate(records):
    """Every app at its newest migration, records at `records`; the models as they were then."""
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "records"] + [records]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_patient_of_two_clinics_is_split_and_each_clinic_keeps_its_own_rows():
    apps = _migrate(BEFORE)
    Clinic, Patient = apps.get_model("clinics", "Clinic"), apps.get_model("records", "Patient")
    Referral = apps.get_model("records", "Referral")
    first, second = Clinic.objects.create(name="eerste"), Clinic.objects.create(name="tweede")
    shared = Patient.objects.create(hospital_number="7001", given_name="Anna", family_name="Smit",
                                    date_of_birth=dt.date(1970, 1, 1))
    lonely = Patient.objects.create(hospital_number="7002", given_name="Eva", family_name="Bos")
    for clinic in (first, second):
        Referral.objects.create(clinic=clinic, patient=shared, referring_gp="GP", complaint="pain",
                                received_on=dt.date(2026, 11, 1))
    try:
        apps = _migrate(AFTER)
        Patient, Referral = apps.get_model("records", "Patient"), apps.get_model("records", "Referral")
        assert sorted(Patient.objects.filter(hospital_number="7001").values_list("clinic__name", "family_name")) \
            == [("eerste", "Smit"), ("tweede", "Smit")]
        assert Patient.objects.get(pk=shared.pk).clinic_id == first.pk
        for referral in Referral.objects.all():
            assert referral.patient.clinic_id == referral.clinic_id
        assert Patient.objects.get(pk=lonely.pk).clinic_id == first.pk  # no clinic of her own: the first
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

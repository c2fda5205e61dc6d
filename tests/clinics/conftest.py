"""Personas of the team admin: the clinic's application manager, a superuser, a planner
who has the old admin rights (staff flag and every clinics model permission), and a visit of
the second clinic (the outsider's) whose findings nobody of ours may read."""

import pytest
from django.contrib.auth.models import Permission

from mammapoli.clinics.models import ApplicationManager, Clinic
from tests.factories import (
    ClinicSessionFactory,
    PathwayFactory,
    ReferralFactory,
    ResourceFactory,
    UserFactory,
    VisitFactory,
)


@pytest.fixture
def application_manager(clinic):
    """Anna manages the test clinic's team; she is in no team herself."""
    user = UserFactory(username="anna.manager", is_staff=True)
    ApplicationManager.objects.create(clinic=clinic, user=user)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_planner(planner):
    """The planner as the demo made her before: staff, with every permission of the clinics app."""
    planner.is_staff = True
    planner.save()
    planner.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["clinics", "auth"]))
    return planner


@pytest.fixture
def other_clinic(outsider):
    return Clinic.objects.get(name="elsewhere")


@pytest.fixture
def other_visit(other_clinic):
    """A visit of the outsider's clinic, with a patient only that clinic may see."""
    session = ClinicSessionFactory(clinic=other_clinic)
    for code, kind in [("chir-B", "surgeon"), ("spreek-B", "consult_room"), ("mbb-B", "radiographer"),
                       ("mammo-B", "mammography_unit"), ("rad-B", "radiologist"), ("echo-B", "ultrasound_room")]:
        ResourceFactory(clinic=other_clinic, code=code, kind__code=kind)
    PathwayFactory.imaging(clinic=other_clinic)
    referral = ReferralFactory(clinic=other_clinic, patient__family_name="Elders", patient__hospital_number="9100001")
    return VisitFactory(session=session, patient=referral.patient, referral=referral)

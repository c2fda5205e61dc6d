"""factory-boy factories for the clinic's data."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from mammapoli.clinics.models import (
    Clinic,
    Pathway,
    PathwayStep,
    Resource,
    ResourceKind,
    StaffMember,
    StepNeed,
    StepPrecedence,
    StepSameAs,
    WeeklyAvailability,
)
from mammapoli.planning.models import ClinicSession, Visit, VisitStep
from mammapoli.records.models import Patient, Referral


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.django.Password("secret-password")


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"clinic-{n}")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    clinic = factory.SubFactory(ClinicFactory)
    user = factory.SubFactory(UserFactory)
    role = "surgeon"


class ResourceKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceKind
        django_get_or_create = ["clinic", "code"]

    clinic = factory.SubFactory(ClinicFactory)
    code = "surgeon"


class ResourceFactory(factory.django.DjangoModelFactory):
    """A resource available every weekday morning 08:00-13:00."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    code = factory.Sequence(lambda n: f"res-{n}")
    kind = factory.SubFactory(ResourceKindFactory, clinic=factory.SelfAttribute("..clinic"))

    @factory.post_generation
    def weekly(self, create, extracted, **kwargs):
        hours = extracted if extracted is not None else [(dt.time(8), dt.time(13))]
        for weekday in range(5):
            for start, end in hours:
                WeeklyAvailability.objects.create(resource=self, weekday=weekday, start=start, end=end)


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    clinic = factory.SubFactory(ClinicFactory)
    code = factory.Sequence(lambda n: f"pathway-{n}")

    @classmethod
    def imaging(cls, *, clinic: Clinic, code: str = "imaging") -> Pathway:
        """exam → mammo → us → result (10-120 min after us), result by the examining surgeon."""
        pathway = cls(clinic=clinic, code=code)
        kinds = {k.code: k for k in ResourceKind.objects.filter(clinic=clinic)}
        specs = [("exam", 15, ["surgeon", "consult_room"]), ("mammo", 15, ["radiographer", "mammography_unit"]),
                 ("us", 15, ["radiologist", "ultrasound_room"]), ("result", 10, ["surgeon", "consult_room"])]
        steps = {}
        for position, (step_code, duration, needs) in enumerate(specs):
            steps[step_code] = PathwayStep.objects.create(
                pathway=pathway, code=step_code, position=position, duration=duration,
            )
            for i, kind in enumerate(needs):
                StepNeed.objects.create(step=steps[step_code], kind=kinds[kind], position=i)
        StepPrecedence.objects.create(step=steps["mammo"], after=steps["exam"])
        StepPrecedence.objects.create(step=steps["us"], after=steps["mammo"])
        StepPrecedence.objects.create(step=steps["result"], after=steps["us"], min_lag=10, max_lag=120)
        StepSameAs.objects.create(step=steps["result"], kind=kinds["surgeon"], other=steps["exam"])
        return pathway


def pathway_from_spec(*, clinic: Clinic, code: str, steps: list[dict]) -> Pathway:
    """A pathway written as in the exchange format (`{"id", "duration", "needs", "after", "same_as"}`)."""
    pathway = PathwayFactory(clinic=clinic, code=code)
    kinds = {k.code: k for k in ResourceKind.objects.filter(clinic=clinic)}
    created = {}
    for position, spec in enumerate(steps):
        step = PathwayStep.objects.create(pathway=pathway, code=spec["id"], position=position,
                                          duration=spec["duration"])
        for i, kind in enumerate(spec["needs"]):
            StepNeed.objects.create(step=step, kind=kinds[kind], position=i)
        for lag in spec.get("after", []):
            StepPrecedence.objects.create(step=step, after=created[lag["step"]], min_lag=lag.get("min", 0),
                                          max_lag=lag.get("max"))
        for kind, other in spec.get("same_as", {}).items():
            StepSameAs.objects.create(step=step, kind=kinds[kind], other=created[other])
        created[spec["id"]] = step
    return pathway


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    hospital_number = factory.Sequence(lambda n: f"{8000000 + n}")
    given_name = factory.Faker("first_name_female", locale="nl_NL")
    family_name = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = dt.date(1970, 5, 17)
    sex = "F"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    clinic = factory.SubFactory(ClinicFactory)
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    referring_gp = "Huisartsenpraktijk De Linde"
    complaint = "palpable_lump"
    received_on = dt.date(2026, 11, 27)


class ClinicSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicSession

    clinic = factory.SubFactory(ClinicFactory)
    date = dt.date(2026, 12, 1)
    start = dt.time(8)
    end = dt.time(13)


class VisitFactory(factory.django.DjangoModelFactory):
    """A booked visit with a step per step of its pathway."""

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    session = factory.SubFactory(ClinicSessionFactory)
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..session.clinic"))
    pathway = factory.LazyAttribute(lambda o: o.session.clinic.pathways.first())
    code = factory.Sequence(lambda n: f"P{n:02d}")

    @factory.post_generation
    def with_steps(self, create, extracted, **kwargs):
        if extracted is False:
            return
        for step in self.pathway.steps.all():
            VisitStep.objects.create(visit=self, step=step)

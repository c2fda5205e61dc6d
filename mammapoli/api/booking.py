"""Booking: POST /api/referrals/, GET /api/referrals/{id}/suggestion/, POST /api/visits/."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.audit.models import Action
from mammapoli.clinics.access import clinic_attempt
from mammapoli.clinics.selectors import active_pathway, clinic_by_name
from mammapoli.core.bounds import (
    REASON_MAX_LENGTH,
    validate_booking_day,
    validate_date_of_birth,
    validate_received_on,
)
from mammapoli.planning.booking_search import booking_suggestion
from mammapoli.planning.clock import clock, hhmm
from mammapoli.planning.permissions import PLANNERS
from mammapoli.planning.selectors import visit_planned_steps
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.working_days import target_date
from mammapoli.records.access import referral_for_user
from mammapoli.records.models import Complaint, Sex, Suspicion, Urgency
from mammapoli.records.patient_services import referral_intake


class PatientInput(serializers.Serializer):
    hospital_number = serializers.CharField(max_length=32)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(validators=[validate_date_of_birth])
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.FEMALE)
    phone = PhoneNumberField(required=False, allow_blank=True, default="", region="NL",
                             help_text="To reach her on the day, e.g. 06 12345678 or +31612345678.")


class ReferralInput(serializers.Serializer):
    clinic = serializers.SlugField(help_text="The clinic's name, e.g. demo.")
    patient = PatientInput()
    referring_gp = serializers.CharField(max_length=200)
    complaint = serializers.ChoiceField(choices=Complaint.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.REGULAR)
    suspicion = serializers.ChoiceField(choices=Suspicion.choices, default=Suspicion.LOW)
    biopsy_requested = serializers.BooleanField(default=False)
    received_on = serializers.DateField(required=False, validators=[validate_received_on], help_text="Default: today.")


class ReferralOutput(serializers.Serializer):
    id = serializers.IntegerField()
    clinic = serializers.CharField(source="clinic.name")
    patient = serializers.SerializerMethodField()
    complaint = serializers.CharField()
    urgency = serializers.CharField()
    suspicion = serializers.CharField()
    biopsy_requested = serializers.BooleanField()
    received_on = serializers.DateField()
    target_date = serializers.SerializerMethodField(help_text="The last morning within the urgency target.")

    def get_patient(self, referral) -> dict:
        patient = referral.patient
        return {"id": patient.pk, "hospital_number": patient.hospital_number, "name": patient.full_name,
                "age": patient.age_on(timezone.localdate())}

    def get_target_date(self, referral) -> str:
        return target_date(referral.urgency, referral.received_on).isoformat()


class ReferralCreateApi(APIView):
    @extend_schema(request=ReferralInput, responses={201: ReferralOutput})
    def post(self, request: Request) -> Response:
        data = ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        clinic = clinic_by_name(fields.pop("clinic"))
        with clinic_attempt(request.user, clinic.pk if clinic else None, roles=PLANNERS, what="referral"):
            referral = referral_intake(user=request.user, clinic=clinic, **fields)
        return Response(ReferralOutput(referral).data, status=status.HTTP_201_CREATED)


class PlacedStepOutput(serializers.Serializer):
    step = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    resources = serializers.ListField(child=serializers.CharField())


class FitOutput(serializers.Serializer):
    date = serializers.DateField(validators=[validate_booking_day])
    arrival = serializers.CharField()
    departure = serializers.CharField()
    steps = PlacedStepOutput(many=True)


class BlockedOutput(serializers.Serializer):
    date = serializers.DateField()
    message = serializers.CharField()


class SuggestionOutput(serializers.Serializer):
    referral = serializers.IntegerField()
    suggested_pathway = serializers.CharField(allow_null=True)
    suggestion_reason = serializers.CharField()
    pathway = serializers.CharField(allow_null=True, help_text="The pathway searched (suggested or chosen).")
    target_date = serializers.DateField()
    within_target = serializers.BooleanField()
    fit = FitOutput(allow_null=True, help_text="The earliest morning that takes the patient without "
                                               "moving anyone; null when none does in the horizon.")
    blocked = BlockedOutput(many=True, help_text="The earlier mornings that do not, and why.")


def _suggestion_data(referral, result) -> dict:
    search, suggested = result.search, result.suggested
    fit = search.fit if search else None
    return {
        "referral": referral.pk,
        "suggested_pathway": suggested.pathway.code if suggested else None,
        "suggestion_reason": suggested.reason if suggested else "",
        "pathway": search.pathway.code if search else None,
        "target_date": target_date(referral.urgency, referral.received_on),
        "within_target": bool(search and search.within_target),
        "fit": None if fit is None else {
            "date": fit.day, "arrival": clock(fit.placement.arrival), "departure": clock(fit.placement.departure),
            "steps": [{"step": s.step, "start": clock(s.start), "end": clock(s.end), "resources": list(s.resources)}
                      for s in fit.placement.steps]},
        "blocked": [{"date": t.day, "message": t.message} for t in (search.blocked if search else ())],
    }


class SuggestionQuery(serializers.Serializer):
    pathway = serializers.SlugField(required=False, help_text="Search this pathway instead of the suggested one.")


class ReferralSuggestionApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("referral_id", int, OpenApiParameter.PATH),
                               OpenApiParameter("pathway", str, description="another pathway than the suggested")],
                   responses=SuggestionOutput)
    def get(self, request: Request, referral_id: int) -> Response:
        query = SuggestionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        referral = referral_for_user(request.user, referral_id, roles=PLANNERS).referral
        code = query.validated_data.get("pathway")
        chosen = active_pathway(referral.clinic_id, code) if code else None
        result = booking_suggestion(referral=referral, pathway=chosen)
        return Response(SuggestionOutput(_suggestion_data(referral, result)).data)


class VisitBookInput(serializers.Serializer):
    referral = serializers.IntegerField()
    pathway = serializers.SlugField()
    date = serializers.DateField()
    arrival = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])


class BookedStepOutput(serializers.Serializer):
    step = serializers.CharField(source="step.code")
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    def get_start(self, visit_step) -> str:
        return hhmm(visit_step.planned_start)

    def get_end(self, visit_step) -> str:
        return hhmm(visit_step.planned_end)


class VisitBookedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    session = serializers.IntegerField(source="session_id")
    date = serializers.DateField(source="session.date")
    pathway = serializers.CharField(source="pathway.code")
    steps = serializers.SerializerMethodField()

    @extend_schema_field(BookedStepOutput(many=True))
    def get_steps(self, visit) -> list[dict]:
        return BookedStepOutput(visit_planned_steps(visit), many=True).data


def book_visit(request: Request) -> Response:
    data = VisitBookInput(data=request.data)
    data.is_valid(raise_exception=True)
    fields = data.validated_data
    referral = referral_for_user(request.user, fields["referral"], roles=PLANNERS, action=Action.WRITE).referral
    visit = visit_book(user=request.user, referral=referral, pathway=active_pathway(referral.clinic_id,
                                                                                     fields["pathway"]),
                       day=fields["date"], arrival=fields["arrival"])
    return Response(VisitBookedOutput(visit).data, status=status.HTTP_201_CREATED)

"""The events of the day, each answered with the re-plan it started.

POST /api/visits/{id}/events/        arrived, step_started, step_finished, no_show, pathway_switched, left
POST /api/sessions/{id}/walk-ins/    a patient without a booking
POST /api/resources/{id}/unavailable/  a doctor called away, from a time
GET  /api/sessions/{id}/absences/    the morning's absences
POST /api/sessions/{id}/absences/{absence_id}/withdraw/  she is back after all
POST /api/sessions/{id}/absences/{absence_id}/shorten/   she is back earlier ({"until"})
POST /api/visits/{id}/result-handover/  her result to another surgeon ({"surgeon": code})
POST /api/visits/{id}/rebook/        a patient the plan leaves out, on the earliest morning that takes her
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.clinics.access import resource_attempt
from mammapoli.planning.access import session_attempt, session_for_user, visit_attempt
from mammapoli.planning.permissions import EVENT_ROLES, PLANNERS
from mammapoli.planning.services.event_entry import (
    EventType,
    resource_unavailable_enter,
    visit_event_enter,
    walk_in_enter,
)
from mammapoli.planning.selectors import first_arrival, result_givers, session_absence, session_absences
from mammapoli.planning.services.dropped import visit_rebook
from mammapoli.planning.services.events import absence_shorten, absence_withdraw, visit_result_hand_over

from .booking import PatientInput
from .plans import PlanJobOutput


class VisitEventInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=EventType.ALL)
    at = serializers.DateTimeField(required=False, help_text="when it happened (default: now)")
    step = serializers.SlugField(required=False, help_text="step_started / step_finished: the step's code")
    resources = serializers.ListField(child=serializers.CharField(), required=False,
                                      help_text="step_started: resource codes in the order of the step's "
                                                "needs (default: the planned ones)")
    pathway = serializers.SlugField(required=False, help_text="pathway_switched: the new pathway's code")


class EventOutput(serializers.Serializer):
    visit = serializers.IntegerField(source="visit.pk", allow_null=True)
    code = serializers.CharField(source="visit.code", allow_null=True)
    status = serializers.CharField(source="visit.status", allow_null=True)
    job = PlanJobOutput(help_text="the re-plan of the rest of the morning")


def _answer(outcome) -> Response:
    """202: the event is recorded and its re-plan accepted (finished already when tasks run in
    this process; queued or running on a worker, or waiting for the broker, otherwise)."""
    outcome.job.refresh_from_db()
    return Response(EventOutput(outcome).data, status=status.HTTP_202_ACCEPTED)


class VisitEventApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("visit_id", int, OpenApiParameter.PATH)], request=VisitEventInput,
                   responses={202: EventOutput},
                   description="Planners enter every event; specialists the start and end of their own steps "
                               "and the switch to a biopsy pathway during a step they do. `left`: the patient "
                               "goes home before her pathway ends (the result follows later); the rest of her "
                               "steps come off the morning.")
    def post(self, request: Request, visit_id: int) -> Response:
        data = VisitEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        with visit_attempt(request.user, visit_id, roles=EVENT_ROLES,
                           what=f"event {data.validated_data['type']}") as attempt:
            outcome = visit_event_enter(user=request.user, access=attempt.access, **data.validated_data)
        return _answer(outcome)


class WalkInInput(serializers.Serializer):
    patient = PatientInput()
    pathway = serializers.SlugField()
    priority = serializers.IntegerField(min_value=1, default=1)
    at = serializers.DateTimeField(required=False, help_text="when she came in (default: now)")


class WalkInApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("session_id", int, OpenApiParameter.PATH)], request=WalkInInput,
                   responses={202: EventOutput})
    def post(self, request: Request, session_id: int) -> Response:
        data = WalkInInput(data=request.data)
        data.is_valid(raise_exception=True)
        with session_attempt(request.user, session_id, roles=PLANNERS, what="walk-in") as attempt:
            outcome = walk_in_enter(user=request.user, access=attempt.access, **data.validated_data)
        return _answer(outcome)


class UnavailableInput(serializers.Serializer):
    at = serializers.DateTimeField(required=False, help_text="from when (default: now)")
    until = serializers.DateTimeField(required=False, help_text="until when (default: the end of the morning)")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ResourceUnavailableApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("resource_id", int, OpenApiParameter.PATH)],
                   request=UnavailableInput, responses={202: EventOutput})
    def post(self, request: Request, resource_id: int) -> Response:
        data = UnavailableInput(data=request.data)
        data.is_valid(raise_exception=True)
        with resource_attempt(request.user, resource_id, roles=PLANNERS, what="resource unavailable") as attempt:
            outcome = resource_unavailable_enter(user=request.user, resource=attempt.access, **data.validated_data)
        return _answer(outcome)


SESSION_ID = OpenApiParameter("session_id", int, OpenApiParameter.PATH)
ABSENCE_ID = OpenApiParameter("absence_id", int, OpenApiParameter.PATH)
VISIT_ID = OpenApiParameter("visit_id", int, OpenApiParameter.PATH)


class AbsenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.CharField(source="resource.code")
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    reason = serializers.CharField()


class AbsenceListApi(APIView):
    @extend_schema(parameters=[SESSION_ID], responses=AbsenceOutput(many=True))
    def get(self, request: Request, session_id: int) -> Response:
        access = session_for_user(request.user, session_id, what="absences")
        return Response(AbsenceOutput(session_absences(access.session), many=True).data)


class AbsenceWithdrawApi(APIView):
    @extend_schema(parameters=[SESSION_ID, ABSENCE_ID], request=None, responses={202: EventOutput},
                   description="The absence goes (she is back after all) and the morning is re-planned.")
    def post(self, request: Request, session_id: int, absence_id: int) -> Response:
        with session_attempt(request.user, session_id, roles=PLANNERS, what="absence") as attempt:
            outcome = absence_withdraw(user=request.user, absence=session_absence(attempt.access.session, absence_id))
        return _answer(outcome)


class ShortenInput(serializers.Serializer):
    until = serializers.DateTimeField(help_text="she is back at (between the absence's start and end)")


class AbsenceShortenApi(APIView):
    @extend_schema(parameters=[SESSION_ID, ABSENCE_ID], request=ShortenInput, responses={202: EventOutput})
    def post(self, request: Request, session_id: int, absence_id: int) -> Response:
        data = ShortenInput(data=request.data)
        data.is_valid(raise_exception=True)
        with session_attempt(request.user, session_id, roles=PLANNERS, what="absence") as attempt:
            outcome = absence_shorten(user=request.user, absence=session_absence(attempt.access.session, absence_id),
                                      until=data.validated_data["until"])
        return _answer(outcome)


class HandoverInput(serializers.Serializer):
    surgeon = serializers.CharField(max_length=50, help_text="the code of the surgeon who gives her result")
    at = serializers.DateTimeField(required=False, help_text="default: now")


class ResultHandoverApi(APIView):
    @extend_schema(parameters=[VISIT_ID], request=HandoverInput, responses={202: EventOutput},
                   description="Her result goes to another surgeon (the one who examined her is called "
                               "away); the re-plan gives it to him wherever the morning allows.")
    def post(self, request: Request, visit_id: int) -> Response:
        data = HandoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        with visit_attempt(request.user, visit_id, roles=PLANNERS, what="result handover") as attempt:
            visit = attempt.access.visit
            surgeon = result_givers(visit.session).filter(code=data.validated_data["surgeon"]).first()
            if surgeon is None:
                raise ValidationError({"surgeon": _("Not a resource of this clinic who can give her result.")})
            outcome = visit_result_hand_over(user=request.user, visit=visit, surgeon=surgeon,
                                             at=data.validated_data.get("at") or timezone.now())
        return _answer(outcome)


class RebookOutput(serializers.Serializer):
    visit = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    date = serializers.DateField(source="session.date")
    arrival = serializers.SerializerMethodField()

    def get_arrival(self, visit) -> str:
        return first_arrival(visit)


class RebookApi(APIView):
    @extend_schema(parameters=[VISIT_ID], request=None, responses={201: RebookOutput},
                   description="A patient this morning's plan leaves out is booked on the earliest morning "
                               "that takes her (her urgency target counted from her referral; a walk-in gets "
                               "a referral). This visit becomes rebooked. 400 when she is on the plan or "
                               "under way, or no morning takes her.")
    def post(self, request: Request, visit_id: int) -> Response:
        with visit_attempt(request.user, visit_id, roles=PLANNERS, what="rebook") as attempt:
            visit = visit_rebook(user=request.user, visit=attempt.access.visit)
        return Response(RebookOutput(visit).data, status=status.HTTP_201_CREATED)

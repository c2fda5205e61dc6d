"""The events of the day, each answered with the re-plan it started.

POST /api/visits/{id}/events/        arrived, step_started, step_finished, no_show, pathway_switched, left
POST /api/sessions/{id}/walk-ins/    a patient without a booking
POST /api/resources/{id}/unavailable/  a doctor called away, from a time
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.audit.models import Action
from mammapoli.planning.access import resource_for_user
from mammapoli.planning.permissions import EVENT_ROLES, PLANNERS
from mammapoli.planning.services.event_entry import (
    EventType,
    resource_unavailable_enter,
    visit_event_enter,
    walk_in_enter,
)
from mammapoli.records.access import session_for_user, visit_for_user

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
        access = visit_for_user(request.user, visit_id, roles=EVENT_ROLES, action=Action.WRITE,
                                what=f"event {data.validated_data['type']}")
        return _answer(visit_event_enter(user=request.user, access=access, **data.validated_data))


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
        access = session_for_user(request.user, session_id, roles=PLANNERS, action=Action.WRITE, what="walk-in")
        return _answer(walk_in_enter(user=request.user, access=access, **data.validated_data))


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
        resource, _membership = resource_for_user(request.user, resource_id, roles=PLANNERS)
        return _answer(resource_unavailable_enter(user=request.user, resource=resource, **data.validated_data))

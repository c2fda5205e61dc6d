"""Planning a morning: start and follow a job, read the published plan, diff and publish a proposal.

POST /api/sessions/{id}/plan/      start "plan this morning" (202, the job)
GET  /api/sessions/{id}/plan/      the published plan (mammapoli-plan/1)
GET  /api/plan-jobs/{job_id}/      the job and its progress
POST /api/plan-jobs/{job_id}/cancel/
GET  /api/plans/{id}/diff/         the proposal against the published plan
POST /api/plans/{id}/publish/      409 when the bookings changed since it was made
"""

import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.audit.models import Action
from mammapoli.planning.access import (
    morning_for_user,
    plan_attempt,
    plan_for_user,
    plan_job_attempt,
    plan_job_for_user,
    session_attempt,
    session_for_user,
)
from mammapoli.planning.models import Plan, PlanJob
from mammapoli.planning.permissions import PLANNERS
from mammapoli.planning.proposal_diff import Change, proposal_diff
from mammapoli.planning.selectors import job_plan, published_plan
from mammapoli.planning.services.jobs import plan_job_cancel, plan_job_start
from mammapoli.planning.services.plans import plan_publish

SESSION_ID = OpenApiParameter("session_id", int, OpenApiParameter.PATH)
PLAN_ID = OpenApiParameter("plan_id", int, OpenApiParameter.PATH)
JOB_ID = OpenApiParameter("job_id", uuid.UUID, OpenApiParameter.PATH)


class ObjectiveOutput(serializers.Serializer):
    scheduled = serializers.IntegerField(help_text="patients seen")
    priority_scheduled = serializers.IntegerField()
    total_stay = serializers.IntegerField(help_text="minutes")
    lower_bound_total_stay = serializers.IntegerField(help_text="minutes")


class PlanOutput(serializers.ModelSerializer):
    objective = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "session", "status", "solver_status", "objective", "created_at", "published_at"]

    @extend_schema_field(ObjectiveOutput)
    def get_objective(self, plan) -> dict:
        return plan.data["objective"]


class ProgressOutput(serializers.Serializer):
    elapsed = serializers.FloatField(help_text="seconds since the solve started")
    phase = serializers.CharField()
    scheduled = serializers.IntegerField(help_text="patients seen")
    priority = serializers.IntegerField()
    total_stay = serializers.IntegerField()
    bound = serializers.IntegerField(help_text="lower bound on the total stay")


class PlanJobOutput(serializers.ModelSerializer):
    progress = ProgressOutput(many=True, help_text="every improving plan, in order")
    plan = serializers.SerializerMethodField()

    class Meta:
        model = PlanJob
        fields = ["job_id", "session", "trigger", "trigger_detail", "status", "cancel_requested", "progress",
                  "error", "time_limit", "created_at", "started_at", "finished_at", "attempts", "dispatched_at",
                  "heartbeat_at", "plan"]
        extra_kwargs = {
            "attempts": {"help_text": "runs started; a run whose worker was lost is started again, a bounded "
                                      "number of times"},
            "dispatched_at": {"help_text": "when the task queue took the job; null while it waits for the broker "
                                           "(it is sent as soon as the broker answers)"},
            "heartbeat_at": {"help_text": "the running worker's last sign of life"},
        }

    @extend_schema_field(PlanOutput(allow_null=True))
    def get_plan(self, job) -> dict | None:
        plan = job_plan(job)
        return PlanOutput(plan).data if plan else None


class PlanStartInput(serializers.Serializer):
    time_limit = serializers.IntegerField(required=False, min_value=1,
                                          help_text="seconds; at most SCHEDULER_TIME_LIMIT (the default)")

    def validate_time_limit(self, value: int) -> int:
        if value > settings.SCHEDULER_TIME_LIMIT:
            raise serializers.ValidationError(_("At most %(seconds)d seconds.") % {
                "seconds": settings.SCHEDULER_TIME_LIMIT})
        return value


class SessionPlanApi(APIView):
    @extend_schema(parameters=[SESSION_ID], responses=OpenApiTypes.OBJECT,
                   description="The published plan of the morning as mammapoli-plan/1.")
    def get(self, request: Request, session_id: int) -> Response:
        # The plan names every patient of the morning: a row for each (planning.access).
        access = morning_for_user(request.user, session_id, what="published plan", action=Action.READ)
        return Response(published_plan(access.session))

    @extend_schema(parameters=[SESSION_ID], request=PlanStartInput, responses={202: PlanJobOutput},
                   description="Plan this morning: a job that runs the engine on all booked visits (a Celery "
                               "task; without a broker it has finished when this answers). 202 also when the "
                               "broker is down: the job waits and is sent as soon as it answers.")
    def post(self, request: Request, session_id: int) -> Response:
        data = PlanStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        with session_attempt(request.user, session_id, roles=PLANNERS, what="plan job") as attempt:
            job = plan_job_start(user=request.user, session=attempt.access.session,
                                 time_limit=data.validated_data.get("time_limit"))
        job.refresh_from_db()
        return Response(PlanJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class PlanJobApi(APIView):
    @extend_schema(parameters=[JOB_ID], responses=PlanJobOutput)
    def get(self, request: Request, job_id: uuid.UUID) -> Response:
        job, _access = plan_job_for_user(request.user, job_id)
        return Response(PlanJobOutput(job).data)


class PlanJobCancelApi(APIView):
    @extend_schema(parameters=[JOB_ID], request=None, responses=PlanJobOutput,
                   description="A queued job never runs; a running one stops and keeps its best plan so far. "
                               "409 when the job has finished.")
    def post(self, request: Request, job_id: uuid.UUID) -> Response:
        with plan_job_attempt(request.user, job_id, roles=PLANNERS) as (job, _attempt):
            cancelled = plan_job_cancel(user=request.user, job=job)
        return Response(PlanJobOutput(cancelled).data)


class VisitChangeOutput(serializers.Serializer):
    visit = serializers.IntegerField(source="visit.pk")
    code = serializers.CharField(source="visit.code")
    patient = serializers.CharField(source="visit.patient.full_name")
    status = serializers.CharField(source="visit.status")
    change = serializers.ChoiceField(choices=Change.ALL, help_text="dropped: on the published plan or in the "
                                     "clinic, and not seen now; unscheduled: not on the plan, still not seen")
    present = serializers.BooleanField(help_text="in the clinic: told in person, never called")
    phone = serializers.CharField(help_text="her phone number, for the call")
    old_arrival = serializers.CharField(allow_null=True)
    new_arrival = serializers.CharField(allow_null=True)
    shift = serializers.IntegerField(allow_null=True, help_text="minutes the arrival moves; later is positive")
    old_departure = serializers.CharField(allow_null=True)
    new_departure = serializers.CharField(allow_null=True)
    steps_moved = serializers.IntegerField()
    steps_reassigned = serializers.IntegerField()
    reason = serializers.CharField(help_text="why she cannot be seen (unscheduled)")
    call = serializers.BooleanField(help_text="booked, not here yet, and her time changed or she cannot be seen")


class PlanDiffOutput(serializers.Serializer):
    plan = PlanOutput()
    stale = serializers.BooleanField(help_text="the bookings changed since: it cannot be published")
    changes = VisitChangeOutput(many=True)


class PlanDiffApi(APIView):
    @extend_schema(parameters=[PLAN_ID], responses=PlanDiffOutput)
    def get(self, request: Request, plan_id: int) -> Response:
        plan, _access = plan_for_user(request.user, plan_id)
        return Response(PlanDiffOutput(proposal_diff(plan=plan, user=request.user)).data)


class PlanPublishApi(APIView):
    @extend_schema(parameters=[PLAN_ID], request=None, responses=PlanOutput,
                   description="Publish the proposal in one transaction. 409 (nothing written) when the "
                               "morning's bookings changed after it was made.")
    def post(self, request: Request, plan_id: int) -> Response:
        with plan_attempt(request.user, plan_id, roles=PLANNERS) as (plan, _attempt):
            published = plan_publish(user=request.user, plan=plan)
        return Response(PlanOutput(published).data)

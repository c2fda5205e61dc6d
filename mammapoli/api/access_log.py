"""GET /api/patients/{id}/access-log/: who did what with a patient's data (privacy officer only).

Reading it is itself logged (action read, what "access log")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.audit.selectors import access_log_for_user

from .forms import ErrorOut


class AccessEventOut(serializers.Serializer):
    at = serializers.DateTimeField(help_text="the first time")
    last_at = serializers.DateTimeField(help_text="the last time the same read was repeated (the first if never)")
    count = serializers.IntegerField(help_text="reads of this row: the same read within 15 minutes of the first")
    username = serializers.CharField()
    role = serializers.CharField()
    action = serializers.CharField(help_text="read, search, list, print, export or write")
    what = serializers.CharField()
    outcome = serializers.CharField(help_text="allowed or denied")
    visit_id = serializers.IntegerField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    detail = serializers.CharField()


class PatientOut(serializers.Serializer):
    id = serializers.IntegerField()
    hospital_number = serializers.CharField()
    name = serializers.CharField(source="full_name")


class AccessLogOut(serializers.Serializer):
    patient = PatientOut()
    events = AccessEventOut(many=True)


class PatientAccessLogApi(APIView):
    @extend_schema(
        responses={200: AccessLogOut,
                   403: OpenApiResponse(ErrorOut, description="not a privacy officer of the patient's clinic"),
                   404: OpenApiResponse(ErrorOut, description="no such patient in the user's clinics")},
        summary="A patient's access log, newest first",
    )
    def get(self, request: Request, patient_id: int) -> Response:
        patient, events = access_log_for_user(request.user, patient_id)
        return Response(AccessLogOut({"patient": patient, "events": events}).data)

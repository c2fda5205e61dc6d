"""GET /api/visits/?date=YYYY-MM-DD: the visits the user may see; POST /api/visits/: book one."""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.planning.access import visits_for_user

from .booking import VisitBookedOutput, VisitBookInput, book_visit


class VisitListQuery(serializers.Serializer):
    date = serializers.DateField(required=False)


class VisitListItem(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    patient = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    status = serializers.CharField()
    pathway = serializers.CharField(source="pathway.code")

    def get_patient(self, visit) -> dict:
        patient = visit.patient
        return {"id": patient.pk, "hospital_number": patient.hospital_number, "name": patient.full_name}

    def get_session(self, visit) -> dict:
        return {"id": visit.session_id, "clinic": visit.session.clinic.name, "date": visit.session.date.isoformat()}


class VisitListApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("date", dt.date, description="only this morning")],
                   responses=VisitListItem(many=True))
    def get(self, request: Request) -> Response:
        query = VisitListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        visits = visits_for_user(request.user, day=query.validated_data.get("date"))
        return Response(VisitListItem(visits, many=True).data)

    @extend_schema(request=VisitBookInput, responses={201: VisitBookedOutput},
                   description="Book a referral on a morning with the first step at `arrival` (a planner). "
                               "409 when the patient no longer fits there; nothing is written.")
    def post(self, request: Request) -> Response:
        return book_visit(request)

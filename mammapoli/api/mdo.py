"""GET /api/mdo/discordant/?date=YYYY-MM-DD[&until=YYYY-MM-DD]: discordant visits for the
multidisciplinary meeting (MDO), with the computed concordance and its reasons."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.records.selectors import discordant_visits_for_user

from .forms import ConcordanceOut, ErrorOut
from .visits import VisitListItem

MAX_DAYS = 31


class DiscordantQuery(serializers.Serializer):
    date = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        day = attrs.setdefault("date", timezone.localdate())
        until = attrs.get("until")
        if until is not None and not day <= until <= day + dt.timedelta(days=MAX_DAYS - 1):
            raise serializers.ValidationError(
                {"until": [_("Give a date from 'date' up to %(days)s days later.") % {"days": MAX_DAYS}]})
        return attrs


class DiscordantItem(serializers.Serializer):
    visit = VisitListItem()
    concordance = ConcordanceOut()


class DiscordantListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("date", dt.date, description="the morning (default: today)"),
                    OpenApiParameter("until", dt.date, description=f"through this date (at most {MAX_DAYS} days)")],
        responses={200: DiscordantItem(many=True),
                   400: OpenApiResponse(description="a bad date, named"),
                   403: OpenApiResponse(ErrorOut, description="this role does not read findings")},
        summary="Discordant visits for the multidisciplinary meeting",
    )
    def get(self, request: Request) -> Response:
        query = DiscordantQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        shown = discordant_visits_for_user(request.user, day=query.validated_data["date"],
                                           until=query.validated_data.get("until"))
        return Response([{"visit": VisitListItem(item.visit).data, "concordance": item.concordance.as_dict()}
                         for item in shown])

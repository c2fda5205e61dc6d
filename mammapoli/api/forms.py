"""The shared form over HTTP, with optimistic concurrency per section as FHIR servers do it.

GET  /api/visits/{id}/form/                       all sections, each with its version
GET  /api/visits/{id}/form/{section}/             one section, ETag: W/"<version>"
PATCH the same URL, If-Match required             428 without, 412 (with the current section) when stale
POST /api/visits/{id}/form/{section}/sign/        If-Match required
POST /api/visits/{id}/form/{section}/addenda/     If-Match required; {"reason": "...", "changes": {...}}
GET  /api/visits/{id}/form/{section}/history/     every version: who, role, when, changes
"""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mammapoli.core.bounds import REASON_MAX_LENGTH
from mammapoli.records import selectors, services
from mammapoli.records.content import CONTENT_SERIALIZERS
from mammapoli.records.errors import (
    ContentInvalid,
    FormChangeRefused,
    StaleVersion,
    VersionRequired,
)
from mammapoli.records.models import FormSection
from mammapoli.records.sections import SECTION_KEYS, SectionKey

from .visits import VisitListItem

# --- representations ------------------------------------------------------------------------


class PersonOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()}


class ChangeOut(serializers.Serializer):
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VersionOut(serializers.Serializer):
    version = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["edit", "sign", "addendum"])
    author = PersonOut()
    role = serializers.CharField()
    at = serializers.DateTimeField()
    changes = serializers.DictField(child=ChangeOut(), help_text="per changed field: old and new value")
    reason = serializers.CharField(help_text="an addendum's reason; empty otherwise")


class AddendumOut(serializers.Serializer):
    version = serializers.IntegerField()
    author = PersonOut()
    role = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    changes = serializers.DictField(child=ChangeOut())


def version_json(row) -> dict:
    return {"version": row.version, "kind": row.kind, "author": person(row.author), "role": row.role,
            "at": serializers.DateTimeField().to_representation(row.at), "changes": row.changes, "reason": row.reason}


def _section_out(key: str) -> type[serializers.Serializer]:
    content = CONTENT_SERIALIZERS[key]
    name = key.capitalize()
    signature = type(f"{name}SignatureOut", (serializers.Serializer,), {
        "by": PersonOut(), "at": serializers.DateTimeField(), "version": serializers.IntegerField(),
        "content": content(help_text="the content as signed"),
    })
    return type(f"{name}SectionOut", (serializers.Serializer,), {
        "section": serializers.ChoiceField(choices=[key]),
        "version": serializers.IntegerField(help_text='also in the ETag header, W/"<version>"'),
        "content": content(),
        "updated_at": serializers.DateTimeField(allow_null=True),
        "updated_by": PersonOut(allow_null=True),
        "signed": signature(allow_null=True, help_text="null until the section is signed"),
        "addenda": AddendumOut(many=True),
        "writable": serializers.BooleanField(help_text="whether the user asking may change this section"),
    })


SECTION_OUT = {key: _section_out(key) for key in SECTION_KEYS}
SECTION_ANY_OUT = PolymorphicProxySerializer(
    component_name="FormSectionOut", serializers=list(SECTION_OUT.values()), resource_type_field_name="section")


def section_json(view: selectors.SectionView) -> dict:
    section = view.section
    dt_field = serializers.DateTimeField()
    signed = None
    if section.signed:
        signed = {"by": person(section.signed_by), "at": dt_field.to_representation(section.signed_at),
                  "version": section.signed_version, "content": view.signed_content}
    return {
        "section": section.key, "version": section.version, "content": section.content,
        "updated_at": dt_field.to_representation(section.updated_at) if section.updated_at else None,
        "updated_by": person(section.updated_by), "signed": signed,
        "addenda": [{key: value for key, value in version_json(row).items() if key != "kind"} for row in view.addenda],
        "writable": view.writable,
    }


class ConcordanceOut(serializers.Serializer):
    positive = serializers.BooleanField(help_text="any component is 3 or worse")
    discordant = serializers.BooleanField(help_text="the components disagree")
    reasons = serializers.ListField(child=serializers.CharField())


class SectionsOut(serializers.Serializer):
    clinical = SECTION_OUT[SectionKey.CLINICAL]()
    imaging = SECTION_OUT[SectionKey.IMAGING]()
    pathology = SECTION_OUT[SectionKey.PATHOLOGY]()
    conclusion = SECTION_OUT[SectionKey.CONCLUSION]()


class FormOut(serializers.Serializer):
    visit = VisitListItem()
    concordance = ConcordanceOut()
    sections = SectionsOut()


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()


class StaleOut(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="the section's current version")
    content = serializers.JSONField(help_text="the section's current content")
    updated_by = PersonOut(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class AddendumIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="why the signed section is amended")
    changes = serializers.JSONField(required=False, help_text="fields to change, as in PATCH (optional)")


# --- HTTP details ---------------------------------------------------------------------------

SECTION_PARAMETER = OpenApiParameter("section", str, OpenApiParameter.PATH, enum=list(SECTION_KEYS))
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description='The ETag of the version the change was made on, W/"<version>" (428 without it, 412 if stale).')
_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def expected_version(request: Request) -> int | None:
    """The version in If-Match: None when absent; -1 (matches nothing) when unreadable."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = _ETAG.match(header)
    return int(match.group(1)) if match else -1


def etag(section: FormSection) -> str:
    return f'W/"{section.version}"'


def _section_or_404(section: str) -> str:
    if section not in SECTION_KEYS:
        raise NotFound()
    return section


WRITE_RESPONSES = {
    400: OpenApiResponse(description="invalid content: an error per field, nested as the content"),
    403: OpenApiResponse(ErrorOut, description="this role does not write this section; nothing written"),
    404: OpenApiResponse(ErrorOut, description="no such visit in the user's clinics"),
    409: OpenApiResponse(ErrorOut, description="signed (use an addendum), not signed, or nothing to sign"),
    412: OpenApiResponse(StaleOut, description="someone saved the section since the If-Match version"),
    428: OpenApiResponse(ErrorOut, description="If-Match missing"),
}
READ_RESPONSES = {
    403: OpenApiResponse(ErrorOut, description="this role does not read findings (planner, privacy officer)"),
    404: OpenApiResponse(ErrorOut, description="no such visit in the user's clinics"),
}


class FormChangeErrors:
    """Turns a refused change into its HTTP answer (nothing was written)."""

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            current = exc.current
            body = {"detail": str(exc.message), "version": current.version, "content": current.content,
                    "updated_by": person(current.updated_by),
                    "updated_at": serializers.DateTimeField().to_representation(current.updated_at)
                    if current.updated_at else None}
            return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current)})
        if isinstance(exc, VersionRequired):
            return Response({"detail": str(exc.message)}, status=status.HTTP_428_PRECONDITION_REQUIRED)
        if isinstance(exc, ContentInvalid):
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, FormChangeRefused):
            return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


def _section_response(section: FormSection, status_code=status.HTTP_200_OK) -> Response:
    view = selectors.section_view_after_write(section)
    return Response(section_json(view), status=status_code, headers={"ETag": etag(view.section)})


# --- views ----------------------------------------------------------------------------------


class VisitFormApi(APIView):
    @extend_schema(operation_id="visit_form_retrieve", responses={200: FormOut, **READ_RESPONSES}, summary="The visit's form: every section and the "
                   "computed triple-assessment concordance")
    def get(self, request: Request, visit_id: int) -> Response:
        form = selectors.form_for_user(request.user, visit_id)
        body = {"visit": VisitListItem(form.visit).data, "concordance": form.concordance.as_dict(),
                "sections": {key: section_json(view) for key, view in form.sections.items()}}
        return Response(body)


class FormSectionApi(FormChangeErrors, APIView):
    @extend_schema(operation_id="visit_form_section_retrieve", parameters=[SECTION_PARAMETER],
                   responses={200: SECTION_ANY_OUT, **READ_RESPONSES}, summary="One section, with its version in the ETag")
    def get(self, request: Request, visit_id: int, section: str) -> Response:
        _access, view = selectors.section_for_user(request.user, visit_id, _section_or_404(section))
        return Response(section_json(view), headers={"ETag": etag(view.section)})

    @extend_schema(
        operation_id="visit_form_section_partial_update",
        parameters=[SECTION_PARAMETER, IF_MATCH],
        request=PolymorphicProxySerializer(
            component_name="FormSectionChanges", resource_type_field_name=None,
            serializers=[serializer(partial=True) for serializer in CONTENT_SERIALIZERS.values()]),
        responses={200: SECTION_ANY_OUT, **WRITE_RESPONSES},
        summary="Change fields of a section (top-level fields are replaced)",
    )
    def patch(self, request: Request, visit_id: int, section: str) -> Response:
        updated = services.form_section_update(user=request.user, visit_id=visit_id,
                                               section=_section_or_404(section), changes=request.data,
                                               expected_version=expected_version(request))
        return _section_response(updated)


class FormSectionSignApi(FormChangeErrors, APIView):
    @extend_schema(operation_id="visit_form_section_sign", parameters=[SECTION_PARAMETER, IF_MATCH], request=None,
                   responses={200: SECTION_ANY_OUT, **WRITE_RESPONSES},
                   summary="Sign the section at the If-Match version")
    def post(self, request: Request, visit_id: int, section: str) -> Response:
        signed = services.form_section_sign(user=request.user, visit_id=visit_id, section=_section_or_404(section),
                                            expected_version=expected_version(request))
        return _section_response(signed)


class FormSectionAddendaApi(FormChangeErrors, APIView):
    @extend_schema(operation_id="visit_form_section_addendum_create", parameters=[SECTION_PARAMETER, IF_MATCH],
                   request=AddendumIn,
                   responses={201: SECTION_ANY_OUT, **WRITE_RESPONSES},
                   summary="Add an addendum (reason required) to a signed section")
    def post(self, request: Request, visit_id: int, section: str) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        amended = services.form_addendum_add(
            user=request.user, visit_id=visit_id, section=_section_or_404(section),
            reason=data.get("reason") if isinstance(data.get("reason"), str) else "",
            changes=data.get("changes", {}), expected_version=expected_version(request))
        return _section_response(amended, status.HTTP_201_CREATED)


class FormSectionHistoryApi(APIView):
    @extend_schema(operation_id="visit_form_section_history", parameters=[SECTION_PARAMETER],
                   responses={200: VersionOut(many=True), **READ_RESPONSES},
                   summary="Every version of the section, oldest first")
    def get(self, request: Request, visit_id: int, section: str) -> Response:
        _access, view = selectors.section_history_for_user(request.user, visit_id, _section_or_404(section))
        return Response([version_json(row) for row in view.section.history])

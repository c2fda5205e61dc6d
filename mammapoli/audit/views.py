"""The privacy officer's pages: find a patient of her clinics and see who looked at what, or read
the whole log of her clinics for a day; filter, page through, export as CSV.

Every search, every page of the log and every export is itself logged.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mammapoli.clinics.models import Role
from mammapoli.records.access import patients_search_for_privacy_officer

from .display import detail_text, what_text
from .export import csv_lines
from .filters import AccessLogFilter
from .selectors import (
    access_log_for_user,
    clinic_log_export,
    clinic_log_for_user,
    clinic_log_page,
    filtered_page,
    patient_log_export,
)


@login_required
@require_GET
def privacy_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    patients = patients_search_for_privacy_officer(request.user, query)  # anyone else: 403, logged
    return render(request, "audit/privacy_search.html", {"query": query, "patients": patients})


@login_required
@require_GET
def patient_access_log(request: HttpRequest, patient_id: int) -> HttpResponse:
    log_filter = AccessLogFilter(request.GET)
    if request.GET.get("format") == "csv" and log_filter.is_valid():
        patient, events = patient_log_export(request.user, patient_id, log_filter)
        return _csv(events, f"access-log-{patient.hospital_number}")
    patient, events = access_log_for_user(request.user, patient_id)
    valid = log_filter.is_valid()
    page = filtered_page(events, log_filter, request.GET.get("page") or 1) if valid else None
    return render(request, "audit/patient_access_log.html", {
        "patient": patient, "filter": log_filter, "page": page, "rows": _rows(page), "total": events.count()},
        status=200 if valid else 400)


@login_required
@require_GET
def clinic_access_log(request: HttpRequest) -> HttpResponse:
    log = clinic_log_for_user(request.user)
    log_filter = AccessLogFilter(request.GET or {"date_from": timezone.localdate(), "date_to": timezone.localdate()})
    if not log_filter.is_valid():
        return render(request, "audit/clinic_access_log.html", {"filter": log_filter, "page": None, "rows": []},
                      status=400)
    if request.GET.get("format") == "csv":
        return _csv(clinic_log_export(request.user, log, log_filter), "access-log")
    page = clinic_log_page(request.user, log, log_filter, request.GET.get("page") or 1)
    return render(request, "audit/clinic_access_log.html", {"filter": log_filter, "page": page, "rows": _rows(page)})


def _rows(page: Page | None) -> list[tuple]:
    if page is None:
        return []
    roles = dict(Role.choices)
    return [(event, roles.get(event.role, event.role), what_text(event.what), detail_text(event.detail))
            for event in page]


def _csv(lines, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
    return response

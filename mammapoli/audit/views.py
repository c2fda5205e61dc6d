"""The privacy officer's pages: find a patient of her clinics, and see who looked at what.

Both the search and the look at the log are themselves logged.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mammapoli.clinics.models import Role
from mammapoli.records.access import patients_search_for_privacy_officer

from .display import detail_text, what_text
from .selectors import access_log_for_user

MAX_ROWS = 2000  # the newest; the API returns them all


@login_required
@require_GET
def privacy_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    patients = patients_search_for_privacy_officer(request.user, query)  # anyone else: 403, logged
    return render(request, "audit/privacy_search.html", {"query": query, "patients": patients})


@login_required
@require_GET
def patient_access_log(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient, events = access_log_for_user(request.user, patient_id)
    roles = dict(Role.choices)
    rows = [(event, roles.get(event.role, event.role), what_text(event.what), detail_text(event.detail))
            for event in events[:MAX_ROWS]]
    return render(request, "audit/patient_access_log.html", {"patient": patient, "rows": rows, "total": events.count(),
                                                             "max_rows": MAX_ROWS})

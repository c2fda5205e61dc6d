"""Finding a patient and her page: her visits (with the form, for those who read findings)
and her referrals (with the booking page, for planners)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .patient_search import MIN_QUERY, patient_for_user, patients_search_for_user, search_roles_for


@login_required
@require_GET
def patient_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    search = patients_search_for_user(request.user, query) if query.strip() else None
    return render(request, "records/patient_search.html", {
        "search": search, "query": query.strip(), "min_query": MIN_QUERY,
        "may_search": bool(search_roles_for(request.user))})


@login_required
@require_GET
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    record = patient_for_user(request.user, patient_id)
    visits = [{"visit": v, "form": record.reads_findings(v.session.clinic_id)} for v in record.visits]
    referrals = [{"referral": r, "book": record.plans(r.clinic_id)} for r in record.referrals]
    return render(request, "records/patient_detail.html", {
        "patient": record.patient, "visits": visits, "referrals": referrals})

"""The carbon-copy page: every section of one visit on one screen, your own editable.

Plain HTML forms, no JavaScript: each section posts to its own URL with the version it was
opened at (a hidden field, like the API's If-Match). A save that comes too late re-renders
the page with the other person's version beside yours instead of overwriting it.
Everything goes through the selectors and services, so the rights and the access log are
the API's.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mammapoli.audit.models import Action
from mammapoli.clinics.models import Role
from mammapoli.clinics.roles import CLINICAL_ROLES
from mammapoli.letters.selectors import latest_letter
from mammapoli.planning.access import visits_for_user

from . import selectors, services
from .content import content_validate
from .errors import ContentInvalid, FormChangeRefused, StaleVersion
from .form_layout import field_display, layout, parse
from .models import FormSection
from .sections import SECTION_KEYS, SECTION_WRITERS, SectionKey


def _section_or_404(section: str) -> str:
    if section not in SECTION_KEYS:
        raise Http404(section)
    return section


def _posted_version(request: HttpRequest) -> int | None:
    """The hidden version field; missing or unreadable counts as not given (refused, asks for it)."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _changes(section: str, row) -> dict:
    """A version row with its changes as (label, old, new) for display."""
    return {"row": row, "role": dict(Role.choices).get(row.role, row.role),
            "changes": [(*field_display(section, name, change["old"]), field_display(section, name, change["new"])[1])
                        for name, change in row.changes.items()]}


def _from_referral(section, referral) -> dict | None:
    """The clinical examination's complaint, not written yet, taken from the referral (the
    surgeon checks and saves it: nothing is typed twice)."""
    if referral is None or section.key != SectionKey.CLINICAL or section.content.get("complaint"):
        return None
    text = referral.get_complaint_display()
    text = f"{text[:1].upper()}{text[1:]}" + (f": {referral.reason}" if referral.reason else "")
    return {**section.content, "complaint": text}


def _section_context(view: selectors.SectionView, *, bound: dict | None = None, errors: dict | None = None,
                     reason: str = "", reason_errors: list | None = None, conflict: dict | None = None,
                     referral=None) -> dict:
    section = view.section
    editable = view.writable and not section.signed
    amendable = view.writable and section.signed
    prefilled = _from_referral(section, referral) if editable and bound is None else None
    bound = prefilled or bound
    signed_nodes = layout(section.key, view.signed_content or {}, editable=False) if section.signed else None
    return {
        "view": view, "key": section.key, "label": section.get_key_display(), "section": section,
        "writer_role": Role(SECTION_WRITERS[section.key]).label,
        "current_nodes": layout(section.key, section.content, editable=False),
        "signed_nodes": signed_nodes,
        "addenda": [_changes(section.key, row) for row in view.addenda],
        "edit_nodes": layout(section.key, bound if bound is not None else section.content, errors,
                             editable=True) if (editable or amendable) else None,
        "editable": editable, "amendable": amendable, "open_addendum": bool(amendable and (errors or reason_errors)),
        "version": conflict["theirs"].version if conflict else section.version,
        "reason": reason, "reason_errors": reason_errors or [],
        "history": [_changes(section.key, row) for row in reversed(view.section.history)],
        "conflict": conflict, "prefilled": bool(prefilled),
        "signed_content_version": section.signed_version - 1 if section.signed else None,
    }


def _page(request: HttpRequest, form: selectors.FormView, *, status: int = 200, **section_overrides) -> HttpResponse:
    """The form page; `section_overrides` re-renders one section with what the user typed."""
    sections = []
    for key, view in form.sections.items():
        overrides = section_overrides if section_overrides.get("key") == key else {}
        sections.append(_section_context(view, referral=form.visit.referral,
                                         **{k: v for k, v in overrides.items() if k != "key"}))
    own = [s for s in sections if s["editable"] or s["amendable"]]
    context = {"form": form, "visit": form.visit, "patient": form.visit.patient, "sections": sections,
               "own_sections": own, "concordance": form.concordance, "now": timezone.now(),
               "letter": latest_letter(form.visit.pk),
               "role": Role(form.access.role).label, "age": form.visit.patient.age_on(form.visit.session.date)}
    return render(request, "records/visit_form.html", context, status=status)


@login_required
@require_GET
def visit_form(request: HttpRequest, visit_id: int) -> HttpResponse:
    if request.GET.get("print") == "1":
        form = selectors.form_for_user(request.user, visit_id, action=Action.PRINT)
        return render(request, "records/form_print.html", {
            "form": form, "visit": form.visit, "patient": form.visit.patient, "concordance": form.concordance,
            "age": form.visit.patient.age_on(form.visit.session.date),
            "sections": [_section_context(view) for view in form.sections.values()], "now": timezone.now()})
    return _page(request, selectors.form_for_user(request.user, visit_id))


def _back(visit_id: int, section: str) -> HttpResponse:
    return redirect(reverse("visit-form", args=[visit_id]) + f"#section-{section}")


def _refused(request: HttpRequest, visit_id: int, section: str, refusal: FormChangeRefused) -> HttpResponse:
    messages.error(request, str(refusal.message))
    return _back(visit_id, section)


def _conflict(request, visit_id: int, section: str, stale: StaleVersion, bound: dict, **extra) -> HttpResponse:
    """Their version (the current one) beside yours (what was typed), to merge by hand."""
    form = selectors.form_for_user(request.user, visit_id)
    theirs = form.sections[section].section
    yours, errors = content_validate(section, {**theirs.content, **bound})
    yours = yours or bound
    differences = [(*field_display(section, name, theirs.content.get(name)), field_display(section, name, value)[1])
                   for name, value in yours.items() if theirs.content.get(name) != value]
    conflict = {"theirs": theirs, "expected": stale.expected, "differences": differences,
                "since": [_changes(section, row) for row in selectors.versions_since(theirs, stale.expected)]}
    messages.warning(request, _("Someone else saved this section after you opened it. Their version is shown beside "
                                "yours: merge the two and save again."))
    return _page(request, form, status=409, key=section, bound=bound, conflict=conflict, **extra)


@login_required
@require_POST
def section_save(request: HttpRequest, visit_id: int, section: str) -> HttpResponse:
    section = _section_or_404(section)
    bound = parse(section, request.POST)
    try:
        services.form_section_update(user=request.user, visit_id=visit_id, section=section, changes=bound,
                                     expected_version=_posted_version(request))
    except ContentInvalid as invalid:
        messages.error(request, str(invalid.message))
        return _page(request, selectors.form_for_user(request.user, visit_id), status=400, key=section,
                     bound=bound, errors=invalid.errors)
    except StaleVersion as stale:
        return _conflict(request, visit_id, section, stale, bound)
    except FormChangeRefused as refusal:
        return _refused(request, visit_id, section, refusal)
    messages.success(request, _("%(section)s saved.") % {"section": FormSection(key=section).get_key_display()})
    return _back(visit_id, section)


@login_required
@require_POST
def section_sign(request: HttpRequest, visit_id: int, section: str) -> HttpResponse:
    section = _section_or_404(section)
    try:
        signed = services.form_section_sign(user=request.user, visit_id=visit_id, section=section,
                                            expected_version=_posted_version(request))
    except StaleVersion:
        messages.error(request, _("The section changed after you opened it: read it again before signing."))
        return _back(visit_id, section)
    except FormChangeRefused as refusal:
        return _refused(request, visit_id, section, refusal)
    messages.success(request, _("%(section)s: version %(version)s signed.") % {
        "section": FormSection(key=section).get_key_display(), "version": signed.signed_version - 1})
    return _back(visit_id, section)


@login_required
@require_POST
def section_addendum(request: HttpRequest, visit_id: int, section: str) -> HttpResponse:
    section = _section_or_404(section)
    bound = parse(section, request.POST)
    reason = request.POST.get("reason", "")
    try:
        services.form_addendum_add(user=request.user, visit_id=visit_id, section=section, reason=reason,
                                   changes=bound, expected_version=_posted_version(request))
    except ContentInvalid as invalid:
        messages.error(request, str(invalid.message))
        return _page(request, selectors.form_for_user(request.user, visit_id), status=400, key=section,
                     bound=bound, errors=invalid.errors.get("changes"), reason=reason,
                     reason_errors=invalid.errors.get("reason"))
    except StaleVersion as stale:
        return _conflict(request, visit_id, section, stale, bound, reason=reason)
    except FormChangeRefused as refusal:
        return _refused(request, visit_id, section, refusal)
    messages.success(request, _("Addendum added."))
    return _back(visit_id, section)


def _day(request: HttpRequest, name: str = "date") -> dt.date | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """A morning's visits in the user's clinics (planners see names and visits, not findings)."""
    day = _day(request) or timezone.localdate()
    bad_date = bool(request.GET.get("date")) and _day(request) is None
    visits = list(visits_for_user(request.user, day=day))
    roles = dict(request.user.memberships.values_list("clinic_id", "role"))
    rows = [{"visit": visit, "reads_findings": roles.get(visit.session.clinic_id) in CLINICAL_ROLES}
            for visit in visits]
    return render(request, "records/visit_list.html", {
        "day": day, "rows": rows, "bad_date": bad_date,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)})


@login_required
@require_GET
def mdo_list(request: HttpRequest) -> HttpResponse:
    """Discordant visits for the multidisciplinary meeting (from `date` through `until`)."""
    day = _day(request) or timezone.localdate()
    until = _day(request, "until")
    if until is not None and not day <= until <= day + dt.timedelta(days=30):
        messages.error(request, _("Give a date from 'date' up to %(days)s days later.") % {"days": 31})
        until = None
    shown = selectors.discordant_visits_for_user(request.user, day=day, until=until)
    return render(request, "records/mdo_list.html", {"day": day, "until": until, "shown": shown})

"""Reads of the shared form, each through the permission-checking helpers (and so logged)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record
from mammapoli.planning.access import VisitAccess, visible_visits, visit_for_user, visits_log_listed
from mammapoli.planning.models import Visit

from .models import ChangeKind, FormSection, SectionVersion, VisitForm
from .scoring import Concordance, concordance_of
from .sections import SECTION_KEYS, SECTION_WRITERS, may_write_section
from .content import section_defaults


@dataclass(frozen=True)
class SectionView:
    section: FormSection
    writable: bool  # by the user who asked
    addenda: tuple[SectionVersion, ...]
    signed_content: dict | None  # the content as signed (addenda are kept beside it)

    @property
    def key(self) -> str:
        return self.section.key


@dataclass(frozen=True)
class FormView:
    access: VisitAccess
    form: VisitForm | None  # None: nobody has written on it yet (a visit not booked through the services)
    sections: dict[str, SectionView]
    concordance: Concordance

    @property
    def visit(self) -> Visit:
        return self.access.visit


def _unwritten(key: str) -> FormSection:
    """A section as it starts, not stored (a read writes nothing; the first write stores it)."""
    section = FormSection(key=key, content=section_defaults(key))
    section.history = []
    return section


def _section_views(form: VisitForm | None, role: str) -> dict[str, SectionView]:
    """The form's sections as `role` sees them. The form is made when the visit is booked; a
    visit made otherwise (by hand in the admin) shows its sections as they start."""
    sections = {key: _unwritten(key) for key in SECTION_KEYS}
    if form is not None:
        sections.update({section.key: section for section in
                         FormSection.objects.filter(form=form).select_related("updated_by", "signed_by")
                         .prefetch_related(Prefetch("versions", queryset=SectionVersion.objects.select_related(
                             "author").order_by("version"), to_attr="history"))})
    views = {}
    for key in SECTION_KEYS:
        section = sections[key]
        signed = next((v.content for v in section.history if v.version == section.signed_version), None)
        views[key] = SectionView(
            section=section, writable=may_write_section(role, key), signed_content=signed,
            addenda=tuple(v for v in section.history if v.kind == ChangeKind.ADDENDUM),
        )
    return views


def _form_of(visit: Visit) -> VisitForm | None:
    return VisitForm.objects.filter(visit=visit).first()


def form_for_user(
    user: AbstractBaseUser | AnonymousUser, visit_id: int, *, action=Action.READ, what: str = "form",
) -> FormView:
    """All sections of the visit's form with their history, and the computed concordance."""
    access = visit_for_user(user, visit_id, findings=True, action=action, what=what)
    form = _form_of(access.visit)
    sections = _section_views(form, access.role)
    verdict = concordance_of({key: view.section.content for key, view in sections.items()})
    return FormView(access=access, form=form, sections=sections, concordance=verdict)


def section_for_user(
    user: AbstractBaseUser | AnonymousUser, visit_id: int, section: str, *, what: str | None = None,
) -> tuple[VisitAccess, SectionView]:
    """One section (with its history) of the visit's form."""
    access = visit_for_user(user, visit_id, findings=True, what=what or f"form section {section}")
    form = _form_of(access.visit)
    return access, _section_views(form, access.role)[section]


def section_history_for_user(
    user: AbstractBaseUser | AnonymousUser, visit_id: int, section: str,
) -> tuple[VisitAccess, SectionView]:
    """A section with its full history (`section.history`, oldest first)."""
    return section_for_user(user, visit_id, section, what=f"form section {section} history")


def section_view_after_write(section: FormSection) -> SectionView:
    """A section as its writer sees it right after a change (that change's log row covers this)."""
    return _section_views(section.form, SECTION_WRITERS[section.key])[section.key]


def versions_since(section: FormSection, version: int) -> list[SectionVersion]:
    """The changes made after `version` (to show someone whose save came too late)."""
    return list(section.versions.filter(version__gt=version).select_related("author").order_by("version"))


@dataclass(frozen=True)
class DiscordantVisit:
    visit: Visit
    concordance: Concordance


def discordant_visits_for_user(
    user: AbstractBaseUser | AnonymousUser, *, day: dt.date, until: dt.date | None = None,
) -> list[DiscordantVisit]:
    """The discordant visits of the user's clinics for the multidisciplinary meeting (MDO).

    Only roles that read findings: anyone else in a team gets `PermissionDenied` (logged).
    One LIST row per patient shown; the visits checked but not shown are not logged.
    """
    visits, roles = visible_visits(user, day=day, until=until, findings=True)
    detail = f"date={day.isoformat()}" + (f"..{until.isoformat()}" if until else "")
    if not roles:
        any_role = visible_visits(user)[1]
        if any_role:
            clinic_id, role = next(iter(any_role.items()))
            access_event_record(user=user, action=Action.LIST, what="MDO discordant list", outcome=Outcome.DENIED,
                                role=role, clinic_id=clinic_id, detail=f"role {role} does not read findings")
            raise PermissionDenied(_("Your role does not read the findings."))
        return []
    contents: dict[int, dict[str, dict]] = {}
    for visit_id, key, content in FormSection.objects.filter(form__visit__in=visits).values_list(
            "form__visit_id", "key", "content"):
        contents.setdefault(visit_id, {})[key] = content
    shown = []
    for visit in visits:
        verdict = concordance_of(contents.get(visit.pk, {}))
        if verdict.discordant:
            shown.append(DiscordantVisit(visit=visit, concordance=verdict))
    visits_log_listed(user, [item.visit for item in shown], roles=roles, what="MDO discordant list", detail=detail)
    return shown

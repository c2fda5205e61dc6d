"""Writes to the shared form. Every change goes through here.

Each service checks the user's right to write the section (`visit_write`, which also writes
the access-log row of the attempt), locks the section's row, compares the version the
change was made on (optimistic concurrency: a stale version is refused, nothing is lost),
validates the whole resulting content, and records an immutable `SectionVersion`. All of
it happens in one transaction, opened by `visit_write` rather than by a decorator here: the
access-log row of a refused attempt must be written after that transaction rolls back, or
the refusal would vanish from the log with it. A refusal leaves nothing but that row.
"""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from mammapoli.audit.attempts import WriteAttempt
from mammapoli.core.bounds import REASON_MAX_LENGTH, reason_too_long
from mammapoli.letters.tasks import gp_letter_queue
from mammapoli.planning.models import Visit

from .access import visit_write
from .content import Outcome, Plan, content_validate, plain, section_defaults
from .errors import ContentInvalid, NothingToSign, SectionNotSigned, SectionSigned, StaleVersion, VersionRequired
from .models import ChangeKind, FormSection, SectionVersion, VisitForm
from .scoring import BadgeState, concordance_of
from .sections import SECTION_KEYS, SectionKey


def visit_form_ensure(*, visit: Visit) -> VisitForm:
    """The visit's form with its four sections, created (empty, version 0) on first access.

    Safe when two requests create it at once: the unique constraints decide, the loser reads.
    """
    form, _created = VisitForm.objects.get_or_create(visit=visit)
    have = set(form.sections.values_list("key", flat=True))
    missing = [FormSection(form=form, key=key, content=section_defaults(key)) for key in SECTION_KEYS if key not in have]
    if missing:
        FormSection.objects.bulk_create(missing, ignore_conflicts=True)
    return form


def _locked_section(visit: Visit, section: str) -> FormSection:
    form = visit_form_ensure(visit=visit)
    return FormSection.objects.select_for_update().get(form=form, key=section)


def _check_version(section: FormSection, expected_version: int) -> None:
    if expected_version != section.version:
        raise StaleVersion(expected=expected_version, current=section)


def _merged_content(section: FormSection, changes: Mapping, *, errors_under: str | None = None) -> dict:
    """The section's content with `changes` (top-level fields replaced), validated as a whole."""
    if not isinstance(changes, Mapping):
        errors = {"non_field_errors": [_("Send an object with the fields to change.")]}
        raise ContentInvalid({errors_under: errors} if errors_under else errors)
    content, errors = content_validate(section.key, {**section.content, **plain(dict(changes))})
    if errors:
        raise ContentInvalid({errors_under: errors} if errors_under else errors)
    return content


def _changed_fields(old: Mapping, new: Mapping) -> dict:
    return {name: {"old": old.get(name), "new": new.get(name)}
            for name in new if old.get(name) != new.get(name)}


def _check_plan(section: FormSection, content: Mapping, *, errors_under: str | None = None) -> None:
    """Reassure and discharge only when the triple assessment is negative and complete: never
    with a positive or discordant assessment or a biopsy whose result is still out. A benign
    outcome against a positive or discordant assessment needs the surgeon's reason, written
    in `outcome_override` (and so kept in the section's history)."""
    if section.key != SectionKey.CONCLUSION:
        return
    discharge = content.get("plan") == Plan.DISCHARGE
    benign = content.get("outcome") == Outcome.BENIGN and not (content.get("outcome_override") or "").strip()
    if not discharge and not benign:
        return
    contents = dict(FormSection.objects.filter(form=section.form_id).values_list("key", "content"))
    verdict = concordance_of(contents)
    errors = {}
    state = BadgeState(verdict.state).label
    if discharge and (verdict.positive or verdict.discordant or not verdict.complete):
        errors["plan"] = [_("Reassure and discharge needs a negative, complete triple assessment; "
                            "this one is %(state)s.") % {"state": state}]
    if benign and (verdict.positive or verdict.discordant):
        errors["outcome_override"] = [_("The computed assessment is %(state)s: say why the outcome is benign "
                                        "nevertheless, or choose another outcome.") % {"state": state}]
    if errors:
        raise ContentInvalid({errors_under: errors} if errors_under else errors)


def _record(attempt: WriteAttempt, section: FormSection, *, user: AbstractBaseUser, kind: str, content: dict,
            changes: dict, reason: str = "") -> FormSection:
    """Move the section to its next version and keep the version row. The UPDATE repeats the
    version check, so even a database without row locks cannot lose an update."""
    now = timezone.now()
    section.content = content
    section.version += 1
    section.updated_at, section.updated_by = now, user
    section.full_clean()
    written = FormSection.objects.filter(pk=section.pk, version=section.version - 1).update(
        content=section.content, version=section.version, updated_at=now, updated_by=user,
        signed_by=section.signed_by, signed_at=section.signed_at, signed_version=section.signed_version,
    )
    if written != 1:  # pragma: no cover - only without row locks (the lock above makes this unreachable)
        raise StaleVersion(expected=section.version - 1, current=FormSection.objects.get(pk=section.pk))
    version = SectionVersion(section=section, version=section.version, kind=kind, author=user,
                             role=attempt.access.role, at=now, changes=changes, content=content, reason=reason)
    version.full_clean()
    version.save()
    attempt.detail = f"{kind} version {section.version}" + (f": {', '.join(sorted(changes))}" if changes else "")
    return section


def _letter_follows(section: FormSection) -> None:
    """Once the conclusion is signed, every signature and addendum remakes the GP's letter."""
    if FormSection.objects.filter(form=section.form_id, key=SectionKey.CONCLUSION, signed_version__isnull=False).exists():
        gp_letter_queue(section.form.visit_id)


def form_section_update(
    *, user: AbstractBaseUser, visit_id: int, section: str, changes: Mapping, expected_version: int | None,
) -> FormSection:
    """Change fields of a section not yet signed. `changes` replaces the top-level fields it names.

    Refused (nothing written): not the section's role (403/404), no version (`VersionRequired`),
    signed (`SectionSigned`), someone saved since `expected_version` (`StaleVersion`, with the
    current section), invalid content (`ContentInvalid`, naming the fields). A save that
    changes nothing writes no version.
    """
    with visit_write(user, visit_id, section=section, what=f"form section {section}") as attempt:
        current = _locked_section(attempt.access.visit, section)
        if expected_version is None:
            raise VersionRequired()
        if current.signed:
            raise SectionSigned()
        _check_version(current, expected_version)
        content = _merged_content(current, changes)
        _check_plan(current, content)
        changed = _changed_fields(current.content, content)
        if not changed:
            attempt.detail = f"no changes, version {current.version}"
            return current
        return _record(attempt, current, user=user, kind=ChangeKind.EDIT, content=content, changes=changed)


def form_section_sign(*, user: AbstractBaseUser, visit_id: int, section: str, expected_version: int | None,
                      ) -> FormSection:
    """Sign the section as it is at `expected_version` (the version the signer has read).

    Any member of the section's writing role may sign (a supervisor signs a resident's text).
    After signing, changes are addenda.
    """
    with visit_write(user, visit_id, section=section, what=f"form section {section}") as attempt:
        current = _locked_section(attempt.access.visit, section)
        if expected_version is None:
            raise VersionRequired()
        if current.signed:
            raise SectionSigned()
        _check_version(current, expected_version)
        if current.version == 0:
            raise NothingToSign()
        current.signed_by, current.signed_at, current.signed_version = user, timezone.now(), current.version + 1
        signed = _record(attempt, current, user=user, kind=ChangeKind.SIGN, content=current.content, changes={})
        _letter_follows(signed)
        return signed


def form_addendum_add(
    *, user: AbstractBaseUser, visit_id: int, section: str, reason: str, changes: Mapping | None,
    expected_version: int | None,
) -> FormSection:
    """Add an addendum to a signed section: a reason (required) and optionally changed fields.

    The signed text stays as it was signed (its version row); the section's content becomes
    the signed content with every addendum's changes, and the addendum is kept beside it.
    Errors in the changes are named under `changes` (`{"changes": {"birads": [...]}}`).
    """
    with visit_write(user, visit_id, section=section, what=f"form section {section}") as attempt:
        current = _locked_section(attempt.access.visit, section)
        if expected_version is None:
            raise VersionRequired()
        if not current.signed:
            raise SectionNotSigned()
        _check_version(current, expected_version)
        reason = (reason or "").strip()
        errors = {} if reason else {"reason": [_("Say why this addendum is added.")]}
        if len(reason) > REASON_MAX_LENGTH:  # kept for good in the history: a few paragraphs at most
            errors = {"reason": [reason_too_long(reason)]}
        try:
            content = _merged_content(current, changes or {}, errors_under="changes")
            _check_plan(current, content, errors_under="changes")
        except ContentInvalid as invalid:
            raise ContentInvalid({**errors, **invalid.errors}) from None
        if errors:
            raise ContentInvalid(errors)
        changed = _changed_fields(current.content, content)
        amended = _record(attempt, current, user=user, kind=ChangeKind.ADDENDUM, content=content, changes=changed,
                          reason=reason)
        _letter_follows(amended)
        return amended

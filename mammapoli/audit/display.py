"""The access log as its reader reads it: "what" and "detail" in her language.

The log keeps what happened in the plain English the code writes (`visit`, `form section
imaging`, `role radiologist does not write clinical`): those rows are evidence and never
change. Here each known wording has a translatable template, with roles, sections, fields,
and dates said as the pages say them; anything not recognised is shown as written.
"""

import datetime as dt
import re
from collections.abc import Callable

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mammapoli.clinics.models import Role
from mammapoli.records.content import CONTENT_SERIALIZERS
from mammapoli.records.sections import SectionKey

WHAT = {
    "visit": gettext_lazy("visit"), "form": gettext_lazy("form"), "visit list": gettext_lazy("visit list"),
    "access log": gettext_lazy("access log"), "patient search": gettext_lazy("patient search"),
    "patient": gettext_lazy("patient"), "session": gettext_lazy("morning"), "planning": gettext_lazy("planning"),
    "referral": gettext_lazy("referral"), "referral list": gettext_lazy("referral list"),
    "board": gettext_lazy("board"), "day view": gettext_lazy("day view"), "plan job": gettext_lazy("plan job"),
    "plan": gettext_lazy("morning's plan"), "plan proposal": gettext_lazy("plan proposal"),
    "planned times": gettext_lazy("planned times"), "published plan": gettext_lazy("published plan"),
    "event": gettext_lazy("event"), "walk-in": gettext_lazy("walk-in"),
    "result handover": gettext_lazy("result handed over to another surgeon"),
    "resource unavailable": gettext_lazy("someone unavailable"),
    "MDO discordant list": gettext_lazy("MDO: discordant list"), "arrival": gettext_lazy("arrival"),
    "left early": gettext_lazy("left early"), "no-show": gettext_lazy("no-show"),
    "my next patients": gettext_lazy("my next patients"),
    "staff member": gettext_lazy("team role"), "account": gettext_lazy("account"),
    "application manager": gettext_lazy("application manager"),
}
#: Who changes a team without a role in it (`clinics.team_rights`).
MANAGER_ROLES = {"application_manager": gettext_lazy("application manager"), "superuser": gettext_lazy("superuser")}
EVENTS = {"arrived": gettext_lazy("arrived"), "step_started": gettext_lazy("step started"),
          "step_finished": gettext_lazy("step finished"), "no_show": gettext_lazy("no-show"),
          "pathway_switched": gettext_lazy("pathway switched"), "left": gettext_lazy("left early")}
CHANGES = {"edit": gettext_lazy("edit"), "sign": gettext_lazy("signed"), "addendum": gettext_lazy("addendum")}


def _role(code: str) -> str:
    return str({**dict(Role.choices), **MANAGER_ROLES}.get(code, code))


def _section(code: str) -> str:
    return str(dict(SectionKey.choices).get(code, code))


def _fields(names: str) -> str:
    """Content field names ("complaint, p_score") as the form labels them."""
    labels = {}
    for serializer in CONTENT_SERIALIZERS.values():
        for name, item in serializer().fields.items():
            labels.setdefault(name, str(item.label or name))
    return ", ".join(labels.get(name.strip(), name.strip()) for name in names.split(","))


def _date(iso: str) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")
    except ValueError:
        return iso


def what_text(what: str) -> str:
    if what in WHAT:
        return str(WHAT[what])
    if match := re.fullmatch(r"form section (\w+) history", what):
        return _("history of %(section)s") % {"section": _section(match[1])}
    if match := re.fullmatch(r"form section (\w+)", what):
        return _("form: %(section)s") % {"section": _section(match[1])}
    if match := re.fullmatch(r"event (\w+)", what):
        return _("event: %(event)s") % {"event": EVENTS.get(match[1], match[1])}
    return what


_Rule = tuple[str, Callable[..., str]]


def _rules() -> list[_Rule]:
    return [
        (r"not in the clinic team", lambda m: _("not in the clinic team")),
        (r"not the user's step", lambda m: _("not one of her own steps")),
        (r"no such (visit|patient|session)", lambda m: _("does not exist")),
        (r"no such (\w+) (\S+)", lambda m: _("%(code)s does not exist") % {"code": m[2]}),
        (r"role (\w+) does not read findings", lambda m: _("a %(role)s does not read findings") % {
            "role": _role(m[1])}),
        (r"role (\w+) does not write (\w+)", lambda m: _("a %(role)s does not write %(section)s") % {
            "role": _role(m[1]), "section": _section(m[2])}),
        (r"role (\w+) does not read the access log", lambda m: _("a %(role)s does not read the access log") % {
            "role": _role(m[1])}),
        (r"role (\w+) may not do this", lambda m: _("a %(role)s may not do this") % {"role": _role(m[1])}),
        (r"(edit|sign|addendum) version (\d+): (.+)", lambda m: _("%(change)s, version %(version)s: %(fields)s") % {
            "change": CHANGES[m[1]], "version": m[2], "fields": _fields(m[3])}),
        (r"(edit|sign|addendum) version (\d+)", lambda m: _("%(change)s, version %(version)s") % {
            "change": CHANGES[m[1]], "version": m[2]}),
        (r"no changes, version (\d+)", lambda m: _("no changes, version %(version)s") % {"version": m[1]}),
        (r"stale version (\d+), current (\d+)", lambda m: _(
            "opened at version %(old)s, but version %(new)s was saved meanwhile") % {"old": m[1], "new": m[2]}),
        (r"section is signed", lambda m: _("the section is signed")),
        (r"section is not signed", lambda m: _("the section is not signed")),
        (r"nothing to sign", lambda m: _("nothing to sign")),
        (r"no version given", lambda m: _("no version given")),
        (r"invalid: (.+)", lambda m: _("invalid: %(fields)s") % {"fields": _fields(m[1])}),
        (r"failed: (\w+)", lambda m: _("failed (%(error)s)") % {"error": m[1]}),
        (r"query=(.*)", lambda m: _("searched for “%(query)s”") % {"query": m[1]}),
        (r"filter=(.*)", lambda m: _("filter: %(filter)s") % {"filter": m[1]}),
        (r"date=(\S+?)\.\.(\S+)", lambda m: _("%(start)s to %(end)s") % {"start": _date(m[1]), "end": _date(m[2])}),
        (r"date=(\S+)", lambda m: _date(m[1])),
        (r"session=(\d+) date=(\S+)", lambda m: _("morning of %(date)s") % {"date": _date(m[2])}),
        (r"session=(\d+) (.+)", lambda m: detail_text(m[2])),
        (r"session=(\d+)", lambda m: _("morning %(id)s") % {"id": m[1]}),
        (r"referral=(\d+) created", lambda m: _("referral %(id)s entered") % {"id": m[1]}),
        (r"referral=(\d+) (.+)", lambda m: _("referral %(id)s: %(detail)s") % {
            "id": m[1], "detail": detail_text(m[2])}),
        (r"referral=(\d+)", lambda m: _("referral %(id)s") % {"id": m[1]}),
        (r"plan (\d+) published", lambda m: _("plan %(id)s published") % {"id": m[1]}),
        (r"plan (\d+)", lambda m: _("plan %(id)s") % {"id": m[1]}),
        (r"clinics ([\d,]+)", lambda m: _("clinics %(ids)s") % {"ids": m[1]}),
        (r"user=(\S+) role (\w+) -> (\w+)", lambda m: _("%(user)s: %(old)s becomes %(new)s") % {
            "user": m[1], "old": _role(m[2]), "new": _role(m[3])}),
        (r"user=(\S+) role=(\w+)", lambda m: _("%(user)s as %(role)s") % {"user": m[1], "role": _role(m[2])}),
        (r"user=(\S+)", lambda m: m[1]),
        (r"refused in the admin: .*", lambda m: _("refused in the admin")),
        (r"booked (\S+) (\d\d:\d\d)", lambda m: _("booked on %(date)s, arrival %(time)s") % {
            "date": _date(m[1]), "time": m[2]}),
    ]


def detail_text(detail: str) -> str:
    for pattern, say in _rules():
        if match := re.fullmatch(pattern, detail):
            return say(match)
    return detail

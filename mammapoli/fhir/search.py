"""Reading FHIR search parameters. Strict: an unknown parameter, or one the resource does not
support, is refused naming it rather than silently ignored (a GP system that filters on a
parameter we ignore would get everything)."""

import datetime as dt
import re

from django.http import QueryDict

from .outcome import FhirError, Issue, invalid

#: Parameters every search accepts: _format=json only (the interface speaks JSON).
COMMON = {"_format"}
DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
_DATE = re.compile(r"^(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2})$")


def check_parameters(query: QueryDict, allowed: set[str]) -> None:
    unknown = sorted(set(query) - allowed - COMMON)
    if unknown:
        raise FhirError([Issue(name, f"Search parameter {name} is not supported here; supported: "
                                     f"{', '.join(sorted(allowed)) or 'none'}.", "not-supported") for name in unknown])
    if query.get("_format", "json") not in ("json", "application/fhir+json", "application/json"):
        raise invalid("_format", "This server speaks JSON only.", code="not-supported")


def single(query: QueryDict, name: str, *, required: bool = False) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        raise invalid(name, f"Give {name} once.")
    if not values or values[0] == "":
        if required:
            raise invalid(name, f"The search parameter {name} is required.", code="required")
        return None
    return values[0]


def reference_id(value: str | None, resource_type: str, name: str) -> int | None:
    """`123`, `Patient/123` or an absolute URL ending in it -> 123."""
    if value is None:
        return None
    match = re.fullmatch(rf"(?:.*/)?(?:{resource_type}/)?(\d{{1,18}})", value)
    if match is None or ("/" in value and f"{resource_type}/" not in value):
        raise invalid(name, f"Expected a {resource_type} id: {resource_type}/[id].", code="value")
    return int(match.group(1))


def dates(query: QueryDict, name: str) -> list[tuple[str, dt.date]]:
    """`date=2026-12-01`, `date=ge2026-12-01&date=lt2026-12-08` -> [(prefix, day)]."""
    found = []
    for raw in query.getlist(name):
        match = _DATE.match(raw)
        if match is None:
            raise invalid(name, f"Expected YYYY-MM-DD, optionally after one of {', '.join(DATE_PREFIXES)}: {raw!r}.",
                          code="value")
        try:
            found.append((match.group(1) or "eq", dt.date.fromisoformat(match.group(2))))
        except ValueError:
            raise invalid(name, f"Not a date: {raw!r}.", code="value") from None
    return found


def date_range(found: list[tuple[str, dt.date]], name: str, *, default: tuple[dt.date, dt.date],
               longest: int) -> tuple[dt.date, dt.date]:
    """The closed range of days the prefixes describe, within `longest` days."""
    start, end = default
    lower = [day + dt.timedelta(days=1 if prefix == "gt" else 0) for prefix, day in found if prefix in ("ge", "gt", "eq")]
    upper = [day - dt.timedelta(days=1 if prefix == "lt" else 0) for prefix, day in found if prefix in ("le", "lt", "eq")]
    if lower:
        start = max(lower)
        end = start + (default[1] - default[0]) if not upper else end
    if upper:
        end = min(upper)
        start = start if lower else end - (default[1] - default[0])
    if end < start:
        raise invalid(name, "The range is empty.", code="value")
    if (end - start).days >= longest:
        raise invalid(name, f"Ask for at most {longest} days at a time.", code="too-costly")
    return start, end


def count(query: QueryDict, *, default: int, most: int) -> int:
    raw = single(query, "_count")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise invalid("_count", f"Expected a whole number from 1 to {most}.", code="value")
    return int(raw)

"""The web form of a section, derived from its content serializer (so the page and the API
can never disagree about a field), and the way back from the posted form to content.

`layout()` turns a section's content (and errors) into a tree of nodes the templates draw,
editable or read-only: groups for nested objects, tables for lists of lesions or biopsies
(existing rows plus empty ones to fill in: no JavaScript needed), fields otherwise.
`parse()` reads the posted form into the same nested shape the API takes; the section's
serializer then validates it.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from rest_framework import fields as drf_fields
from rest_framework import serializers

from .content import CONTENT_SERIALIZERS
from .scoring import score_label

SCORE_FIELDS = ("p_score", "birads", "m_score", "u_score", "c_score")
EMPTY_ROWS = 2
EMPTY = "—"


@dataclass
class FieldNode:
    name: str
    label: str
    widget: str  # text, textarea, number, select, checkboxes, datetime
    value: str = ""
    display: str = EMPTY
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # (value, label, selected)
    errors: list[str] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    kind: str = "field"

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace(".", "-")


@dataclass
class GroupNode:
    name: str
    label: str
    children: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kind: str = "group"


@dataclass
class TableNode:
    name: str
    label: str
    columns: list[str] = field(default_factory=list)
    widgets: list[str] = field(default_factory=list)  # per column: its cells' widget (sets its width)
    rows: list[list[FieldNode]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kind: str = "table"

    @property
    def headers(self) -> list[tuple[str, str]]:
        """(label, widget) per column."""
        return list(zip(self.columns, self.widgets, strict=True))


def layout(section: str, content: dict, errors: dict | None = None, *, editable: bool, prefix: str = "") -> list:
    serializer = CONTENT_SERIALIZERS[section]()
    return _children(serializer, content or {}, errors or {}, prefix, editable)


def _children(serializer: serializers.Serializer, value, errors, path: str, editable: bool) -> list:
    value = value if isinstance(value, dict) else {}
    errors = errors if isinstance(errors, dict) else {}
    return [_node(child, value.get(name), errors.get(name), f"{path}{name}", editable)
            for name, child in serializer.fields.items()]


def _messages(errors) -> list[str]:
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return [str(item) for item in errors]
    if isinstance(errors, dict):
        return _messages(errors.get("non_field_errors", []))
    return []


def _node(item, value, errors, path: str, editable: bool):
    label = str(item.label or item.field_name)
    if isinstance(item, serializers.ListSerializer):
        rows_value = value if isinstance(value, list) else []
        row_errors = errors if isinstance(errors, list) and not _messages(errors) else []
        count = len(rows_value) + (EMPTY_ROWS if editable else 0)
        rows = []
        for index in range(min(count, item.max_length or count)):
            row_value = rows_value[index] if index < len(rows_value) else {}
            row_error = row_errors[index] if index < len(row_errors) else {}
            rows.append(_children(item.child, row_value, row_error, f"{path}.{index}.", editable))
        columns = [str(child.label or name) for name, child in item.child.fields.items()]
        widgets = [_field(child, None, name, "", []).widget for name, child in item.child.fields.items()]
        return TableNode(name=path, label=label, columns=columns, widgets=widgets, rows=rows,
                         errors=_messages(errors))
    if isinstance(item, serializers.Serializer):
        return GroupNode(name=path, label=label, children=_children(item, value, errors, f"{path}.", editable),
                         errors=_messages(errors))
    return _field(item, value, path, label, _messages(errors))


def _field(item, value, path: str, label: str, errors: list[str]) -> FieldNode:
    node = FieldNode(name=path, label=label, widget="text", errors=errors, display=display(item, value))
    name = path.rsplit(".", 1)[-1]
    if isinstance(item, drf_fields.ListField) and isinstance(item.child, drf_fields.ChoiceField):
        chosen = {str(v) for v in value} if isinstance(value, list) else set()
        node.widget = "checkboxes"
        node.options = [(str(key), str(text), str(key) in chosen) for key, text in item.child.choices.items()]
    elif isinstance(item, drf_fields.IntegerField) and name in SCORE_FIELDS:
        node.widget = "select"
        node.options = [("", EMPTY, value in (None, ""))] + [
            (str(score), score_label(name, score), str(value) == str(score))
            for score in range(item.min_value, item.max_value + 1)]
    elif isinstance(item, drf_fields.ChoiceField):
        node.widget = "select"
        node.options = [("", EMPTY, value in (None, ""))] + [
            (str(key), str(text), str(value) == str(key)) for key, text in item.choices.items()]
    elif isinstance(item, drf_fields.IntegerField):
        node.widget, node.minimum, node.maximum = "number", item.min_value, item.max_value
        node.value = "" if value is None else str(value)
    elif isinstance(item, drf_fields.DateTimeField):
        node.widget, node.value = "datetime", _datetime_input(value)
    elif isinstance(item, drf_fields.CharField):
        node.widget = "textarea" if item.style.get("base_template") == "textarea.html" else "text"
        node.value = "" if value is None else str(value)
    return node


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _datetime_input(value) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def display(item, value) -> str:
    """A value as a reader sees it: choice labels, score labels, local date and time."""
    if value in (None, "", [], {}):
        return EMPTY
    name = getattr(item, "field_name", "")
    if isinstance(item, drf_fields.ListField) and isinstance(item.child, drf_fields.ChoiceField):
        return ", ".join(str(item.child.choices.get(v, v)) for v in value) if isinstance(value, list) else str(value)
    if name in SCORE_FIELDS:
        return score_label(name, value)
    if isinstance(item, drf_fields.ChoiceField):
        return str(item.choices.get(value, value))
    if isinstance(item, drf_fields.DateTimeField):
        moment = _as_datetime(value)
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else str(value)
    return str(value)


def field_display(section: str, name: str, value) -> tuple[str, str]:
    """(label, display) of a top-level field, for lists of changes."""
    item = CONTENT_SERIALIZERS[section]().fields.get(name)
    if item is None:
        return name, str(value)
    if isinstance(item, serializers.BaseSerializer):
        return str(item.label or name), summary(item, value)
    return str(item.label or name), display(item, value)


def summary(item, value) -> str:
    """A nested value (lesions, biopsies, axilla) in one line."""
    if value in (None, "", [], {}):
        return EMPTY
    if isinstance(item, serializers.ListSerializer):
        return "; ".join(summary(item.child, row) for row in value) if isinstance(value, list) else str(value)
    if isinstance(item, serializers.Serializer) and isinstance(value, dict):
        parts = []
        for name, child in item.fields.items():
            shown = summary(child, value.get(name)) if isinstance(child, serializers.BaseSerializer) \
                else display(child, value.get(name))
            if shown != EMPTY:
                parts.append(f"{child.label}: {shown}")
        return ", ".join(parts) or EMPTY
    return str(value)


# --- from the posted form back to content ---------------------------------------------------


def parse(section: str, data: QueryDict, *, prefix: str = "") -> dict:
    """The posted fields of a section as the nested structure its serializer validates."""
    return _parse_children(CONTENT_SERIALIZERS[section](), data, prefix)


def _parse_children(serializer: serializers.Serializer, data: QueryDict, path: str) -> dict:
    out = {}
    for name, item in serializer.fields.items():
        value = _parse(item, data, f"{path}{name}")
        if value is None and not item.allow_null and item.default is not drf_fields.empty:
            continue  # left empty: the field's default applies
        out[name] = value
    return out


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return value in (None, "", [])


def _parse(item, data: QueryDict, path: str):
    if isinstance(item, serializers.ListSerializer):
        pattern = re.compile(rf"^{re.escape(path)}\.(\d+)\.")
        indices = sorted({int(match.group(1)) for key in data for match in [pattern.match(key)] if match})
        rows = [_parse_children(item.child, data, f"{path}.{index}.") for index in indices[:50]]
        return [row for row in rows if not _is_blank(row)]
    if isinstance(item, serializers.Serializer):
        return _parse_children(item, data, f"{path}.")
    if isinstance(item, drf_fields.ListField):
        return [value for value in data.getlist(path) if value != ""]
    if isinstance(item, drf_fields.BooleanField):
        return path in data
    if isinstance(item, drf_fields.CharField):
        return data.get(path, "").replace("\r\n", "\n")
    value = data.get(path, "").strip()
    return value or None

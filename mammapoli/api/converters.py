"""Ids in API paths: whole numbers of at most 18 digits (a bigint). A longer number is no id
of ours: "not found" (JSON), never a database overflow."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

"""Ids in paths: at most 18 digits, so every id a path names fits the database's 64-bit keys
(and the access log's id columns). A longer number matches no path: a 404, never an
integer overflow (a 500) while looking it up or writing the refused attempt.
"""

from django.urls import register_converter

MAX_ID_DIGITS = 18  # 10**18 - 1 < 2**63 - 1, the largest BigAutoField


class IdConverter:
    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")

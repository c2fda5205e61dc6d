"""The engine's one clock: a morning's times are whole minutes since midnight inside the
engine and "HH:MM" (24-hour, clinic-local) in the exchange format; these two functions are
the only conversions between them. (The independent validator, `scheduler.check`, reads the
format with its own code on purpose.)"""

from __future__ import annotations

import re

_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def fmt_time(minutes: int) -> str:
    """Minutes since midnight as "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_minutes(text: str) -> int:
    """"HH:MM" as minutes since midnight; ValueError when it is not such a time."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a time HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))

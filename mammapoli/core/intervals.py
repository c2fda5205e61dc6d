"""Half-open time intervals [start, end) as pairs of comparable values (times or minutes)."""

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")
Interval = tuple[T, T]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union; overlapping and touching intervals become one."""
    merged: list[list] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` not covered by `removed`."""
    result = merge(intervals)
    for cut_start, cut_end in merge(removed):
        kept: list[Interval] = []
        for start, end in result:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        result = kept
    return result


def clip(intervals: Iterable[Interval], lower, upper) -> list[Interval]:
    """`intervals` restricted to [lower, upper)."""
    return [(max(s, lower), min(e, upper)) for s, e in merge(intervals) if min(e, upper) > max(s, lower)]

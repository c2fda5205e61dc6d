"""The resources' time as a plan stands: per resource, the sorted merged periods a new step may
not overlap (outside `available`, fixed steps, the steps placed so far), with the fit queries
the single-patient placement needs."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .prepared import Prepared

INF = 10 ** 9


class Timeline:
    """Per resource, the sorted merged periods a new step may not overlap."""

    __slots__ = ("starts", "ends")

    def __init__(self, prepared: Prepared | None = None):
        if prepared is not None:
            self.starts = [[a for a, _ in r.blocked] for r in prepared.resources]
            self.ends = [[b for _, b in r.blocked] for r in prepared.resources]

    def copy(self) -> "Timeline":
        t = Timeline()
        t.starts = [list(x) for x in self.starts]
        t.ends = [list(x) for x in self.ends]
        return t

    def earliest_fit(self, r: int, t: int, d: int) -> int:
        """Smallest t' >= t with [t', t'+d) clear of every period (barriers included)."""
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_right(ends, t)
        n = len(starts)
        while i < n and starts[i] < t + d:
            t = ends[i]
            i += 1
        return t

    def latest_fit(self, r: int, t: int, d: int) -> int:
        """Largest t' <= t with [t', t'+d) clear of every period (barriers included)."""
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_left(starts, t + d) - 1
        while i >= 0 and ends[i] > t:
            t = starts[i] - d
            i -= 1
        return t

    def previous_end(self, r: int, t: int) -> int:
        """End of the last period on r that ends at or before t (for best-fit choices)."""
        i = bisect_right(self.ends[r], t) - 1
        return self.ends[r][i] if i >= 0 else -INF

    def next_start(self, r: int, t: int) -> int:
        i = bisect_left(self.starts[r], t)
        return self.starts[r][i] if i < len(self.starts[r]) else INF

    def occupy(self, r: int, a: int, b: int) -> None:
        starts, ends = self.starts[r], self.ends[r]
        i = bisect_left(ends, a)          # first period ending at/after a: may touch
        j = bisect_right(starts, b)       # periods starting at/before b may touch
        if i < j:
            a = min(a, starts[i])
            b = max(b, ends[j - 1])
        starts[i:j] = [a]
        ends[i:j] = [b]

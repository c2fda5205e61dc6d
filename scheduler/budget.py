"""How a solve spends its time limit: every share in one place.

The shares were tuned on the shared and generated mornings (benchmarks/engine.py): the
heuristics get a few percent and a cap, a quick full-model attempt at a proof gets 15 % (at
most 2 s), the priority phase gets at most 45 % of what is left, and so on. Each function
takes the seconds still left (`remaining`) and gives the seconds for that part.
"""

from __future__ import annotations


class Budget:
    # Shares of the time left, for the phases of `scheduler.solve`.
    PRIORITY = 0.45                 # the priority phase (quick attempt, LNS and full model in turn)
    PRIORITY_LNS = 0.6              # of what is left of the priority phase, per LNS round
    PRIORITY_FULL = 0.6             # of what is left of it, per full-model round (all of it under 3 s)
    STAY_AHEAD_WITH_REFERENCE = 0.55  # ahead, the stay before the stability phase
    STABILITY_ON_THE_DAY = 0.5      # on the day, the moves before the stay
    STAY_LAST_FULL = 0.15           # of the stay phase: the last full-model solve (0.05 when all are seen)
    STAY_LAST_FULL_EVERYONE = 0.05
    STABILITY_QUICK = 0.3           # of the stability phase: its first full-model attempt
    STABILITY_LAST = 0.2            # of the stability phase: its last full-model solve

    @staticmethod
    def reserve(time_limit: float) -> float:
        """Kept back from the search so that the last steps (insertions, the check, the
        reasons) end within the time limit."""
        return min(0.15, 0.05 * time_limit)

    @staticmethod
    def alone(remaining: float) -> float:
        """The one-patient model of a pathway that is not a chain (each patient alone)."""
        return min(1.0, max(0.1, remaining / 10))

    @staticmethod
    def construction(remaining: float) -> float:
        return max(0.05, min(0.5, 0.04 * max(0.0, remaining)))

    @staticmethod
    def exchange(remaining: float) -> float:
        return max(0.02, min(1.0, 0.04 * remaining))

    @staticmethod
    def compact(remaining: float) -> float:
        return max(0.02, min(0.3, 0.03 * remaining))

    @staticmethod
    def polish(remaining: float) -> float:
        """Less waiting after a CP-SAT plan (or before the stay phase)."""
        return max(0.02, min(0.5, 0.05 * remaining))

    @staticmethod
    def polish_exchange(remaining: float) -> float:
        """More priority by exchanges after a CP-SAT plan of the priority phase."""
        return max(0.02, min(0.5, 0.03 * remaining))

    @staticmethod
    def quick(remaining: float) -> float:
        """A first full-model attempt at a proof."""
        return max(0.2, min(2.0, 0.15 * remaining))

    @staticmethod
    def first_plan(remaining: float) -> float:
        """CP-SAT asked for any plan that keeps every fixed step (the heuristics found none)."""
        return max(0.5, 0.5 * remaining)

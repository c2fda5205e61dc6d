"""Can the fixed steps themselves be kept? (Otherwise the status is INFEASIBLE.)

Fixed steps happened or are under way: they are exempt from `available`, but every
other rule still holds between them — capacity one per resource, the patient in one step
at a time, `same_as`, the lags between two fixed steps, the window and the patient's
earliest/latest. A conflict among them cannot be repaired by any plan.
"""

from __future__ import annotations

from .prepared import Prepared
from .clock import fmt_time


def fixed_conflicts(prep: Prepared) -> str | None:
    """The first rule broken by the fixed steps alone, naming the patient(s), or None."""
    by_resource: dict[int, list[tuple[int, int, str]]] = {}
    for p in prep.patients:
        if not p.has_fixed:
            continue
        fixed = [(st.fixed.start, st.fixed.end, st) for st in p.steps if st.fixed]
        fixed.sort(key=lambda x: (x[0], x[1]))
        for (a1, b1, s1), (a2, b2, s2) in zip(fixed, fixed[1:]):
            if a2 < b1:
                return (f"patient {p.id}: fixed steps '{s1.id}' and '{s2.id}' overlap at {fmt_time(a2)} "
                        f"(a patient is in one step at a time)")
        for a, b, st in fixed:
            for r in st.fixed.resources:
                by_resource.setdefault(prep.resource_index[r], []).append((a, b, f"{p.id}.{st.id}"))
            for kind, other in st.same_as.items():
                o = p.steps[other]
                if o.fixed:
                    mine = [r for r in st.fixed.resources if prep.resources[prep.resource_index[r]].kind == kind]
                    theirs = [r for r in o.fixed.resources if prep.resources[prep.resource_index[r]].kind == kind]
                    if not set(mine) & set(theirs):
                        return (f"patient {p.id}: fixed step '{st.id}' has {kind} {', '.join(mine)} but must have "
                                f"the same as '{o.id}' ({', '.join(theirs)}) (same_as)")
        if p.temporal_error and all(st.fixed for st in p.steps):
            return f"patient {p.id}: {p.temporal_error}"
    for r, items in by_resource.items():
        items.sort()
        for (a1, b1, t1), (a2, b2, t2) in zip(items, items[1:]):
            if a2 < b1:
                return (f"patients {t1.split('.')[0]} and {t2.split('.')[0]}: fixed steps {t1} and {t2} both hold "
                        f"{prep.resources[r].id} at {fmt_time(a2)} (capacity one per resource)")
    for p in prep.patients:
        if p.has_fixed and p.temporal_error:
            return f"patient {p.id}: {p.temporal_error}"
    return None

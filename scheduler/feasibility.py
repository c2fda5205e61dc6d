"""Can the fixed steps themselves be kept? (Otherwise the status is INFEASIBLE.)

Fixed steps happened or are under way: they are exempt from `available`, but every
other rule still holds between them — capacity one per resource, the patient in one step
at a time, `same_as`, the lags between two fixed steps, the window and the patient's
earliest/latest. A conflict among them cannot be repaired by any plan.

Each conflict is a `Reason` (English words, a code and its params, as in `scheduler.reasons`):

- `fixed_overlap` {patient, step, other, at}: two fixed steps of one patient overlap
  (`step` starts at `at`, while she is in `other`);
- `fixed_same_as` {patient, step, other, kind, resource}: `step` must have the `kind` that did
  `other` (`resource`);
- `fixed_capacity` {patient, step, other_patient, other, resource, at, since}: two fixed steps
  hold `resource` at `at` (`other` of `other_patient` since `since`);
- her temporal rules (the text is the whole of `PPatient.temporal_error`), coded as
  `fixed_before_open` {patient, step, before, at}: `step` is fixed at `at`, but `before`, which
  precedes it, has not happened and cannot happen before it;
  `fixed_min_lag` / `fixed_max_lag` {patient, step, before, gap, minutes, end}: `step` starts
  `gap` min after `before` ended at `end`, the pathway needs at least / at most `minutes`;
  `fixed_outside` {patient, step, start, end, lo, hi}: outside her window or earliest/latest;
  else the codes of `scheduler.reasons` (`fixed_lags_end`, `fixed_lags`, `no_time_left`, ...).

`conflicts` gives them all, `fixed_conflicts` the first (what `solve` reports), and
`record_conflict` answers "may this step be recorded as started?".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .clock import fmt_time
from .prepared import PPatient, Prepared
from .problem import FixedStep, Problem
from .result import Reason


def _temporal(prep: Prepared, p: PPatient) -> Iterator[Reason]:
    """Her temporal conflict, once per rule it breaks (all with the whole message as text)."""
    from .reasons import _temporal as coded  # reasons imports the search; late to avoid a cycle

    text = f"patient {p.id}: {p.temporal_error}"
    found = False
    for st in p.steps:
        if not st.fixed:
            continue
        s0, e0 = st.fixed.start, st.fixed.end
        if s0 < p.lo or e0 > p.hi:
            found = True
            yield Reason(text, "fixed_outside", {"patient": p.id, "step": st.id, "start": fmt_time(s0),
                                                 "end": fmt_time(e0), "lo": fmt_time(p.lo), "hi": fmt_time(p.hi)})
        for (q, mn, mx) in st.preds:
            pq = p.steps[q]
            if not pq.fixed:
                if pq.est + pq.duration + mn > s0:
                    found = True
                    yield Reason(text, "fixed_before_open", {"patient": p.id, "step": st.id, "before": pq.id,
                                                             "at": fmt_time(s0)})
                continue
            gap = s0 - pq.fixed.end
            if gap < mn or (mx is not None and gap > mx):
                found = True
                yield Reason(text, "fixed_min_lag" if gap < mn else "fixed_max_lag", {
                    "patient": p.id, "step": st.id, "before": pq.id, "gap": gap,
                    "minutes": mn if gap < mn else mx, "end": fmt_time(pq.fixed.end)})
    if not found:
        reason = coded(p)
        yield Reason(text, reason.code, {"patient": p.id, **reason.params})


def conflicts(prep: Prepared) -> Iterator[Reason]:
    """Every rule broken by the fixed steps alone, in the order `solve` reports them."""
    by_resource: dict[int, list[tuple[int, int, str, str]]] = {}
    for p in prep.patients:
        if not p.has_fixed:
            continue
        fixed = [(st.fixed.start, st.fixed.end, st) for st in p.steps if st.fixed]
        fixed.sort(key=lambda x: (x[0], x[1]))
        for i, (a1, b1, s1) in enumerate(fixed):
            for a2, b2, s2 in fixed[i + 1:]:
                if a2 < b1:
                    yield Reason(f"patient {p.id}: fixed steps '{s1.id}' and '{s2.id}' overlap at {fmt_time(a2)} "
                                 f"(a patient is in one step at a time)", "fixed_overlap",
                                 {"patient": p.id, "step": s2.id, "other": s1.id, "at": fmt_time(a2)})
        for a, b, st in fixed:
            for r in st.fixed.resources:
                by_resource.setdefault(prep.resource_index[r], []).append((a, b, p.id, st.id))
            for kind, other in st.same_as.items():
                o = p.steps[other]
                if o.fixed:
                    mine = [r for r in st.fixed.resources if prep.resources[prep.resource_index[r]].kind == kind]
                    theirs = [r for r in o.fixed.resources if prep.resources[prep.resource_index[r]].kind == kind]
                    if not set(mine) & set(theirs):
                        yield Reason(f"patient {p.id}: fixed step '{st.id}' has {kind} {', '.join(mine)} but must "
                                     f"have the same as '{o.id}' ({', '.join(theirs)}) (same_as)", "fixed_same_as",
                                     {"patient": p.id, "step": st.id, "other": o.id, "kind": kind,
                                      "resource": theirs[0] if theirs else ""})
        if p.temporal_error and p.all_fixed:
            yield from _temporal(prep, p)
    for r, items in by_resource.items():
        items.sort()
        for i, (a1, b1, p1, s1) in enumerate(items):
            for a2, b2, p2, s2 in items[i + 1:]:
                if a2 < b1:
                    yield Reason(f"patients {p1} and {p2}: fixed steps {p1}.{s1} and {p2}.{s2} both hold "
                                 f"{prep.resources[r].id} at {fmt_time(a2)} (capacity one per resource)",
                                 "fixed_capacity", {"patient": p2, "step": s2, "other_patient": p1, "other": s1,
                                                    "resource": prep.resources[r].id, "at": fmt_time(a2),
                                                    "since": fmt_time(a1)})
    for p in prep.patients:
        if p.has_fixed and p.temporal_error and not p.all_fixed:
            yield from _temporal(prep, p)


def fixed_conflicts(prep: Prepared) -> Reason | None:
    """The first rule broken by the fixed steps alone, naming the patient(s), or None."""
    return next(conflicts(prep), None)


def _involves(reason: Reason, patient_id: str, step_id: str) -> Reason | None:
    """`reason` told from her step's side (`patient`, `step` hers), or None if it is not about it."""
    params = reason.params
    if params.get("other_patient") == patient_id and params.get("other") == step_id:
        swapped = {**params, "patient": patient_id, "step": step_id, "other_patient": params["patient"],
                   "other": params["step"]}
        if "since" in params:  # the other one started at `at` (the later of the two)
            swapped["since"] = params["at"]
        return Reason(str(reason), reason.code, swapped)
    if params.get("patient") != patient_id:
        return None
    if reason.code == "fixed_capacity" and params.get("step") != step_id:
        return None
    if params.get("step") == step_id:
        return reason
    if params.get("other") == step_id and reason.code in ("fixed_overlap", "fixed_same_as"):
        return Reason(str(reason), reason.code, {**params, "step": step_id, "other": params["step"]})
    if reason.code in ("fixed_overlap", "fixed_same_as"):
        return None
    return reason  # her temporal rules, with her step among the fixed ones


def _length(problem: Problem, patient_id: str, step_id: str) -> int:
    patient = problem.patient(patient_id)
    return problem.pathway(patient.pathway).step(step_id).duration + dict(patient.extra).get(step_id, 0)


#: What happened must keep these rules (a step that broke one would make every re-plan
#: impossible): one step at a time, the order and the waits of her pathway, the same doctor,
#: one patient per resource. Whether the rest of her morning still fits in her time is not a
#: reason to refuse recording what happened: the re-plan answers that, and names it.
RECORDING_RULES = frozenset({"fixed_overlap", "fixed_same_as", "fixed_capacity", "fixed_before_open",
                             "fixed_min_lag", "fixed_max_lag"})


def record_conflict(problem: Problem, patient_id: str, step_id: str, start: int,
                    resources: tuple[str, ...] | list[str]) -> Reason | None:
    """May `step_id` of `patient_id` be recorded as started at `start` on `resources` (in the
    order of its needs)? The first of the `RECORDING_RULES` it breaks with the steps already
    fixed, or None.

    The step is added to `problem` as fixed with no end (under way) and "now" is `start`;
    a fixed step without end that started by then is still under way at `start`, so it
    lasts at least until the minute after. Raises `ProblemError` for an unknown patient,
    step or resource.
    """
    kept = []
    for f in problem.fixed:
        if (f.patient, f.step) == (patient_id, step_id):
            continue
        if f.end is None and f.start <= start:
            f = replace(f, end=max(f.start + _length(problem, f.patient, f.step), start + 1))
        kept.append(f)
    kept.append(FixedStep(patient_id, step_id, start, tuple(resources)))
    prep = Prepared(replace(problem, fixed=tuple(kept), now=start))
    for reason in conflicts(prep):
        if reason.code in RECORDING_RULES and (mine := _involves(reason, patient_id, step_id)) is not None:
            return mine
    return None

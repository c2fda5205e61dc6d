"""The clinical rules of `mammapoli-morning/1`, one function each.

Rules already carried by the start domains (see `variables.create_variables`) are the
window, `earliest`/`latest` and `now`; the functions below post what is left, and say
so where a rule is partly in the domains. Temporal rules are posted unconditionally:
`solve` only builds variables for patients who can be seen at all, so a patient who is
not seen can always satisfy them on their own (their steps then hold no resource).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..prepared import KindMode, Prepared, intersect
from .variables import Variables


def _clip(blocked, lo: int, hi: int):
    """Blocked periods of positive length, clipped to [lo, hi)."""
    out = []
    for a, b in blocked:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            out.append((a, b))
    return out


def add_resource_selection(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """One resource per needed kind (two for a kind listed twice), only if the patient is
    seen: for an explicit kind, the choice literals of the step's group sum to the
    multiplicity times the presence literal."""
    for g, lits in v.choice.items():
        i = g.patient
        model.add(sum(lits.values()) == v.group_mult[g] * v.present[i])


def add_same_resource_as(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """`same_as`: the steps linked by same_as on a kind hold one common resource of it.

    Steps that need the kind once share their class's choice literals (the anchor, see
    `variables.group_key`), so for them the rule holds by construction. A step that needs
    the kind twice has its own literals and must hold the anchor: own[r] >= anchor[r].
    For a kind with one resource the rule is trivial (pools never have same_as kinds)."""
    for own, anchor in v.anchor_links:
        lits = v.choice[own]
        for r, a in v.choice[anchor].items():
            if r in lits:
                model.add_implication(a, lits[r])


def add_availability(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """A step uses a resource only entirely inside one of its `available` intervals (and
    not over a fixed step on it). Exact form: when the choice literal is true, the start
    lies in the set of starts that fit one interval (this also forbids spanning two
    touching intervals). For single and pooled kinds the step's start domain already holds
    it, as it is the same for every resource of the kind."""
    for (i, s, r), _ in v.res_interval.items():
        st = prep.patients[i].steps[s]
        allowed = prep.start_domain(r, st.duration)
        dom = v.domains[(i, s)]
        if intersect(dom, allowed) == dom:
            continue  # every start in the domain fits this resource
        g = v.group_of[(i, s, prep.resources[r].kind)]
        lit = v.choice[g][r]
        model.add_linear_expression_in_domain(
            v.start[(i, s)], cp_model.Domain.from_intervals([list(x) for x in allowed])).only_enforce_if(lit)


def _gaps(available, w0: int, w1: int):
    """The periods of [w0, w1) outside the available intervals."""
    out, cursor = [], w0
    for a, b in available:
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < w1:
        out.append((cursor, w1))
    return out


def _blocked_intervals(model, prep: Prepared, r: int):
    res = prep.resources[r]
    return [model.new_fixed_size_interval_var(a, b - a, f"blk_{res.id}_{a}")
            for a, b in _clip(res.blocked, prep.t0, prep.w1)]


def add_resource_capacity(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """Capacity one per resource: at most one step at a time, never over its breaks or
    fixed steps (constant blocked intervals).

    - a kind with one resource: NoOverlap over the steps needing it;
    - an explicit kind: NoOverlap per resource over the steps' optional intervals on it;
    - a pool of interchangeable resources: one cumulative of capacity = count; the fixed
      steps are a "busy until" prefix per resource and the breaks are common, so the
      resources can be given afterwards by interval colouring (`assign_pooled`).
    """
    by_kind: dict[str, list[tuple[object, int]]] = {}
    for (i, s), itv in v.interval.items():
        st = prep.patients[i].steps[s]
        if st.fixed:
            continue
        for kind, m in st.kinds:
            by_kind.setdefault(kind, []).append((itv, m))
    for kind, mode in prep.modes.items():
        members = prep.by_kind[kind]
        if mode is KindMode.SINGLE:
            r = members[0]
            itvs = [itv for itv, m in by_kind.get(kind, []) if m == 1]
            if itvs:
                model.add_no_overlap(itvs + _blocked_intervals(model, prep, r))
        elif mode is KindMode.EXPLICIT:
            for r in members:
                itvs = [itv for (i, s, rr), itv in v.res_interval.items() if rr == r]
                if itvs:
                    model.add_no_overlap(itvs + _blocked_intervals(model, prep, r))
        else:
            items = by_kind.get(kind, [])
            if not items:
                continue
            itvs = [itv for itv, _ in items]
            demands = [m for _, m in items]
            for r in members:
                until = prep.busy_until(r)
                if until > prep.t0:
                    itvs.append(model.new_fixed_size_interval_var(prep.t0, until - prep.t0, f"busy_{r}"))
                    demands.append(1)
            # The common breaks (availability is identical for every member of a pool).
            for a, b in _clip(_gaps(prep.resources[members[0]].available, prep.w0, prep.w1), prep.t0, prep.w1):
                itvs.append(model.new_fixed_size_interval_var(a, b - a, f"gap_{kind}_{a}"))
                demands.append(len(members))
            model.add_cumulative(itvs, demands, len(members))


def add_precedence_lags(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """`after`: a step starts at least `min` and at most `max` minutes after the named
    earlier step ends."""
    for i in v.present:
        p = prep.patients[i]
        for st in p.steps:
            for (q, mn, mx) in st.preds:
                if st.fixed and p.steps[q].fixed:
                    continue  # checked before the model is built
                before_end = v.start[(i, q)] + p.steps[q].duration
                model.add(v.start[(i, st.local)] >= before_end + mn)
                if mx is not None:
                    model.add(v.start[(i, st.local)] <= before_end + mx)


def add_patient_one_step_at_a_time(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """A patient is in one step at a time. Implied by precedence when the pathway is a
    chain; otherwise a NoOverlap over the patient's own steps."""
    for i in v.present:
        p = prep.patients[i]
        if not p.chain:
            model.add_no_overlap([v.interval[(i, s.local)] for s in p.steps])


def add_arrival_window(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """Window, `earliest` and `latest`: every step of a seen patient lies inside
    [max(window start, earliest), min(window end, latest)]. Carried by the start domains
    (static earliest/latest starts); posted here again on arrival and departure, which is
    free and keeps the rule visible in the model."""
    for i in v.present:
        p = prep.patients[i]
        if not p.has_fixed:
            model.add(v.arrival[i] >= p.lo)
        model.add(v.departure[i] <= p.hi)


def add_fixed_steps(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """Fixed steps are kept exactly (constant starts, see `create_variables`) and their
    patients must be seen (presence constant 1); their resources are blocked for the
    fixed period (`PResource.blocked`), exempt from `available`."""
    for i in v.present:
        p = prep.patients[i]
        for st in p.steps:
            if st.fixed:
                assert v.start[(i, st.local)] == st.fixed.start


def add_now(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """`now`: no step that is not fixed starts before it. In the start domains (t0); the
    constraint is posted on the first non-fixed steps for clarity."""
    if prep.now is None:
        return
    for i in v.present:
        p = prep.patients[i]
        for st in p.steps:
            if not st.fixed:
                model.add(v.start[(i, st.local)] >= prep.t0)


def add_arrived(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """`arrived`: her steps that are not fixed start no earlier than when she arrived. In
    the start domains (static earliest starts); posted here again for clarity."""
    for i in v.present:
        p = prep.patients[i]
        if p.arrived is None:
            continue
        for st in p.steps:
            if not st.fixed:
                model.add(v.start[(i, st.local)] >= p.arrived)


def add_notice(model: cp_model.CpModel, prep: Prepared, v: Variables) -> None:
    """`notice`: a published patient who is not in the clinic (and not late) keeps her
    published arrival exactly, or is given one at least `notice` minutes after now (she
    has to be reached and to travel)."""
    for i, x in v.present.items():
        p = prep.patients[i]
        if p.gate is None:
            continue
        allowed = cp_model.Domain.from_intervals([[p.published, p.published], [p.gate, max(p.gate, p.hi)]])
        c = model.add_linear_expression_in_domain(v.arrival[i], allowed)
        if not isinstance(x, int):
            c.only_enforce_if(x)


def add_stay(model: cp_model.CpModel, prep: Prepared, v: Variables, min_stay: dict[int, int]) -> None:
    """Stay = departure - arrival for a seen patient (for one in the clinic, from when she
    arrived: `variables.origin`), 0 otherwise; at least the patient's minimal stay alone (a
    redundant cut that makes the LP bound the sum of them)."""
    for i in v.present:
        p = prep.patients[i]
        floor = min_stay.get(i, p.critical_path)
        if not isinstance(v.present[i], int):
            x = v.present[i]
            model.add(v.stay[i] == v.departure[i] - v.origin[i]).only_enforce_if(x)
            model.add(v.stay[i] == 0).only_enforce_if(~x)
            model.add(v.stay[i] >= floor * x)
        else:
            model.add(v.departure[i] - v.origin[i] >= floor)

"""The CP-SAT model of a morning: variables, rules, redundant constraints, hints, and
reading a solution back as placements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from ..placement import Placement
from ..prepared import KindMode, Prepared
from . import constraints as C
from . import redundant as R
from .objective import add_change_terms, add_stability_terms, priority_expr, total_stay_expr
from .variables import ClassGroup, create_variables


@dataclass
class ModelOptions:
    kind_profiles: bool = True
    patient_symmetry: bool = True
    resource_symmetry: bool = True


class CpsatModel:
    """The model for the given patients (each of whom can be seen on their own)."""

    def __init__(self, prep: Prepared, patients: list[int], forced: set[int], min_stay: dict[int, int],
                 reference_arrival: dict[int, int] | None = None, options: ModelOptions | None = None,
                 published_steps: dict | None = None):
        self.prep = prep
        self.patients = list(patients)
        self.forced = set(forced)
        self.options = options or ModelOptions()
        self.model = cp_model.CpModel()
        m, v = self.model, None
        v = self.v = create_variables(m, prep, self.patients, self.forced)
        C.add_resource_selection(m, prep, v)
        C.add_same_resource_as(m, prep, v)
        C.add_availability(m, prep, v)
        C.add_resource_capacity(m, prep, v)
        C.add_precedence_lags(m, prep, v)
        C.add_patient_one_step_at_a_time(m, prep, v)
        C.add_arrival_window(m, prep, v)
        C.add_fixed_steps(m, prep, v)
        C.add_now(m, prep, v)
        C.add_arrived(m, prep, v)
        C.add_notice(m, prep, v)
        C.add_stay(m, prep, v, min_stay)
        if self.options.kind_profiles:
            R.add_kind_profiles(m, prep, v)
        ref = reference_arrival or {}
        self.groups = R.identical_patient_groups(prep, self.patients, set(ref)) if self.options.patient_symmetry else []
        R.add_patient_symmetry_breaking(m, prep, v, self.groups)
        self.resource_classes = R.identical_resource_classes(prep) if self.options.resource_symmetry else []
        R.add_resource_symmetry_breaking(m, prep, v, self.resource_classes)
        self.priority = priority_expr(prep, v)
        self.total_stay = total_stay_expr(prep, v)
        self.moved, self.moved_minutes = (add_stability_terms(m, prep, v, ref) if ref else (0, 0))
        self.reference_arrival = ref
        self.changes = add_change_terms(m, prep, v, published_steps) if published_steps else 0

    # Hints ----------------------------------------------------------------------------
    def canonical(self, placements: dict[int, Placement]) -> dict[int, Placement]:
        """The same plan relabelled to meet the symmetry breaking (identical patients seen
        first and in arrival order)."""
        out = dict(placements)
        for group in self.groups:
            placed = sorted((placements[i] for i in group if i in placements), key=lambda pl: min(pl.starts))
            for i in group:
                out.pop(i, None)
            for i, pl in zip(group, placed):
                out[i] = Placement(i, list(pl.starts), list(pl.resources))
        if self.resource_classes:
            out = self._relabel_resources(out)
        return out

    def _relabel_resources(self, placements: dict[int, Placement]) -> dict[int, Placement]:
        """Rename identical resources in order of first use (see
        `redundant.add_resource_symmetry_breaking`)."""
        held: dict[tuple, set[int]] = {}
        for i, pl in placements.items():
            if i in self.v.present:
                held.update(self.group_values(i, pl))
        order = R.group_order(self.v)
        mapping: dict[int, int] = {}
        for cls in self.resource_classes:
            first = {}
            for pos, g in enumerate(order):
                for r in cls:
                    if r not in first and r in held.get(g, ()):
                        first[r] = pos
            ranked = sorted(cls, key=lambda r: (r not in first, first.get(r, 0), r))
            mapping.update({old: new for new, old in zip(cls, ranked) if old != new})
        if not mapping:
            return placements
        return {i: Placement(i, list(pl.starts), [tuple(mapping.get(r, r) for r in res) for res in pl.resources])
                for i, pl in placements.items()}

    def complete(self, placements: dict[int, Placement],
                 witnesses: dict[int, Placement]) -> dict[int, tuple[Placement, bool]]:
        """Values for every patient of the model: (placement, seen). A patient not seen
        gets times that meet their own temporal constraints (which are unconditional):
        their witness alone, or — in a group of identical patients — the times of the
        last one seen, so that the group's arrival order holds too."""
        placements = self.canonical(placements)
        out = {i: (pl, True) for i, pl in placements.items() if i in self.v.present}
        for group in self.groups:
            last = None
            for i in group:
                if i in placements:
                    last = placements[i]
                elif last is not None:
                    out[i] = (Placement(i, list(last.starts), list(last.resources)), False)
        for i in self.patients:
            if i not in out:
                out[i] = (witnesses[i], False)
        return out

    def add_hint(self, placements: dict[int, Placement], witnesses: dict[int, Placement]) -> None:
        """Hint a complete assignment: the plan, and for patients not in it times that
        meet their unconditional temporal constraints (see `complete`)."""
        m, v, prep = self.model, self.v, self.prep
        m.clear_hints()
        values = self.complete(placements, witnesses)
        hinted: dict[int, bool] = {}
        for i in self.patients:
            p = prep.patients[i]
            pl, seen = values[i]
            if not isinstance(v.present[i], int):
                m.add_hint(v.present[i], seen)
            for st in p.steps:
                var = v.start[(i, st.local)]
                if not isinstance(var, int):
                    m.add_hint(var, pl.starts[st.local])
            for g, rs in self.group_values(i, pl if seen else None).items():
                for r, lit in v.choice[g].items():
                    m.add_hint(lit, r in rs)
                    hinted[lit.index] = r in rs
            arrival = min(pl.starts)
            departure = max(s + st.duration for s, st in zip(pl.starts, p.steps))
            for var, val, n in ((v.arrival[i], arrival, len(p.sources)), (v.departure[i], departure, len(p.sinks))):
                if n > 1:  # otherwise an alias of a step's start
                    m.add_hint(var, val)
            if isinstance(v.stay[i], cp_model.IntVar):
                m.add_hint(v.stay[i], departure - p.origin(arrival) if seen else 0)
        for u, a, b in v.derived:   # in creation order: a and b have their values already
            value = hinted.get(a.index, False) or hinted.get(b.index, False)
            m.add_hint(u, value)
            hinted[u.index] = value

    def group_values(self, i: int, pl: Placement | None) -> dict[tuple, set[int]]:
        """The resources each choice group of patient i holds in placement `pl` (None: the
        patient is not seen, nothing is held). A same_as anchor holds one resource common
        to every member of its class."""
        v, p = self.v, self.prep.patients[i]
        out: dict[tuple, set[int]] = {}
        anchors: dict[tuple, set[int] | None] = {}
        for st in p.steps:
            for kind, _ in st.kinds:
                g = v.group_of.get((i, st.local, kind))
                if g is None:
                    continue
                held = {r for r, k in zip(pl.resources[st.local], st.needs) if k == kind} if pl else set()
                out.setdefault(g, set()).update(held)
                ci = p.class_of.get((st.local, kind))
                if ci is not None:
                    a = ClassGroup(i, ci)
                    anchors[a] = held if anchors.get(a) is None else anchors[a] & held
        for a in v.choice:
            if isinstance(a, ClassGroup) and a.patient == i:
                common = anchors.get(a) or set()
                out[a] = {min(common)} if common else set()
        return out

    # Reading a solution ---------------------------------------------------------------
    def placements(self, value: Callable, bool_value: Callable) -> dict[int, Placement]:
        """Placements of the seen patients; explicit resources from the choice literals,
        single and pooled ones filled in by `assign_pooled`."""
        prep, v = self.prep, self.v
        out = {}
        for i in self.patients:
            x = v.present[i]
            if not isinstance(x, int) and not bool_value(x):
                continue
            p = prep.patients[i]
            starts = [st.fixed.start if st.fixed else value(v.start[(i, st.local)]) for st in p.steps]
            resources = []
            for st in p.steps:
                if st.fixed:
                    resources.append(tuple(prep.resource_index[r] for r in st.fixed.resources))
                    continue
                picked: dict[str, list[int]] = {}
                for kind, mult in st.kinds:
                    g = v.group_of.get((i, st.local, kind))
                    if g is None:
                        picked[kind] = [-1] * mult
                    else:
                        picked[kind] = sorted(r for r, lit in v.choice[g].items() if bool_value(lit))
                resources.append(tuple(picked[k].pop(0) for k in st.needs))
            out[i] = Placement(i, starts, resources)
        return out


def assign_pooled(prep: Prepared, placements: dict[int, Placement],
                  prefer: dict[tuple[int, int], set[int]] | None = None) -> dict[int, Placement]:
    """Give concrete resources to the steps of single and pooled kinds (marked -1).

    Interval colouring in start order: each step takes resources free at its start (the
    reference one if free, else the one idle the shortest). Exact for a pool: its members
    share their breaks and are only busy with fixed steps until some time, so the
    cumulative's capacity guarantees a free member at every start.
    """
    prefer = prefer or {}
    todo: dict[str, list[tuple[int, int, int, int]]] = {}
    for i, pl in placements.items():
        p = prep.patients[i]
        for s, st in enumerate(p.steps):
            if -1 in pl.resources[s]:
                for kind, _ in st.kinds:
                    if prep.modes[kind] is not KindMode.EXPLICIT:
                        todo.setdefault(kind, []).append((pl.starts[s], pl.starts[s] + st.duration, i, s))
    filled: dict[tuple[int, int, str], list[int]] = {}
    for kind, items in todo.items():
        members = prep.by_kind[kind]
        free_at = {r: prep.busy_until(r) for r in members}
        if prep.modes[kind] is KindMode.SINGLE:
            for a, b, i, s in items:
                filled[(i, s, kind)] = [members[0]] * sum(1 for k in prep.patients[i].steps[s].needs if k == kind)
            continue
        for a, b, i, s in sorted(items):
            mult = sum(1 for k in prep.patients[i].steps[s].needs if k == kind)
            free = [r for r in members if free_at[r] <= a]
            pref = prefer.get((i, s), set())
            free.sort(key=lambda r: (r not in pref, -free_at[r], r))
            if len(free) < mult:
                raise RuntimeError(f"pool {kind} over capacity at {a}")
            chosen = sorted(free[:mult])
            for r in chosen:
                free_at[r] = b
            filled[(i, s, kind)] = chosen
    out = {}
    for i, pl in placements.items():
        p = prep.patients[i]
        resources = []
        for s, st in enumerate(p.steps):
            res = list(pl.resources[s])
            if -1 in res:
                pools = {k: list(filled[(i, s, k)]) for k, _ in st.kinds if (i, s, k) in filled}
                res = [pools[k].pop(0) if r == -1 else r for r, k in zip(res, st.needs)]
            resources.append(tuple(res))
        out[i] = Placement(i, list(pl.starts), resources)
    return out

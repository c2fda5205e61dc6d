"""A deliberately simple greedy planner, for tests only.

The tests need valid (not good) plans of generated and random mornings without the CP-SAT
engine. This places one patient at a time, each step at the
earliest moment its lags, the patient and free resources allow, trying later patient
start times when a `max` lag or `latest` cannot be met. It ignores `fixed`/`now`, so use
it on fresh mornings only. Whatever it cannot place is listed as unscheduled.
"""

from __future__ import annotations

from scheduler.clock import fmt_time, to_minutes


def _topological(steps: list[dict]) -> list[dict]:
    placed: list[dict] = []
    done: set = set()
    while len(placed) < len(steps):
        for step in steps:
            if step["id"] not in done and all(lag["step"] in done for lag in step.get("after", [])):
                placed.append(step)
                done.add(step["id"])
                break
    return placed


def _critical_path(steps: list[dict], extra: dict) -> int:
    finish: dict = {}
    for step in _topological(steps):
        begin = max((finish[lag["step"]] + lag.get("min", 0) for lag in step.get("after", [])),
                    default=0)
        finish[step["id"]] = begin + step["duration"] + extra.get(step["id"], 0)
    return max(finish.values())


class _Calendar:
    """Booked intervals per resource and per patient."""

    def __init__(self, instance: dict):
        self.resources = {r["id"]: r for r in instance["resources"]}
        self.booked: dict = {rid: [] for rid in self.resources}

    def free(self, rid: str, start: int, end: int) -> bool:
        available = any(to_minutes(a) <= start and end <= to_minutes(b)
                        for a, b in self.resources[rid]["available"])
        return available and all(end <= s or e <= start for s, e in self.booked[rid])

    def candidate_times(self, after: int) -> list[int]:
        """Moments at which a resource may become free: interval ends and availability starts."""
        times = {after}
        for rid, resource in self.resources.items():
            times.update(e for _, e in self.booked[rid] if e > after)
            times.update(to_minutes(a) for a, _ in resource["available"] if to_minutes(a) > after)
        return sorted(times)


def _pick_resources(step: dict, start: int, end: int, calendar: _Calendar,
                    held_by_step: dict) -> list[str] | None:
    chosen: list[str] = []
    for kind in step["needs"]:
        options = [rid for rid, r in calendar.resources.items() if r["kind"] == kind]
        if kind in step.get("same_as", {}) and kind not in [calendar.resources[c]["kind"]
                                                             for c in chosen]:
            options = [rid for rid in held_by_step[step["same_as"][kind]]
                       if calendar.resources[rid]["kind"] == kind]
        pick = next((rid for rid in options
                     if rid not in chosen and calendar.free(rid, start, end)), None)
        if pick is None:
            return None
        chosen.append(pick)
    return chosen


def _place_patient(patient: dict, steps: list[dict], first_start: int, window_end: int,
                   calendar: _Calendar) -> list[dict] | None:
    latest = to_minutes(patient["latest"]) if "latest" in patient else window_end
    extra = patient.get("extra", {})
    ends: dict = {}
    held: dict = {}
    placed: list[dict] = []
    patient_free_from = first_start
    for step in _topological(steps):
        length = step["duration"] + extra.get(step["id"], 0)
        ready = max([patient_free_from] + [ends[lag["step"]] + lag.get("min", 0)
                                           for lag in step.get("after", [])])
        deadline = min([latest - length] + [ends[lag["step"]] + lag["max"]
                                             for lag in step.get("after", []) if "max" in lag])
        for start in calendar.candidate_times(ready):
            if start > deadline:
                return None
            chosen = _pick_resources(step, start, start + length, calendar, held)
            if chosen is not None:
                break
        else:
            return None
        ends[step["id"]] = start + length
        held[step["id"]] = chosen
        patient_free_from = start + length
        placed.append({"patient": patient["id"], "step": step["id"], "start": fmt_time(start),
                       "end": fmt_time(start + length), "resources": chosen})
    return placed


def greedy_plan(instance: dict, *, start_step: int = 5) -> dict:
    """A valid `mammapoli-plan/1` for a morning without fixed steps (status FEASIBLE)."""
    window_start = to_minutes(instance["window"]["start"])
    window_end = to_minutes(instance["window"]["end"])
    calendar = _Calendar(instance)
    pathways = instance["pathways"]
    order = sorted(instance["patients"],
                   key=lambda p: (-p.get("priority", 1),
                                  -_critical_path(pathways[p["pathway"]]["steps"],
                                                  p.get("extra", {})), p["id"]))
    assignments: list[dict] = []
    unscheduled: list[dict] = []
    stay = bound = priority = 0
    for patient in order:
        steps = pathways[patient["pathway"]]["steps"]
        earliest = to_minutes(patient.get("earliest", instance["window"]["start"]))
        placed = None
        for first_start in range(max(earliest, window_start), window_end, start_step):
            placed = _place_patient(patient, steps, first_start, window_end, calendar)
            if placed:
                break
        if not placed:
            unscheduled.append({"patient": patient["id"],
                                "reason": "the greedy test planner found no slot"})
            continue
        for item in placed:
            for rid in item["resources"]:
                calendar.booked[rid].append((to_minutes(item["start"]), to_minutes(item["end"])))
        assignments.extend(placed)
        stay += to_minutes(placed[-1]["end"]) - to_minutes(placed[0]["start"])
        bound += _critical_path(steps, patient.get("extra", {}))
        priority += patient.get("priority", 1)
    assignments.sort(key=lambda a: (a["patient"], a["start"]))
    plan = {
        "format": "mammapoli-plan/1",
        "status": "FEASIBLE",
        "objective": {"scheduled": len(instance["patients"]) - len(unscheduled),
                      "priority_scheduled": priority, "total_stay": stay,
                      "lower_bound_total_stay": bound},
        "assignments": assignments,
        "unscheduled": sorted(unscheduled, key=lambda u: u["patient"]),
        "stats": {"engine": "greedy-test"},
    }
    if "name" in instance:
        plan = {"format": plan.pop("format"), "instance": instance["name"], **plan}
    return plan

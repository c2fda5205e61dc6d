"""Seeded generator of realistic clinic mornings and of mid-morning re-planning instances.

Benchmarks and property tests need many mornings that look like the real clinic in
`fixtures/instances/standard-20.json`: the same four pathways, staff scaled to the list,
staggered coffee breaks, a realistic pathway mix, a few time-constrained, urgent and slow
patients. Everything is drawn from `random.Random(seed)`, so a seed names one morning.
Standard library only.
"""

from __future__ import annotations

import copy
import math
import random
import re

from scheduler.check import check_plan
from scheduler.clock import fmt_time, to_minutes

WINDOW = ("08:00", "13:00")
_HM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# Copied literally from fixtures/instances/standard-20.json.
PATHWAYS: dict = {
    "core": {"steps": [
        {"id": "exam", "duration": 15, "needs": ["surgeon", "consult_room"]},
        {"id": "mammo", "duration": 15, "needs": ["radiographer", "mammography_unit"],
         "after": [{"step": "exam"}]},
        {"id": "us", "duration": 15, "needs": ["radiologist", "ultrasound_room"],
         "after": [{"step": "mammo"}]},
        {"id": "core", "duration": 25, "needs": ["radiologist", "ultrasound_room"],
         "same_as": {"radiologist": "us"}, "after": [{"step": "us", "max": 30}]},
        {"id": "histology", "duration": 20, "needs": ["pathologist"],
         "after": [{"step": "core", "min": 120}]},
        {"id": "result", "duration": 20, "needs": ["surgeon", "consult_room", "nurse"],
         "same_as": {"surgeon": "exam"}, "after": [{"step": "histology", "max": 60}]},
    ]},
    "fna": {"steps": [
        {"id": "exam", "duration": 15, "needs": ["surgeon", "consult_room"]},
        {"id": "mammo", "duration": 15, "needs": ["radiographer", "mammography_unit"],
         "after": [{"step": "exam"}]},
        {"id": "us", "duration": 15, "needs": ["radiologist", "ultrasound_room"],
         "after": [{"step": "mammo"}]},
        {"id": "fna", "duration": 15, "needs": ["radiologist", "ultrasound_room"],
         "same_as": {"radiologist": "us"}, "after": [{"step": "us", "max": 20}]},
        {"id": "cytology", "duration": 15, "needs": ["pathologist"],
         "after": [{"step": "fna", "min": 30}]},
        {"id": "result", "duration": 20, "needs": ["surgeon", "consult_room", "nurse"],
         "same_as": {"surgeon": "exam"}, "after": [{"step": "cytology", "max": 60}]},
    ]},
    "imaging": {"steps": [
        {"id": "exam", "duration": 15, "needs": ["surgeon", "consult_room"]},
        {"id": "mammo", "duration": 15, "needs": ["radiographer", "mammography_unit"],
         "after": [{"step": "exam"}]},
        {"id": "us", "duration": 15, "needs": ["radiologist", "ultrasound_room"],
         "after": [{"step": "mammo"}]},
        {"id": "result", "duration": 10, "needs": ["surgeon", "consult_room"],
         "same_as": {"surgeon": "exam"}, "after": [{"step": "us", "min": 10, "max": 120}]},
    ]},
    "ultrasound-only": {"steps": [
        {"id": "exam", "duration": 15, "needs": ["surgeon", "consult_room"]},
        {"id": "us", "duration": 15, "needs": ["radiologist", "ultrasound_room"],
         "after": [{"step": "exam"}]},
        {"id": "result", "duration": 10, "needs": ["surgeon", "consult_room"],
         "same_as": {"surgeon": "exam"}, "after": [{"step": "us", "min": 10, "max": 120}]},
    ]},
}

# Share of the list per pathway, as referrals arrive at a Dutch one-stop breast clinic.
PATHWAY_MIX = {"ultrasound-only": 0.20, "imaging": 0.40, "fna": 0.30, "core": 0.10}
BIOPSY_STEP = {"fna": "fna", "core": "core"}

# Kind -> id prefix, in the order the example mornings list them.
KIND_PREFIX = {"surgeon": "chir", "consult_room": "spreek", "radiographer": "mbb",
               "mammography_unit": "mammo", "radiologist": "rad", "ultrasound_room": "echo",
               "pathologist": "patho", "nurse": "mcv"}

# Staff and rooms at three list sizes: small-8, standard-20 and a regional centre of 60
# (6 surgeons, 4 radiologists, 2 pathologists; rooms, devices, radiographers and nurses to
# match). Other sizes are interpolated linearly between these and scaled beyond them.
STAFFING_ANCHORS = {
    8: {"surgeon": 2, "consult_room": 3, "radiographer": 2, "mammography_unit": 2,
        "radiologist": 2, "ultrasound_room": 2, "pathologist": 1, "nurse": 2},
    20: {"surgeon": 3, "consult_room": 4, "radiographer": 2, "mammography_unit": 2,
         "radiologist": 2, "ultrasound_room": 2, "pathologist": 1, "nurse": 2},
    60: {"surgeon": 6, "consult_room": 8, "radiographer": 4, "mammography_unit": 3,
         "radiologist": 4, "ultrasound_room": 4, "pathologist": 2, "nurse": 4},
}

COFFEE_BREAK = 15  # minutes; staggered so that one of each kind is always on duty
FIRST_BREAK = {"radiographer": "10:00", "radiologist": "10:30"}
LATE_START = {"pathologist": "09:00", "nurse": "08:30"}


def _label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: resource letters as in `chir-A`."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def staffing(n_patients: int) -> dict:
    """How many resources of each kind a morning of `n_patients` gets."""
    sizes = sorted(STAFFING_ANCHORS)
    if n_patients >= sizes[-1]:
        top = STAFFING_ANCHORS[sizes[-1]]
        return {k: math.ceil(v * n_patients / sizes[-1]) for k, v in top.items()}
    if n_patients <= sizes[0]:
        low = STAFFING_ANCHORS[sizes[0]]
        return {k: max(1, math.floor(v * n_patients / sizes[0] + 0.5)) for k, v in low.items()}
    upper = next(s for s in sizes if s >= n_patients)
    lower = max(s for s in sizes if s < n_patients)
    share = (n_patients - lower) / (upper - lower)
    return {k: math.floor(v + share * (STAFFING_ANCHORS[upper][k] - v) + 0.5)
            for k, v in STAFFING_ANCHORS[lower].items()}


def _availability(kind: str, index: int) -> list[list[str]]:
    start, end = WINDOW
    if kind == "surgeon" and index % 3 == 1:
        start = "08:30"  # every third surgeon has a ward round first
    start = LATE_START.get(kind, start)
    if kind not in FIRST_BREAK:
        return [[start, end]]
    pause = to_minutes(FIRST_BREAK[kind]) + COFFEE_BREAK * (index % 6)
    return [[start, fmt_time(pause)], [fmt_time(pause + COFFEE_BREAK), end]]


def _resources(n_patients: int) -> list[dict]:
    counts = staffing(n_patients)
    return [{"id": f"{prefix}-{_label(i)}", "kind": kind, "available": _availability(kind, i)}
            for kind, prefix in KIND_PREFIX.items() for i in range(counts[kind])]


def _pathway_list(n_patients: int, rng: random.Random) -> list[str]:
    """The mix by largest remainder (so 8 patients still get a core biopsy), shuffled."""
    quotas = {name: share * n_patients for name, share in PATHWAY_MIX.items()}
    counts = {name: int(q) for name, q in quotas.items()}
    by_remainder = sorted(quotas, key=lambda name: (counts[name] - quotas[name], name))
    for name in by_remainder[:n_patients - sum(counts.values())]:
        counts[name] += 1
    names = [name for name in PATHWAY_MIX for _ in range(counts[name])]
    rng.shuffle(names)
    return names


def _critical_path(pathway: str, extra: dict) -> int:
    finish: dict = {}
    for step in PATHWAYS[pathway]["steps"]:  # listed in precedence order
        begin = max((finish[lag["step"]] + lag.get("min", 0) for lag in step.get("after", [])),
                    default=0)
        finish[step["id"]] = begin + step["duration"] + extra.get(step["id"], 0)
    return max(finish.values())


def _patient(number: int, pathway: str, urgent: bool, rng: random.Random) -> dict:
    patient: dict = {"id": f"P{number:02d}", "pathway": pathway}
    extra: dict = {}
    if rng.random() < 0.10:
        extra["exam"] = rng.choice((5, 10))  # an interpreter, a wheelchair
    if pathway in BIOPSY_STEP and rng.random() < 0.15:
        extra[BIOPSY_STEP[pathway]] = 10  # a known difficult biopsy
    # Only time limits the patient can still meet (the pathway plus half an hour of slack).
    need = _critical_path(pathway, extra) + 30
    start, end = (to_minutes(t) for t in WINDOW)
    if rng.random() < 0.15:
        earliest = to_minutes(rng.choice(("08:30", "09:00", "09:30", "10:00")))
        if earliest + need <= end:
            patient["earliest"] = fmt_time(earliest)
            start = earliest
    if rng.random() < 0.10:
        latest = to_minutes(rng.choice(("11:30", "12:00", "12:30")))
        if start + need <= latest:
            patient["latest"] = fmt_time(latest)
    if urgent:
        patient["priority"] = 3
    if extra:
        patient["extra"] = extra
    return patient


def generate_morning(n_patients: int, *, seed: int, name: str | None = None,
                     date: str = "2026-12-01") -> dict:
    """A `mammapoli-morning/1` instance of `n_patients`, the same for the same seed."""
    if n_patients < 1:
        raise ValueError(f"n_patients must be at least 1, got {n_patients}")
    rng = random.Random(seed)
    pathways = _pathway_list(n_patients, rng)
    n_urgent = round(n_patients * rng.uniform(0.10, 0.15))
    if n_patients >= 4:
        n_urgent = max(1, n_urgent)
    urgent = set(rng.sample(range(n_patients), n_urgent))
    return {
        "format": "mammapoli-morning/1",
        "name": name or f"generated-{n_patients}-seed{seed}",
        "date": date,
        "window": {"start": WINDOW[0], "end": WINDOW[1]},
        "resources": _resources(n_patients),
        "pathways": copy.deepcopy(PATHWAYS),
        "patients": [_patient(i + 1, pathway, i in urgent, rng)
                     for i, pathway in enumerate(pathways)],
    }


# --------------------------------------------------------------------------- uncertainty

def uncertainty_block(seed: int) -> dict:
    """A seeded `uncertainty` block, unlike the example's on purpose: a default cv of
    0.20-0.40, the biopsies (fna, core) 0.05-0.20 more variable, 4-12 % no-shows, punctuality
    3-10 minutes, an overtime limit of 10, 15, 20 or 30 minutes."""
    rng = random.Random(f"uncertainty:{seed}")
    default = round(rng.uniform(0.20, 0.40), 2)
    return {"duration_cv": {"default": default, "fna": round(default + rng.uniform(0.05, 0.20), 2),
                            "core": round(default + rng.uniform(0.05, 0.20), 2)},
            "no_show": round(rng.uniform(0.04, 0.12), 2), "punctuality_sd": rng.randint(3, 10),
            "overtime_p90": rng.choice((10, 15, 20, 30))}


def generate_uncertain_morning(n_patients: int, *, seed: int, name: str | None = None,
                               date: str = "2026-12-01") -> dict:
    """`generate_morning` with a seeded `uncertainty` block (`uncertainty_block`)."""
    morning = generate_morning(n_patients, seed=seed, name=name or f"u-generated-{n_patients}-seed{seed}",
                               date=date)
    morning["uncertainty"] = uncertainty_block(seed * 1000 + n_patients)
    return morning


# --------------------------------------------------------------------------- re-planning

def generate_replan(instance: dict, plan: dict, *, now: str, seed: int) -> dict:
    """The morning as it stands at `now`, to be re-planned, derived from a valid plan.

    Steps that started before `now` become `fixed` (with `end` once finished); one
    finished step overran by 5-15 minutes; one patient who had not started did not come;
    one or two urgent fine-needle walk-ins arrived; a radiologist is called away. The
    previous plan becomes the `reference`. Deterministic for a given seed.
    """
    rng = random.Random(seed)
    at = _validated_now(instance, now)
    if "fna" not in instance.get("pathways", {}):
        raise ValueError("generate_replan adds fine-needle walk-ins: the morning needs the "
                         "'fna' pathway")
    problems = check_plan(instance, plan)
    if problems or plan.get("status") not in ("OPTIMAL", "FEASIBLE"):
        reason = problems[0] if problems else f"status {plan.get('status')}"
        raise ValueError(f"generate_replan needs a valid solved plan of the morning: {reason}")
    fixed = [_as_fixed(a, at) for a in plan["assignments"] if to_minutes(a["start"]) < at]
    _add_overrun(fixed, instance, at, rng)
    patients = copy.deepcopy(instance["patients"])
    reference = copy.deepcopy(plan["assignments"])
    no_show = _pick_no_show(patients, fixed, plan, at, rng)
    if no_show is not None:
        patients = [p for p in patients if p["id"] != no_show]
        reference = [a for a in reference if a["patient"] != no_show]
    patients.extend(_walk_ins(patients, now, rng))
    replan = {key: copy.deepcopy(value) for key, value in instance.items()
              if key not in ("now", "fixed", "reference")}
    if "name" in instance:
        replan["name"] = f"{instance['name']}-replan"
    replan["resources"] = _radiologist_leaves(replan["resources"], fixed, instance, at, rng)
    replan.update(patients=patients, now=now, fixed=fixed, reference=reference)
    return replan


DAY_SCENARIOS = ("calm", "mild", "harsh")


def generate_day(instance: dict, plan: dict, *, now: str, seed: int, scenario: str = "mild") -> dict:
    """The morning at `now` as it really goes, from its published (valid) plan, for an
    on-the-day re-plan with `arrived` and the plan as `reference`:

    - every scenario: steps started before `now` are `fixed`; the patients due by now are
      in the clinic (`arrived` 0-10 min before their time), and one or two due within half
      an hour came early;
    - "calm": nothing else: the published plan still holds (a re-plan must move nobody);
    - "mild": one finished step overran 10 minutes, one patient due later did not come,
      one walk-in (ultrasound only, priority 2) arrived at `now`;
    - "harsh": as mild, and a radiologist is called away and an urgent fine-needle walk-in
      (priority 3) arrived too.
    Deterministic for a given seed.
    """
    if scenario not in DAY_SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(DAY_SCENARIOS)}, got {scenario!r}")
    rng = random.Random(seed)
    at = _validated_now(instance, now)
    problems = check_plan(instance, plan)
    if problems or plan.get("status") not in ("OPTIMAL", "FEASIBLE"):
        reason = problems[0] if problems else f"status {plan.get('status')}"
        raise ValueError(f"generate_day needs a valid solved plan of the morning: {reason}")
    fixed = [_as_fixed(a, at) for a in plan["assignments"] if to_minutes(a["start"]) < at]
    patients = copy.deepcopy(instance["patients"])
    reference = copy.deepcopy(plan["assignments"])
    arrival = {}
    for a in plan["assignments"]:
        arrival[a["patient"]] = min(arrival.get(a["patient"], 24 * 60), to_minutes(a["start"]))
    started = {item["patient"] for item in fixed}
    start = to_minutes(instance["window"]["start"])
    for p in patients:
        due = arrival.get(p["id"])
        if p["id"] in started or due is None:
            continue
        if due <= at:
            p["arrived"] = fmt_time(max(start - 15, due - rng.randint(0, 10)))
    early = [p for p in patients if p["id"] in arrival and "arrived" not in p and p["id"] not in started
             and at < arrival[p["id"]] <= at + 30]
    for p in rng.sample(early, min(len(early), rng.choice((1, 2)))):
        p["arrived"] = fmt_time(at - rng.randint(0, 10))
    resources = copy.deepcopy(instance["resources"])
    if scenario != "calm":
        finished = [item for item in fixed if "end" in item]
        fits = [item for item in finished if _overrun_fits(item, to_minutes(item["end"]) + 10, fixed, instance, at)]
        if fits:
            chosen = rng.choice(fits)
            chosen["end"] = fmt_time(to_minutes(chosen["end"]) + 10)
        waiting = [p["id"] for p in patients if p["id"] in arrival and p["id"] not in started and "arrived" not in p]
        if waiting:
            gone = rng.choice(waiting)
            patients = [p for p in patients if p["id"] != gone]
            reference = [a for a in reference if a["patient"] != gone]
        walk_ins = [("ultrasound-only", 2)] + ([("fna", 3)] if scenario == "harsh" else [])
        for number, (pathway, priority) in enumerate(walk_ins, start=1):
            if pathway in instance["pathways"]:
                patients.append({"id": f"W{number}", "pathway": pathway, "priority": priority, "arrived": now})
        if scenario == "harsh":
            resources = _radiologist_leaves(resources, fixed, instance, at, rng)
    day = {key: copy.deepcopy(value) for key, value in instance.items() if key not in ("now", "fixed", "reference")}
    if "name" in instance:
        day["name"] = f"{instance['name']}-{scenario}"
    day.update(resources=resources, patients=patients, now=now, fixed=fixed, reference=reference)
    return day


def _validated_now(instance: dict, now: str) -> int:
    start, end = (to_minutes(instance["window"][k]) for k in ("start", "end"))
    if not isinstance(now, str) or not _HM.match(now):
        raise ValueError(f"now must be a time HH:MM, got {now!r}")
    at = to_minutes(now)
    if not start < at < end:
        raise ValueError(f"now {now} is not inside the window {fmt_time(start)}-{fmt_time(end)}")
    if "now" in instance and at <= to_minutes(instance["now"]):
        raise ValueError(f"now {now} is not after the instance's now {instance['now']}")
    return at


def _as_fixed(assignment: dict, at: int) -> dict:
    item = {key: copy.deepcopy(assignment[key])
            for key in ("patient", "step", "start", "resources")}
    if to_minutes(assignment["end"]) <= at:
        item["end"] = assignment["end"]
    return item


def _fixed_end(item: dict, instance: dict) -> int:
    if "end" in item:
        return to_minutes(item["end"])
    patient = next(p for p in instance["patients"] if p["id"] == item["patient"])
    step = next(s for s in instance["pathways"][patient["pathway"]]["steps"]
                if s["id"] == item["step"])
    return to_minutes(item["start"]) + step["duration"] + patient.get("extra", {}).get(
        item["step"], 0)


def _overrun_fits(item: dict, new_end: int, fixed: list[dict], instance: dict, at: int) -> bool:
    """Would ending `item` at `new_end` keep the fixed steps consistent with each other?"""
    if new_end > at:
        return False  # it would not have finished by now
    patient = next(p for p in instance["patients"] if p["id"] == item["patient"])
    if new_end > to_minutes(patient.get("latest", instance["window"]["end"])):
        return False
    steps = {s["id"]: s for s in instance["pathways"][patient["pathway"]]["steps"]}
    start = to_minutes(item["start"])
    for other in fixed:
        if other is item:
            continue
        shares = other["patient"] == item["patient"] or set(other["resources"]) & set(
            item["resources"])
        if shares and to_minutes(other["start"]) < new_end and start < _fixed_end(other, instance):
            return False
        if other["patient"] == item["patient"]:
            for lag in steps[other["step"]].get("after", []):
                if lag["step"] == item["step"] and \
                        to_minutes(other["start"]) - new_end < lag.get("min", 0):
                    return False
    return True


def _add_overrun(fixed: list[dict], instance: dict, at: int, rng: random.Random) -> None:
    """One finished step took 5, 10 or 15 minutes longer; nothing else that is fixed moves."""
    finished = [item for item in fixed if "end" in item]
    first = rng.choice((5, 10, 15))
    for minutes in sorted((5, 10, 15), key=lambda m: (m != first, -m)):
        fits = [item for item in finished
                if _overrun_fits(item, to_minutes(item["end"]) + minutes, fixed, instance, at)]
        if fits:
            chosen = rng.choice(fits)
            chosen["end"] = fmt_time(to_minutes(chosen["end"]) + minutes)
            return


def _pick_no_show(patients: list[dict], fixed: list[dict], plan: dict, at: int,
                  rng: random.Random) -> str | None:
    started = {item["patient"] for item in fixed}
    booked = {a["patient"] for a in plan["assignments"]}
    waiting = [p["id"] for p in patients if p["id"] not in started]
    candidates = [pid for pid in waiting if pid in booked] or waiting
    return rng.choice(candidates) if candidates else None


def _walk_ins(patients: list[dict], now: str, rng: random.Random) -> list[dict]:
    taken = {p["id"] for p in patients}
    walk_ins: list[dict] = []
    number = 1
    for _ in range(rng.choice((1, 2))):
        while f"W{number}" in taken:
            number += 1
        taken.add(f"W{number}")
        walk_ins.append({"id": f"W{number}", "pathway": "fna", "earliest": now, "priority": 3})
    return walk_ins


def _radiologist_leaves(resources: list[dict], fixed: list[dict], instance: dict, at: int,
                        rng: random.Random) -> list[dict]:
    """One radiologist is called away: availability cut at a time after now (5-min grid)."""
    radiologists = [r for r in resources if r["kind"] == "radiologist"]
    if not radiologists:
        return resources
    leaving = rng.choice(radiologists)
    busy_until = max([_fixed_end(item, instance) for item in fixed
                      if leaving["id"] in item["resources"]], default=at)
    earliest = max(at + 30, busy_until)
    earliest += -earliest % 5
    latest = to_minutes(instance["window"]["end"]) - 30
    if earliest > latest:
        return resources
    cut = rng.randrange(earliest, latest + 1, 5)
    leaving["available"] = [[a, fmt_time(min(to_minutes(b), cut))]
                            for a, b in leaving["available"] if to_minutes(a) < cut]
    return resources

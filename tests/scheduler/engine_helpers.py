"""Small hand-made mornings and a solve-and-validate helper for the engine's tests."""

from __future__ import annotations

import json
from pathlib import Path

from scheduler import plan_to_json, solve
from scheduler.check import check_plan

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "fixtures" / "instances"
SEED = 0


def fixture(name: str) -> dict:
    return json.loads((INSTANCES / f"{name}.json").read_text())


def res(rid: str, kind: str, *available: tuple[str, str]) -> dict:
    """A resource; available the whole window unless intervals are given."""
    return {"id": rid, "kind": kind, "available": [list(a) for a in available] or None}


def step(sid: str, duration: int, *needs: str, after=None, same_as=None) -> dict:
    out: dict = {"id": sid, "duration": duration, "needs": list(needs)}
    if after:
        out["after"] = after
    if same_as:
        out["same_as"] = same_as
    return out


def patient(pid: str, pathway: str = "p", **extra) -> dict:
    return {"id": pid, "pathway": pathway, **extra}


def morning(resources: list[dict], pathways: dict, patients: list[dict], *,
            window=("08:00", "10:00"), **extra) -> dict:
    for r in resources:
        if r["available"] is None:
            r["available"] = [list(window)]
    return {"format": "mammapoli-morning/1", "name": "test", "date": "2026-12-01",
            "window": {"start": window[0], "end": window[1]}, "resources": resources,
            "pathways": pathways, "patients": patients, **extra}


def run(instance: dict, *, time_limit: float = 2.0, workers: int = 2):
    """Solve with a short limit and a fixed seed; the plan must pass the validator."""
    result = solve(instance, time_limit=time_limit, workers=workers, seed=SEED)
    plan = plan_to_json(result)
    assert check_plan(instance, plan) == []
    return result, plan


def steps_of(plan: dict, pid: str) -> dict[str, tuple[str, str, list[str]]]:
    """Patient's steps in a plan: step id -> (start, end, resources)."""
    return {a["step"]: (a["start"], a["end"], a["resources"]) for a in plan["assignments"]
            if a["patient"] == pid}


def unscheduled(plan: dict) -> dict[str, str]:
    return {u["patient"]: u["reason"] for u in plan["unscheduled"]}


def placements_violations(instance: dict, prep, placements: dict) -> list:
    """What the independent validator finds wrong with the engine's internal placements (as
    a plan whose bound is its own total stay, which the validator accepts when it is valid)."""
    from scheduler.clock import fmt_time

    assignments = []
    for i, pl in placements.items():
        p = prep.patients[i]
        for st in p.steps:
            start = pl.starts[st.local]
            assignments.append({"patient": p.id, "step": st.id, "start": fmt_time(start),
                                "end": fmt_time(start + st.duration),
                                "resources": [prep.resources[r].id for r in pl.resources[st.local]]})
    stay = sum(pl.stay(prep.patients[i]) for i, pl in placements.items())
    plan = {"format": "mammapoli-plan/1", "instance": instance.get("name", ""), "status": "FEASIBLE",
            "objective": {"scheduled": len(placements),
                          "priority_scheduled": sum(prep.patients[i].priority for i in placements),
                          "total_stay": stay, "lower_bound_total_stay": stay},
            "assignments": assignments,
            "unscheduled": [{"patient": p.id, "reason": "not in this plan"} for p in prep.patients
                            if p.index not in placements]}
    return check_plan(instance, plan)

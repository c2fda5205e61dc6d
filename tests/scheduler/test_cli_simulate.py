"""`python -m scheduler simulate INSTANCE PLAN [--runs N] [--seed S] [--policy static|replan] [--json OUT]`."""

from __future__ import annotations

import json
import subprocess
import sys

from engine_helpers import INSTANCES, ROOT, fixture
from scheduler import plan_to_json, problem_from_json
from scheduler.baselines import fcfs
from scheduler.simulate import simulate_static

UNCERTAIN = INSTANCES / "uncertain" / "u-standard-20.json"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def fcfs_plan_file(tmp_path) -> str:
    path = tmp_path / "fcfs.json"
    path.write_text(json.dumps(plan_to_json(fcfs(problem_from_json(fixture("uncertain/u-standard-20"))))))
    return str(path)


def test_static_prints_the_figures_and_writes_the_same_as_json(tmp_path):
    out = tmp_path / "figures.json"
    done = cli("simulate", str(UNCERTAIN), fcfs_plan_file(tmp_path), "--runs", "100", "--seed", "4",
               "--json", str(out))
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    problem = problem_from_json(fixture("uncertain/u-standard-20"))
    expected = simulate_static(problem, fcfs(problem), runs=100, seed=4).to_json()
    assert figures == {"instance": "u-standard-20", **expected}
    assert f"answered by 13:00   {expected['answered_expected']:.2f} of 16 expected" in done.stdout
    assert f"p90 {expected['overtime_p90']:.1f} min (the clinic's limit 15)" in done.stdout
    assert "static policy, 100 mornings (seed 4)" in done.stdout


def test_replan_runs_the_engine_and_reports_moves_and_calls(tmp_path):
    done = cli("simulate", str(UNCERTAIN), fcfs_plan_file(tmp_path), "--policy", "replan", "--runs", "2",
               "--time-limit", "0.5", "--max-replans", "2", "--json", "-")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout[done.stdout.index("{"):])
    assert figures["policy"] == "replan" and figures["runs"] == 2
    assert 0 < figures["replans_per_morning"] <= 2
    assert "moved / called" in done.stdout


def test_a_plan_that_breaks_a_rule_is_refused(tmp_path):
    plan = json.loads(open(fcfs_plan_file(tmp_path)).read())
    plan["assignments"][0]["start"] = "07:00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(plan))
    done = cli("simulate", str(UNCERTAIN), str(bad))
    assert done.returncode == 1 and "window" in done.stderr and done.stdout == ""


def test_an_invalid_instance_or_an_unreadable_file_is_said_without_traceback(tmp_path):
    inst = fixture("uncertain/u-standard-20")
    inst["uncertainty"]["no_show"] = 2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(inst))
    done = cli("simulate", str(path), fcfs_plan_file(tmp_path))
    assert done.returncode == 2
    assert "uncertainty.no_show: must be a number between 0 and 1, got 2" in done.stderr
    missing = cli("simulate", str(UNCERTAIN), str(tmp_path / "nope.json"))
    assert missing.returncode == 3 and "cannot read" in missing.stderr
    assert "Traceback" not in done.stderr + missing.stderr

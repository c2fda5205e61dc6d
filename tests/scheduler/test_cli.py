"""`python -m scheduler solve` and `python -m scheduler check`."""

from __future__ import annotations

import json
import subprocess
import sys

from engine_helpers import INSTANCES, ROOT, fixture


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_solve_writes_the_plan_to_stdout_and_progress_to_stderr():
    done = cli("solve", str(INSTANCES / "small-8.json"), "--time-limit", "3", "--seed", "0")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["format"] == "mammapoli-plan/1" and plan["instance"] == "small-8"
    assert plan["status"] == "OPTIMAL" and plan["objective"]["scheduled"] == 8
    assert "heuristic" in done.stderr and "OPTIMAL: 8 patients" in done.stderr


def test_solve_to_a_file_then_check_it(tmp_path):
    out = tmp_path / "plan.json"
    done = cli("solve", str(INSTANCES / "standard-20-replan.json"), "--time-limit", "2", "--workers", "2",
               "-o", str(out), "-q")
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    checked = cli("check", str(INSTANCES / "standard-20-replan.json"), str(out))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("OK:")


def test_check_lists_broken_rules_and_fails(tmp_path):
    plan = json.loads(cli("solve", str(INSTANCES / "small-8.json"), "--time-limit", "2", "-q").stdout)
    plan["assignments"][0]["start"] = "07:00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(plan))
    checked = cli("check", str(INSTANCES / "small-8.json"), str(bad))
    assert checked.returncode == 1 and "window" in checked.stdout


def test_invalid_instance_gives_an_invalid_plan_and_exit_2_without_traceback(tmp_path):
    inst = fixture("small-8")
    inst["patients"][3]["pathway"] = "fnaa"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(inst))
    done = cli("solve", str(path))
    assert done.returncode == 2
    plan = json.loads(done.stdout)
    assert plan["status"] == "INVALID" and plan["error"] == "patients[3].pathway: unknown pathway 'fnaa'"
    assert "Traceback" not in done.stderr


def test_unreadable_input_is_reported_without_traceback(tmp_path):
    missing = cli("solve", str(tmp_path / "nope.json"))
    assert missing.returncode == 3 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    broken = cli("solve", str(garbage))
    assert broken.returncode == 3 and "not JSON" in broken.stderr and "Traceback" not in broken.stderr


def test_instance_from_stdin():
    done = cli("solve", "-", "--time-limit", "1", "-q", stdin=(INSTANCES / "small-8.json").read_text())
    assert done.returncode == 0 and json.loads(done.stdout)["objective"]["scheduled"] == 8


def test_bad_option_is_a_usage_error():
    done = cli("solve", str(INSTANCES / "small-8.json"), "--time-limit", "-1")
    assert done.returncode == 2 and "time-limit" in done.stderr and "Traceback" not in done.stderr

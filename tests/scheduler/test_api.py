"""The Python interface: signature, frozen results, progress and cancellation, purity."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import subprocess
import sys

from engine_helpers import ROOT, fixture, run
from scheduler import Progress, Result, Status, problem_from_json, solve


def test_solve_signature():
    sig = inspect.signature(solve)
    assert list(sig.parameters)[:1] == ["problem"]
    for name, default in (("time_limit", 10.0), ("workers", 2), ("seed", 0), ("on_progress", None)):
        assert sig.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert sig.parameters[name].default == default


def _walk(value, seen=None):
    """Every value reachable from a result (dataclass fields, tuples, dicts)."""
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _walk(k)
            yield from _walk(item)


def test_result_is_frozen_plain_data():
    result, _ = run(fixture("small-8"), time_limit=2)
    assert isinstance(result, Result) and isinstance(result.status, Status)
    for value in _walk(result):
        module = type(value).__module__
        assert not module.startswith(("ortools", "google")), type(value)
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen, type(value)
    assert issubclass(Status, enum.Enum) and {s.value for s in Status} == {
        "OPTIMAL", "FEASIBLE", "INFEASIBLE", "INVALID"}


def test_progress_reports_every_improving_plan():
    seen: list[Progress] = []
    result = solve(problem_from_json(fixture("standard-20")), time_limit=3, seed=0, on_progress=seen.append)
    assert seen and all(isinstance(p, Progress) for p in seen)
    keys = [(p.priority, -p.total_stay) for p in seen]
    assert keys == sorted(keys)                        # never worse than the previous one
    assert seen[-1].total_stay == result.objective.total_stay
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)


def test_returning_false_from_on_progress_stops_with_the_best_plan_so_far():
    calls = []

    def stop(progress: Progress) -> bool:
        calls.append(progress)
        return False

    result = solve(problem_from_json(fixture("standard-20")), time_limit=30, seed=0, on_progress=stop)
    assert len(calls) == 1 and result.stats.cancelled
    assert result.status is Status.FEASIBLE and result.stats.solve_seconds < 10
    assert result.objective.total_stay == calls[0].total_stay


def test_no_django_anywhere_in_the_engine():
    code = ("import sys, scheduler, scheduler.solve, scheduler.check, scheduler.testing.generator, scheduler.__main__; "
            "from scheduler.cpsat import model, lns, solver; "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in (ROOT / "scheduler").rglob("*.py"):
        assert "import django" not in path.read_text() and "from django" not in path.read_text(), path


def test_progress_is_reported_from_the_callers_thread():
    import threading

    threads = set()
    solve(problem_from_json(fixture("standard-20-replan")), time_limit=3, seed=0,
          on_progress=lambda p: threads.add(threading.get_ident()))
    assert threads == {threading.get_ident()}

"""The benchmark scripts stay runnable: each imports on the current code, and the hooks they
patch into the product still exist (a renamed function once broke `events.py` silently).
The figures themselves are measured by running the scripts, never asserted here."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCHMARKS.glob("*.py")))
def test_every_benchmark_imports_and_has_a_main(name):
    assert callable(load(name).main)


def test_the_event_benchmark_mutes_the_real_dispatch():
    from mammapoli.planning.services import jobs

    real = jobs.plan_job_dispatch
    with load("events").mute_tasks():
        assert jobs.plan_job_dispatch is not real
        assert jobs.plan_job_dispatch(job_id=None, time_limit=1) is True
    assert jobs.plan_job_dispatch is real

"""import_morning / export_morning: the exchange format in and out of the database."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mammapoli.clinics.models import AvailabilityException, Clinic
from mammapoli.planning.adapter import session_to_morning
from mammapoli.planning.models import ClinicSession, Visit, VisitStatus, VisitStep
from mammapoli.planning.morning_import import morning_import
from mammapoli.planning.morning_validation import MorningFormatError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = sorted((ROOT / "fixtures" / "instances").rglob("*.json"))
SHARED = ROOT.parent / "shared" / "instances"
ROUND_TRIP = INSTANCES


def load(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / "instances" / f"{name}.json").read_text())


def normalised(instance: dict) -> dict:
    """The instance with every default filled in, so that leaving a default out does not count."""
    result = copy.deepcopy(instance)
    result.pop("name", None)
    for patient in result["patients"]:
        patient.setdefault("priority", 1)
        patient["extra"] = {k: v for k, v in patient.get("extra", {}).items() if v}
        patient.setdefault("earliest", result["window"]["start"])
        patient.setdefault("latest", result["window"]["end"])
    for pathway in result["pathways"].values():
        for step in pathway["steps"]:
            step.setdefault("same_as", {})
            step["after"] = [{"min": 0, **lag} for lag in step.get("after", [])]
    for key in ("fixed", "reference"):
        result[key] = sorted(result.get(key, []), key=lambda e: (e["patient"], e["step"]))
    return result


def _relative(paths, root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in paths)


def test_the_repository_holds_every_shared_instance_unchanged():
    here = ROOT / "fixtures" / "instances"
    assert _relative(INSTANCES, here) == ["day/standard-20-calm.json", "day/standard-20-mild.json", "small-8.json",
                                          "standard-20-replan.json", "standard-20.json",
                                          "uncertain/u-standard-20.json"]
    if SHARED.is_dir():
        assert _relative(SHARED.rglob("*.json"), SHARED) == _relative(INSTANCES, here)
        for path in INSTANCES:
            name = path.relative_to(here)
            assert json.loads((SHARED / name).read_text()) == json.loads(path.read_text()), name


@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: p.stem)
def test_export_after_import_gives_back_the_same_instance(path):
    instance = json.loads(path.read_text())
    session = morning_import(data=instance)
    exported = session_to_morning(session)
    assert exported["name"] == instance["name"]
    assert normalised(exported) == normalised(instance)


def test_the_replanning_state_updates_the_morning_in_place():
    morning_import(data=load("standard-20"), clinic_name="delft")
    session = morning_import(data=load("standard-20-replan"), clinic_name="delft")
    assert normalised(session_to_morning(session)) == normalised(load("standard-20-replan"))
    assert session.visits.get(code="P08").status == VisitStatus.NO_SHOW
    assert session.visits.get(code="P01").status == VisitStatus.DONE
    assert session.visits.get(code="P06").status == VisitStatus.IN_PROGRESS
    assert session.visits.get(code="W1").status == VisitStatus.BOOKED
    # rad-B leaves at 10:45, before its 10:45-11:00 break: absent 11:00-13:00 that day only.
    absence = AvailabilityException.objects.get(resource__code="rad-B", resource__clinic__name="delft")
    assert (absence.start.strftime("%H:%M"), absence.end.strftime("%H:%M"), absence.kind) == ("11:00", "13:00", "absent")


def test_importing_twice_changes_nothing():
    morning_import(data=load("standard-20-replan"))
    counts = (Visit.objects.count(), VisitStep.objects.count(), AvailabilityException.objects.count())
    session = morning_import(data=load("standard-20-replan"))
    assert (Visit.objects.count(), VisitStep.objects.count(), AvailabilityException.objects.count()) == counts
    assert normalised(session_to_morning(session)) == normalised(load("standard-20-replan"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["patients"][3].update(pathway="fnaa"), "patients[3].pathway: unknown pathway 'fnaa'"),
        (lambda d: d["pathways"]["core"]["steps"][4]["after"][0].update(step="kore"),
         "pathways.core.steps[4].after[0].step: unknown step 'kore'"),
        (lambda d: d["window"].update(start="8:00"), "window.start: '8:00' does not match"),
        (lambda d: d["resources"][2].update(colour="blue"), "resources[2]: Additional properties are not allowed"),
        (lambda d: d["patients"][0].update(priority=0), "patients[0].priority: 0 is less than the minimum of 1"),
        (lambda d: d.update(date="2026-02-30"), "date: not a date: '2026-02-30'"),
        (lambda d: d["patients"][1].update(id="P01"), "patients[1].id: duplicate patient id 'P01'"),
    ],
)
def test_a_broken_instance_names_the_field_and_writes_nothing(mutate, message):
    instance = load("small-8")
    mutate(instance)
    with pytest.raises(MorningFormatError) as error:
        morning_import(data=instance)
    assert str(error.value).startswith(message)
    assert not Clinic.objects.exists()


def test_the_commands_round_trip_through_files(tmp_path):
    out = io.StringIO()
    call_command("import_morning", str(ROOT / "fixtures/instances/small-8.json"), "--clinic", "delft", stdout=out)
    assert "Imported small-8.json as clinic 'delft', morning 2026-12-01 (8 visits)." in out.getvalue()
    target = tmp_path / "morning.json"
    call_command("export_morning", "delft", "2026-12-01", "-o", str(target), stderr=io.StringIO())
    exported = json.loads(target.read_text())
    assert exported["name"] == "delft"
    assert normalised(exported) == normalised(load("small-8"))
    stdout = io.StringIO()
    call_command("export_morning", "delft", "2026-12-01", stdout=stdout)
    assert json.loads(stdout.getvalue()) == exported


def test_the_commands_explain_bad_input(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_morning", str(broken))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_morning", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="no morning of clinic 'nowhere' on 2026-12-01"):
        call_command("export_morning", "nowhere", "2026-12-01")
    with pytest.raises(CommandError, match="date: not a date"):
        call_command("export_morning", "nowhere", "1 december")
    assert not ClinicSession.objects.exists()

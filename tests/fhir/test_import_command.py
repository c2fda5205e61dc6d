"""manage.py import_referrals: a file of referral bundles, each received on its own."""

import json

import pytest
from django.core.management import CommandError, call_command

from mammapoli.records.models import Referral
from tests.fhir.conftest import sample_bundle

pytestmark = pytest.mark.django_db


def test_a_file_of_bundles_is_received_and_a_second_run_adds_nothing(planner, clinic, tmp_path, capsys):
    second = sample_bundle()
    second["entry"][1]["resource"]["identifier"][0]["value"] = "ZD-2026-118735"
    path = tmp_path / "referrals.ndjson"
    path.write_text("\n".join(json.dumps(b) for b in (sample_bundle(), second)), encoding="utf-8")
    call_command("import_referrals", str(path), "--user", planner.username)
    assert "2 received, 0 already there, 0 refused." in capsys.readouterr().out
    call_command("import_referrals", str(path), "--user", planner.username)
    assert "0 received, 2 already there, 0 refused." in capsys.readouterr().out
    assert Referral.objects.count() == 2


def test_a_bad_bundle_is_reported_by_element_and_the_others_are_received(planner, clinic, tmp_path, capsys):
    bad = sample_bundle()
    bad["entry"][1]["resource"]["identifier"][0]["value"] = "other"
    bad["entry"][0]["resource"]["birthDate"] = "yesterday"
    path = tmp_path / "referrals.json"
    path.write_text(json.dumps([bad, sample_bundle()]), encoding="utf-8")
    with pytest.raises(CommandError, match="1 received, 0 already there, 1 refused"):
        call_command("import_referrals", str(path), "--user", planner.username)
    assert "#1: refused: Bundle.entry[0].resource.birthDate" in capsys.readouterr().err
    assert Referral.objects.count() == 1


def test_the_receiving_account_must_exist_and_plan(surgeon, clinic, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(sample_bundle()), encoding="utf-8")
    with pytest.raises(CommandError, match="no such active user"):
        call_command("import_referrals", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="1 refused"):
        call_command("import_referrals", str(path), "--user", surgeon.username)
    with pytest.raises(CommandError, match="not JSON"):
        (tmp_path / "junk.json").write_text("{oops", encoding="utf-8")
        call_command("import_referrals", str(tmp_path / "junk.json"), "--user", surgeon.username)
    assert Referral.objects.count() == 0

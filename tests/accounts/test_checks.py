"""The deployment check refuses the demo's published second-factor secret in the database."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

from mammapoli.accounts.checks import no_demo_second_factor
from mammapoli.demo.loader import demo_otp_key

pytestmark = pytest.mark.django_db


def test_a_device_with_the_demo_secret_fails_the_deployment_check(surgeon, planner):
    TOTPDevice.objects.create(user=planner, name="phone", confirmed=True)
    assert no_demo_second_factor(databases=["default"]) == []
    TOTPDevice.objects.create(user=surgeon, name="demo", key=demo_otp_key("JVQW23LBOBXWY2JAMRSW23ZAKRHVIUBB"))
    (error,) = no_demo_second_factor(databases=["default"])
    assert (error.id, error.msg) == ("mammapoli.accounts.E001",
                                     "second factor with the demo's published secret for: sophie.surgeon")


def test_the_loaded_demo_does_not_pass_check_deploy():
    call_command("load_demo", stdout=io.StringIO())
    with pytest.raises(SystemCheckError, match="demo's published secret"):
        call_command("check", "--deploy", "--database", "default", "--tag", "security", stdout=io.StringIO(),
                     stderr=io.StringIO())

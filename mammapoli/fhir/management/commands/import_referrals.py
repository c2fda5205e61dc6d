"""Receive the referrals in a file, as an interface engine drops them: the same service as POST /fhir."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from mammapoli.fhir.inbound import intake_of
from mammapoli.fhir.outcome import FhirError
from mammapoli.fhir.services import referral_received


def resources_in(text: str) -> list:
    """One Bundle or ServiceRequest, a JSON list of them, or NDJSON (one per line)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            return [json.loads(line) for line in lines]
        except json.JSONDecodeError as exc:
            raise CommandError(f"not JSON, nor one JSON resource per line ({exc})") from None
    return data if isinstance(data, list) else [data]


class Command(BaseCommand):
    help = ("Receive FHIR referrals from a file (a transaction Bundle with Patient + ServiceRequest, or a "
            "ServiceRequest; one, a JSON list, or one per line) into the clinic's intake list. Each is received "
            "on its own: a bad one is reported with the element to blame and writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True,
                            help="the account receiving them (a planner of the clinic; named in the access log)")

    def handle(self, *args, file: Path, user: str, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"--user {user}: no such active user")
        try:
            resources = resources_in(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        counts = {"new": 0, "again": 0, "refused": 0}
        for number, resource in enumerate(resources, start=1):
            try:
                received = referral_received(user=account, intake=intake_of(resource))
            except FhirError as error:
                counts["refused"] += 1
                self.stderr.write(f"#{number}: refused: {error}")
                continue
            except (PermissionDenied, Http404) as error:
                counts["refused"] += 1
                self.stderr.write(f"#{number}: refused: {error or 'not one of your clinics'}")
                continue
            referral = received.referral
            counts["new" if received.created else "again"] += 1
            state = "received" if received.created else "already received, unchanged"
            self.stdout.write(f"#{number}: {state}: referral {referral.pk}, {referral.patient}, {referral.clinic.name}")
        summary = f"{counts['new']} received, {counts['again']} already there, {counts['refused']} refused."
        if counts["refused"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

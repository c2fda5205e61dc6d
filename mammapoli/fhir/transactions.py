"""The answer to a transaction Bundle: one entry per entry sent, in the same order."""

from fhir.resources.R4B.bundle import Bundle

from .build.referrals import service_request_of
from .inbound import ReferralIntake
from .services import Received


def transaction_response(intake: ReferralIntake, received: Received) -> Bundle:
    referral = received.referral
    entries: dict[int, dict] = {intake.entry_index: {
        "resource": service_request_of(referral),
        "response": {"status": "201 Created" if received.created else "200 OK",
                     "location": f"ServiceRequest/{referral.pk}"}}}
    if intake.patient_entry_index is not None:
        entries[intake.patient_entry_index] = {"response": {
            "status": "201 Created" if received.patient_created else "200 OK",
            "location": f"Patient/{referral.patient_id}"}}
    return Bundle(type="transaction-response", entry=[entries[index] for index in sorted(entries)])

"""ServiceRequest: a referral as the clinic holds it (what a POST answers with)."""

from fhir.resources.R4B.servicerequest import ServiceRequest

from mammapoli.records.models import Complaint, Referral

from .. import codes
from .common import coding, concept, english, own_coding, patient_reference


def service_request_of(referral: Referral) -> ServiceRequest:
    received = getattr(referral, "received_as", None)
    identifiers = [{"system": received.system, "value": received.value}] if received else []
    identifiers.append({"system": codes.own("NamingSystem", "referral"), "value": str(referral.pk)})
    complaint = [own_coding("complaint", referral.complaint, english(Complaint(referral.complaint).label))]
    complaint += [coding(codes.SNOMED, code, codes.COMPLAINT_SNOMED_DISPLAY[code])
                  for code, value in codes.COMPLAINT_SNOMED.items() if value == referral.complaint]
    system, code, display = codes.SERVICE_TRIPLE_ASSESSMENT
    booked = referral.visits.exists()
    return ServiceRequest(
        id=str(referral.pk),
        identifier=identifiers,
        status="completed" if referral.visits.filter(status__in=("done", "left")).exists() else "active",
        intent="order",
        priority=codes.URGENCY_PRIORITY[referral.urgency],
        code=concept(own_coding(system, code, display)),
        orderDetail=[concept(coding(codes.SNOMED, codes.BIOPSY_OF_BREAST, "Biopsy of breast"))]
        if referral.biopsy_requested else None,
        subject=patient_reference(referral.patient),
        authoredOn=referral.received_on,
        requester={"display": referral.referring_gp},
        performer=[{"identifier": {"system": codes.clinic_system(), "value": referral.clinic.name},
                    "display": str(referral.clinic)}],
        reasonCode=[concept(*complaint)],
        note=[{"text": referral.reason}] if referral.reason else None,
        extension=[{"url": codes.suspicion_extension_url(), "valueCode": referral.suspicion}],
        meta={"tag": [own_coding("intake", "booked" if booked else "awaiting-booking")]},
    )

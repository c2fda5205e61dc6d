"""The CapabilityStatement: exactly what /fhir/ serves, from the same table the URLs are made from."""

from dataclasses import dataclass

from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from .. import codes
from .common import fhir_version, software_version


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str
    documentation: str


@dataclass(frozen=True)
class Served:
    """One resource type: its interactions, search parameters and operations."""

    type: str
    interactions: tuple[str, ...]
    documentation: str
    search: tuple[SearchParam, ...] = ()
    operations: tuple[tuple[str, str], ...] = ()  # (name, documentation)


SERVED: tuple[Served, ...] = (
    Served("ServiceRequest", ("create", "read"),
           "A GP's referral: POST one (or a transaction Bundle with its Patient) to put it in the clinic's intake "
           "list; idempotent on ServiceRequest.identifier (sent again: 200 and the referral received before). "
           "For a planner of the clinic."),
    Served("Patient", (), "Only inside a transaction Bundle with a ServiceRequest: matched on the hospital "
                          "number (Patient.identifier), or created."),
    Served("Appointment", ("read", "search-type"),
           "A booked visit: status as on the board; each step's people, rooms and devices as participants with "
           "the step's period. For the clinic's team.",
           (SearchParam("patient", "reference", "Patient/[id]: her visits."),
            SearchParam("date", "date", "The morning: YYYY-MM-DD with eq (default), ge, gt, le or lt; repeatable.")),
           (("find", "GET Appointment/$find?service-type=[pathway]&priority=routine|urgent[&schedule=[id]]"
                     "[&_count=1..5]: the earliest mornings the pathway fits within the urgency target, from the "
                     "planner's booking search, as proposed Appointments (nothing is booked)."),)),
    Served("Schedule", ("read", "search-type"), "A clinic of the user's: its pathways and horizon."),
    Served("Slot", ("read", "search-type"), "One working morning of a clinic (its hours).",
           (SearchParam("schedule", "reference", "Schedule/[id] (required when you work in several clinics)."),
            SearchParam("start", "date", "ge/gt/le/lt YYYY-MM-DD; at most 31 days; default the next 14 days."))),
    Served("DiagnosticReport", ("read", "search-type"),
           "The signed sections of a visit's shared form (unsigned ones are not released). For the roles that "
           "read findings.", (SearchParam("subject", "reference", "Patient/[id]."),)),
    Served("Observation", ("read", "search-type"),
           "One per score of a signed section (P, BI-RADS, M, U, C, B) and the computed concordance. For the "
           "roles that read findings.", (SearchParam("subject", "reference", "Patient/[id]."),)),
    Served("DocumentReference", ("read", "search-type"),
           "The letter to the referring GP (a PDF, Binary/[id]), made when the conclusion is signed and again "
           "when the signed record changes.", (SearchParam("subject", "reference", "Patient/[id]."),)),
    Served("Composition", ("read",), "The GP letter's text, in sections."),
    Served("Binary", ("read",), "The GP letter's PDF: Accept application/pdf for the file itself."),
)


def capability_statement(*, base_url: str) -> CapabilityStatement:
    resources = []
    for served in SERVED:
        resources.append({
            "type": served.type,
            "documentation": served.documentation,
            **({"interaction": [{"code": code} for code in served.interactions]} if served.interactions else {}),
            **({"searchParam": [{"name": p.name, "type": p.type, "documentation": p.documentation}
                                for p in served.search]} if served.search else {}),
            **({"operation": [{"name": name, "definition": codes.own("OperationDefinition", f"{served.type}-{name}"),
                               "documentation": text} for name, text in served.operations]}
               if served.operations else {}),
        })
    return CapabilityStatement(
        status="active",
        date=timezone.now(),
        kind="instance",
        software={"name": "Mammapoli", "version": software_version()},
        implementation={"description": "Mammapoli breast clinic", "url": base_url},
        fhirVersion=fhir_version(),
        format=["application/fhir+json", "json"],
        rest=[{
            "mode": "server",
            "documentation": "Every interaction needs a logged-in user of the clinic's team (DRF token: "
                             "Authorization: Token …, or the session); outside the team answers are 404, a role "
                             "without the right 403; every read is in the access log (NEN 7513). JSON only.",
            "security": {"cors": False, "description": "The same accounts, rights and access log as the rest of "
                                                       "Mammapoli."},
            "resource": resources,
            "interaction": [{"code": "transaction", "documentation": "A Bundle of type transaction with one Patient "
                                                                     "and one ServiceRequest (POST /fhir)."}],
        }],
    )

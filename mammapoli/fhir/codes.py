"""Every code, code system, identifier system and extension the FHIR interface uses: one place.

Standard terminologies where they have the concept (SNOMED CT, LOINC, HL7's own code
systems); the clinic's own code systems under `settings.FHIR_SYSTEM_BASE` where they do not
(the UK P/M/U/C/B scores, the computed concordance, pathways and their steps). docs/fhir.md
lists the same table for people; tests/fhir/test_codes.py checks that it lists every code here.
"""

from django.conf import settings

from mammapoli.planning.models import VisitStatus
from mammapoli.records.models import Complaint, Suspicion, Urgency

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"  # diagnostic service section
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V3_PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


def own(kind: str, name: str) -> str:
    """A system of the clinic's own: `own("CodeSystem", "p-score")`."""
    return f"{settings.FHIR_SYSTEM_BASE}/{kind}/{name}"


def hospital_number_system() -> str:
    return settings.FHIR_HOSPITAL_NUMBER_SYSTEM


# --- identifier systems (NamingSystem) ------------------------------------------------------
def clinic_system() -> str:
    """A clinic by its short name (`demo`): ServiceRequest.performer, Schedule.actor."""
    return own("NamingSystem", "clinic")


def resource_system() -> str:
    """A person, room or device on the plan, as `<clinic>/<code>` (`demo/chir-A`)."""
    return own("NamingSystem", "resource")


def visit_system() -> str:
    """A visit as `<clinic>/<date>/<code>` (`demo/2026-12-01/P07`)."""
    return own("NamingSystem", "visit")


SUSPICION_EXTENSION = "StructureDefinition/clinical-suspicion"  # valueCode: low | moderate | high


def suspicion_extension_url() -> str:
    return f"{settings.FHIR_SYSTEM_BASE}/{SUSPICION_EXTENSION}"


# --- the referral (in) ------------------------------------------------------------------------
#: ServiceRequest.reasonCode: the complaint. SNOMED CT where it has the finding; the clinic's
#: `complaint` code system (its codes are the values of `Complaint`) for every complaint.
COMPLAINT_SNOMED = {
    "89164003": Complaint.PALPABLE_LUMP,  # Breast lump (finding)
    "53430007": Complaint.PAIN,  # Pain of breast (finding)
    "54302000": Complaint.NIPPLE_DISCHARGE,  # Discharge from nipple (disorder)
}
COMPLAINT_SNOMED_DISPLAY = {"89164003": "Breast lump", "53430007": "Pain of breast",
                            "54302000": "Discharge from nipple"}

#: ServiceRequest.priority -> urgency (routine: within 5 working days; the rest within 2).
PRIORITY_URGENCY = {"routine": Urgency.REGULAR, "urgent": Urgency.URGENT, "asap": Urgency.URGENT,
                    "stat": Urgency.URGENT}
URGENCY_PRIORITY = {Urgency.REGULAR: "routine", Urgency.URGENT: "urgent"}

SUSPICION_CODES = tuple(Suspicion.values)

#: ServiceRequest.orderDetail: the GP asks for a biopsy.
BIOPSY_OF_BREAST = "122548005"  # SNOMED CT: Biopsy of breast (procedure)

#: ServiceRequest.code of a referral to the clinic (no standard code for a one-stop triple assessment).
SERVICE_TRIPLE_ASSESSMENT = ("service", "triple-assessment", "Triple assessment in one morning (breast clinic)")

ACCEPTED_STATUS = ("active",)
ACCEPTED_INTENTS = ("order", "original-order")

#: Patient.gender -> `records.Sex` and back.
GENDER_SEX = {"female": "F", "male": "M", "other": "X", "unknown": "U"}
SEX_GENDER = {sex: gender for gender, sex in GENDER_SEX.items()}

# --- the visit (out) --------------------------------------------------------------------------
#: Visit status on the board -> Appointment.status. A patient being seen is "arrived"; one who
#: left before her pathway ended was seen (the result follows by phone): "fulfilled".
APPOINTMENT_STATUS = {
    VisitStatus.BOOKED: "booked",
    VisitStatus.ARRIVED: "arrived",
    VisitStatus.IN_PROGRESS: "arrived",
    VisitStatus.DONE: "fulfilled",
    VisitStatus.LEFT: "fulfilled",
    VisitStatus.NO_SHOW: "noshow",
    VisitStatus.CANCELLED: "cancelled",
    VisitStatus.REBOOKED: "cancelled",   # this morning's appointment; she has a new one
}

#: Appointment.participant.type by the resource's category (v3 ParticipationType).
PARTICIPATION_BY_CATEGORY = {"person": ("PPRF", "primary performer"), "room": ("LOC", "location"),
                             "device": ("DEV", "device")}
#: Appointment.participant.actor.type by the resource's category.
ACTOR_TYPE_BY_CATEGORY = {"person": "Practitioner", "room": "Location", "device": "Device"}


def pathway_system() -> str:
    """Appointment.serviceType, the `$find` operation's service-type: the clinic's pathway codes."""
    return own("CodeSystem", "pathway")


def pathway_step_system() -> str:
    """Appointment.participant.type: the pathway step a participant takes part in."""
    return own("CodeSystem", "pathway-step")


# --- the result (out) -------------------------------------------------------------------------
REPORT_CODE = ("report", "triple-assessment", "Triple assessment (clinical examination, imaging, pathology)")

#: DiagnosticReport.category per signed section (v2 diagnostic service section).
SECTION_CATEGORY = {"imaging": ("RAD", "Radiology"), "pathology": ("SP", "Surgical Pathology")}
CYTOPATHOLOGY = ("CP", "Cytopathology")


#: One Observation per score: form field -> (observation code in the clinic's `observation`
#: code system, display, section, observation-category, the code system of its values).
SCORE_OBSERVATIONS = {
    "p_score": ("p-score", "Clinical examination score (P1-P5)", "clinical", "exam", "p-score"),
    "birads": ("birads", "BI-RADS assessment category", "imaging", "imaging", "birads"),
    "m_score": ("m-score", "Mammography score (M1-M5)", "imaging", "imaging", "m-score"),
    "u_score": ("u-score", "Ultrasound score (U1-U5)", "imaging", "imaging", "u-score"),
    "c_score": ("c-score", "Cytology score (C1-C5)", "pathology", "laboratory", "c-score"),
    "b_score": ("b-score", "Core biopsy histology score (B1-B5c)", "pathology", "laboratory", "b-score"),
}
CONCORDANCE_OBSERVATION = ("concordance", "Triple-assessment concordance (computed)")
#: Values of the concordance Observation: `records.scoring.BadgeState`.
CONCORDANCE_VALUES = ("pending", "negative", "positive", "discordant")

#: The standard code of the BI-RADS observable (SNOMED CT, Netherlands edition), beside the clinic's.
BIRADS_OBSERVABLE_SNOMED = ("146611000146107", "Breast Imaging Reporting and Data System assessment category")
#: BI-RADS categories 0-5 in SNOMED CT (category 6 has no international code: the clinic's only).
BIRADS_SNOMED = {
    0: ("397138000", "Mammography assessment (Category 0) - Need additional imaging evaluation"),
    1: ("397140005", "Mammography assessment (Category 1) - Negative"),
    2: ("397141009", "Mammography assessment (Category 2) - Benign finding"),
    3: ("397143007", "Mammography assessment (Category 3) - Probably benign finding, short interval follow-up"),
    4: ("397144001", "Mammography assessment (Category 4) - Suspicious abnormality, biopsy should be considered"),
    5: ("397145000", "Mammography assessment (Category 5) - Highly suggestive of malignancy"),
}

#: DiagnosticReport.conclusionCode: the surgeon's outcome (`records.content.Outcome`).
OUTCOME_SYSTEM_NAME = "outcome"

# --- the letter (out) -------------------------------------------------------------------------
CONSULT_NOTE_LOINC = ("11488-4", "Consult note")  # DocumentReference.type, Composition.type


def score_value_code(field: str, value) -> str:
    """The code of a score's value in its own code system: P4, M3, C2, B5a, and 0-6 for BI-RADS."""
    prefix = {"p_score": "P", "m_score": "M", "u_score": "U", "c_score": "C", "b_score": "", "birads": ""}[field]
    return f"{prefix}{value}"

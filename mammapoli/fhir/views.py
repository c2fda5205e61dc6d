"""The FHIR endpoints under /fhir/. Thin: read the parameters, call one selector or service,
answer with a resource built by `build/`. DRF's configured authentication and the access
helpers decide who may; every refusal is an OperationOutcome (`handlers.py`)."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from mammapoli.audit.models import Action
from mammapoli.letters.selectors import letter_for_user

from . import search
from .availability import MAX_MORNINGS, MAX_SLOT_DAYS, clinic_mornings, mornings_that_fit
from .build.appointments import appointment_of
from .build.capability import capability_statement
from .build.common import searchset
from .build.letters import binary_of, composition_of, document_reference_of
from .build.referrals import service_request_of
from .build.results import diagnostic_report_of, observations_of
from .build.schedules import proposals_of, schedule_of, slot_of
from .codes import PRIORITY_URGENCY
from .handlers import FhirJsonParser, FhirJsonRenderer, PdfRenderer, fhir_exception_handler, fhir_response
from .inbound import intake_of
from .outcome import invalid, not_found
from .selectors import (
    appointment_visit_for_user,
    appointment_visits_for_user,
    clinic_for_user,
    letters_of_patient,
    pathway_for,
    referral_of_user,
    released_for_patient,
    released_for_user,
    schedule_parts,
    schedules_for_user,
    slot_clinic_day,
)
from .services import referral_received
from .transactions import transaction_response


class FhirView(APIView):
    parser_classes = [FhirJsonParser, JSONParser]
    renderer_classes = [FhirJsonRenderer, JSONRenderer, PdfRenderer]
    schema = None  # described by its CapabilityStatement (/fhir/metadata), not the REST API's OpenAPI schema

    def get_exception_handler(self):
        return fhir_exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/fhir/")

    def searchset(self, resources, *, outcome=None) -> HttpResponse:
        return fhir_response(searchset(resources, self_url=self.request.build_absolute_uri(),
                                       base_url=self.base_url(), outcome=outcome))


def _id(value: str, name: str = "id") -> int:
    if not value.isdigit() or len(value) > 18:
        raise not_found(name, "No such resource.")
    return int(value)


class MetadataView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        return fhir_response(capability_statement(base_url=self.base_url()))


class TransactionView(FhirView):
    """POST /fhir: a transaction Bundle with a Patient and a ServiceRequest."""

    def post(self, request: Request) -> HttpResponse:
        intake = intake_of(request.data)
        if intake.entry_index is None:
            raise invalid("resourceType", "POST a transaction Bundle here, or a ServiceRequest to /fhir/ServiceRequest.",
                          code="not-supported")
        received = referral_received(user=request.user, intake=intake)
        return fhir_response(transaction_response(intake, received), status=200)


class ServiceRequestCreateView(FhirView):
    def post(self, request: Request) -> HttpResponse:
        intake = intake_of(request.data)
        if intake.entry_index is not None:
            raise invalid("resourceType", "POST a Bundle to /fhir (the base), a ServiceRequest here.",
                          code="not-supported")
        received = referral_received(user=request.user, intake=intake)
        location = f"{self.base_url()}ServiceRequest/{received.referral.pk}"
        return fhir_response(service_request_of(received.referral), status=201 if received.created else 200,
                             headers={"Location": location})


class ServiceRequestReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        return fhir_response(service_request_of(referral_of_user(request.user, _id(resource_id))))


class AppointmentSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        query = request.query_params
        search.check_parameters(query, {"patient", "date"})
        patient_id = search.reference_id(search.single(query, "patient"), "Patient", "patient")
        dates = search.dates(query, "date")
        if patient_id is None and not dates:
            raise invalid("patient", "Give patient, date or both.", code="required")
        visits = appointment_visits_for_user(request.user, patient_id=patient_id, dates=dates,
                                             query=request.META.get("QUERY_STRING", ""))
        return self.searchset([appointment_of(visit) for visit in visits])


class AppointmentReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        return fhir_response(appointment_of(appointment_visit_for_user(request.user, _id(resource_id))))


class AppointmentFindView(FhirView):
    """GET /fhir/Appointment/$find: the earliest mornings a pathway fits (IHE Scheduling's $find)."""

    def get(self, request: Request) -> HttpResponse:
        query = request.query_params
        search.check_parameters(query, {"service-type", "priority", "schedule", "_count"})
        clinic = clinic_for_user(request.user, search.single(query, "schedule"), what="FHIR Appointment $find")
        pathway = pathway_for(clinic, search.single(query, "service-type", required=True))
        priority = search.single(query, "priority") or "routine"
        if priority not in PRIORITY_URGENCY:
            raise invalid("priority", "Expected routine, urgent, asap or stat.", code="value")
        found = mornings_that_fit(clinic=clinic, pathway=pathway, urgency=PRIORITY_URGENCY[priority],
                                  count=search.count(query, default=3, most=MAX_MORNINGS))
        proposals, outcome = proposals_of(clinic, pathway, found)
        return self.searchset(proposals, outcome=outcome)


class ScheduleSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        search.check_parameters(request.query_params, set())
        return self.searchset([schedule_of(*item) for item in schedules_for_user(request.user)])


class ScheduleReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        clinic = clinic_for_user(request.user, resource_id, what="FHIR Schedule")
        return fhir_response(schedule_of(*schedule_parts(clinic)))


class SlotSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        query = request.query_params
        search.check_parameters(query, {"schedule", "start"})
        schedule = search.single(query, "schedule")
        clinic = clinic_for_user(request.user, schedule.removeprefix("Schedule/") if schedule else None,
                                 what="FHIR Slot search")
        today = timezone.localdate()
        start, end = search.date_range(search.dates(query, "start"), "start", longest=MAX_SLOT_DAYS,
                                       default=(today + dt.timedelta(days=1), today + dt.timedelta(days=14)))
        return self.searchset([slot_of(clinic, morning) for morning in clinic_mornings(clinic, start, end)])


class SlotReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        clinic, day = slot_clinic_day(request.user, resource_id)
        mornings = clinic_mornings(clinic, day, day)
        if not mornings:
            raise not_found("id", "The clinic holds mornings on working days only.")
        return fhir_response(slot_of(clinic, mornings[0]))


class DiagnosticReportReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        released = released_for_user(request.user, _id(resource_id), what="FHIR DiagnosticReport")
        return fhir_response(diagnostic_report_of(released, observations_of(released)))


class DiagnosticReportSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        patient_id = _subject(request)
        released = released_for_patient(request.user, patient_id, what="FHIR DiagnosticReport search")
        return self.searchset([diagnostic_report_of(item, observations_of(item)) for item in released])


def _subject(request: Request) -> int:
    search.check_parameters(request.query_params, {"subject"})
    return search.reference_id(search.single(request.query_params, "subject", required=True), "Patient", "subject")


class ObservationSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        patient_id = _subject(request)
        released = released_for_patient(request.user, patient_id, what="FHIR Observation search")
        return self.searchset([observation for item in released for observation in observations_of(item)])


class ObservationReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        visit_id, _dash, code = resource_id.partition("-")
        released = released_for_user(request.user, _id(visit_id), what="FHIR Observation")
        found = next((o for o in observations_of(released) if o.id == resource_id), None)
        if found is None:
            raise not_found("id", f"No released observation {code} for this visit.")
        return fhir_response(found)


class DocumentReferenceSearchView(FhirView):
    def get(self, request: Request) -> HttpResponse:
        letters = letters_of_patient(request.user, _subject(request))
        return self.searchset([document_reference_of(letter) for letter in letters])


class DocumentReferenceReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        return fhir_response(document_reference_of(letter_for_user(request.user, _id(resource_id),
                                                                   what="FHIR DocumentReference")))


class CompositionReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> HttpResponse:
        return fhir_response(composition_of(letter_for_user(request.user, _id(resource_id), what="FHIR Composition")))


class BinaryReadView(FhirView):
    """The letter's PDF: the file itself for Accept: application/pdf, else a Binary resource."""

    def get(self, request: Request, resource_id: str) -> HttpResponse:
        letter = letter_for_user(request.user, _id(resource_id), what="FHIR Binary (GP letter PDF)",
                                 action=Action.EXPORT)
        if "application/pdf" in request.META.get("HTTP_ACCEPT", ""):
            response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="letter-{letter.visit_id}-v{letter.version}.pdf"'
            return response
        return fhir_response(binary_of(letter))


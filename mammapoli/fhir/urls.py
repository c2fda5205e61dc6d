"""/fhir/: FHIR R4 (R4B models) for referrers and the hospital. What is served: build/capability.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.TransactionView.as_view(), name="fhir-transaction"),
    path("metadata", views.MetadataView.as_view(), name="fhir-metadata"),
    path("ServiceRequest", views.ServiceRequestCreateView.as_view(), name="fhir-servicerequest-create"),
    path("ServiceRequest/<str:resource_id>", views.ServiceRequestReadView.as_view(), name="fhir-servicerequest"),
    path("Appointment", views.AppointmentSearchView.as_view(), name="fhir-appointment-search"),
    path("Appointment/$find", views.AppointmentFindView.as_view(), name="fhir-appointment-find"),
    path("Appointment/<str:resource_id>", views.AppointmentReadView.as_view(), name="fhir-appointment"),
    path("Schedule", views.ScheduleSearchView.as_view(), name="fhir-schedule-search"),
    path("Schedule/<str:resource_id>", views.ScheduleReadView.as_view(), name="fhir-schedule"),
    path("Slot", views.SlotSearchView.as_view(), name="fhir-slot-search"),
    path("Slot/<str:resource_id>", views.SlotReadView.as_view(), name="fhir-slot"),
    path("DiagnosticReport", views.DiagnosticReportSearchView.as_view(), name="fhir-diagnosticreport-search"),
    path("DiagnosticReport/<str:resource_id>", views.DiagnosticReportReadView.as_view(),
         name="fhir-diagnosticreport"),
    path("Observation", views.ObservationSearchView.as_view(), name="fhir-observation-search"),
    path("Observation/<str:resource_id>", views.ObservationReadView.as_view(), name="fhir-observation"),
    path("DocumentReference", views.DocumentReferenceSearchView.as_view(), name="fhir-documentreference-search"),
    path("DocumentReference/<str:resource_id>", views.DocumentReferenceReadView.as_view(),
         name="fhir-documentreference"),
    path("Composition/<str:resource_id>", views.CompositionReadView.as_view(), name="fhir-composition"),
    path("Binary/<str:resource_id>", views.BinaryReadView.as_view(), name="fhir-binary"),
]

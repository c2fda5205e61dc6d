from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_search, name="privacy-search"),
    path("privacy/log/", views.clinic_access_log, name="clinic-access-log"),
    path("privacy/patients/<id:patient_id>/", views.patient_access_log, name="patient-access-log"),
]

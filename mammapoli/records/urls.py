from django.urls import path

from . import patient_views, views

urlpatterns = [
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<id:visit_id>/form/", views.visit_form, name="visit-form"),
    path("visits/<id:visit_id>/form/<str:section>/", views.section_save, name="form-section-save"),
    path("visits/<id:visit_id>/form/<str:section>/sign/", views.section_sign, name="form-section-sign"),
    path("visits/<id:visit_id>/form/<str:section>/addendum/", views.section_addendum, name="form-section-addendum"),
    path("mdo/", views.mdo_list, name="mdo-list"),
    path("patients/", patient_views.patient_search, name="patient-search"),
    path("patients/<id:patient_id>/", patient_views.patient_detail, name="patient-detail"),
]

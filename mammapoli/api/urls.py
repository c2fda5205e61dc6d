"""The REST API. OpenAPI schema at /api/schema/, browsable docs at /api/docs/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from . import access_log, forms, mdo, visits

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("visits/", visits.VisitListApi.as_view(), name="api-visit-list"),
    path("visits/<int:visit_id>/form/", forms.VisitFormApi.as_view(), name="api-visit-form"),
    path("visits/<int:visit_id>/form/<str:section>/", forms.FormSectionApi.as_view(), name="api-form-section"),
    path("visits/<int:visit_id>/form/<str:section>/sign/", forms.FormSectionSignApi.as_view(), name="api-form-sign"),
    path("visits/<int:visit_id>/form/<str:section>/addenda/", forms.FormSectionAddendaApi.as_view(),
         name="api-form-addenda"),
    path("visits/<int:visit_id>/form/<str:section>/history/", forms.FormSectionHistoryApi.as_view(),
         name="api-form-history"),
    path("mdo/discordant/", mdo.DiscordantListApi.as_view(), name="api-mdo-discordant"),
    path("patients/<int:patient_id>/access-log/", access_log.PatientAccessLogApi.as_view(),
         name="api-patient-access-log"),
]

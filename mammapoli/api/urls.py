"""The REST API. OpenAPI schema at /api/schema/, browsable docs at /api/docs/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import access_log, auth, booking, events, forms, mdo, not_found, plans, visits

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file of its own: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("auth/token/", auth.TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", auth.TokenLogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", auth.TokenLogoutAllApi.as_view(), name="api-logout-all"),
    path("visits/", visits.VisitListApi.as_view(), name="api-visit-list"),
    path("visits/<id:visit_id>/form/", forms.VisitFormApi.as_view(), name="api-visit-form"),
    path("visits/<id:visit_id>/form/<str:section>/", forms.FormSectionApi.as_view(), name="api-form-section"),
    path("visits/<id:visit_id>/form/<str:section>/sign/", forms.FormSectionSignApi.as_view(), name="api-form-sign"),
    path("visits/<id:visit_id>/form/<str:section>/addenda/", forms.FormSectionAddendaApi.as_view(),
         name="api-form-addenda"),
    path("visits/<id:visit_id>/form/<str:section>/history/", forms.FormSectionHistoryApi.as_view(),
         name="api-form-history"),
    path("mdo/discordant/", mdo.DiscordantListApi.as_view(), name="api-mdo-discordant"),
    path("patients/<id:patient_id>/access-log/", access_log.PatientAccessLogApi.as_view(),
         name="api-patient-access-log"),
    path("referrals/", booking.ReferralCreateApi.as_view(), name="api-referral-create"),
    path("referrals/<id:referral_id>/suggestion/", booking.ReferralSuggestionApi.as_view(),
         name="api-referral-suggestion"),
    path("sessions/<id:session_id>/plan/", plans.SessionPlanApi.as_view(), name="api-session-plan"),
    path("plan-jobs/<uuid:job_id>/", plans.PlanJobApi.as_view(), name="api-plan-job"),
    path("plan-jobs/<uuid:job_id>/cancel/", plans.PlanJobCancelApi.as_view(), name="api-plan-job-cancel"),
    path("plans/<id:plan_id>/diff/", plans.PlanDiffApi.as_view(), name="api-plan-diff"),
    path("plans/<id:plan_id>/publish/", plans.PlanPublishApi.as_view(), name="api-plan-publish"),
    path("visits/<id:visit_id>/events/", events.VisitEventApi.as_view(), name="api-visit-events"),
    path("sessions/<id:session_id>/walk-ins/", events.WalkInApi.as_view(), name="api-walk-ins"),
    path("resources/<id:resource_id>/unavailable/", events.ResourceUnavailableApi.as_view(),
         name="api-resource-unavailable"),
    path("sessions/<id:session_id>/absences/", events.AbsenceListApi.as_view(), name="api-absences"),
    path("sessions/<id:session_id>/absences/<id:absence_id>/withdraw/", events.AbsenceWithdrawApi.as_view(),
         name="api-absence-withdraw"),
    path("sessions/<id:session_id>/absences/<id:absence_id>/shorten/", events.AbsenceShortenApi.as_view(),
         name="api-absence-shorten"),
    path("visits/<id:visit_id>/result-handover/", events.ResultHandoverApi.as_view(), name="api-result-handover"),
    path("visits/<id:visit_id>/rebook/", events.RebookApi.as_view(), name="api-visit-rebook"),
    re_path(r"^.*/$", not_found.NoSuchPathApi.as_view()),  # last: any other path is a JSON 404, logged
]

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mammapoli.core import health
from mammapoli.fhir import views as fhir_views

urlpatterns = [
    path("health/", health.liveness, name="health-live"),
    path("health/ready/", health.readiness, name="health-ready"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("mammapoli.api.urls")),
    path("fhir", fhir_views.TransactionView.as_view()),  # a transaction is POSTed to the base itself
    path("fhir/", include("mammapoli.fhir.urls")),
    path("planning/", include("mammapoli.planning.urls")),
    path("accounts/", include("mammapoli.accounts.urls")),
    path("", include("mammapoli.board.urls")),
    path("", include("mammapoli.web.urls")),
]

handler404 = "mammapoli.core.not_found.page_not_found"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

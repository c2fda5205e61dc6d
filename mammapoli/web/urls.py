from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("mammapoli.records.urls")),
    path("", include("mammapoli.audit.urls")),
    path("", include("mammapoli.letters.urls")),
]

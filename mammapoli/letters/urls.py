from django.urls import path

from . import views

urlpatterns = [
    path("letters/<id:letter_id>.pdf", views.gp_letter_pdf, name="gp-letter"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("letters/<int:letter_id>.pdf", views.gp_letter_pdf, name="gp-letter"),
]

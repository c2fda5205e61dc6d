from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("sessions/<int:session_id>/day/", views.day_view, name="day-view"),
    path("sessions/<int:session_id>/board/", views.board, name="board"),
    path("sessions/<int:session_id>/walk-in/", views.walk_in, name="walk-in"),
    path("sessions/<int:session_id>/absence/", views.absence, name="absence"),
    path("visits/<int:visit_id>/event/", views.visit_event, name="visit-event"),
    path("my-patients/", views.my_patients, name="my-patients"),
]

from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("sessions/<int:session_id>/day/", views.day_view, name="day-view"),
    path("sessions/<int:session_id>/board/", views.board, name="board"),
    path("sessions/<int:session_id>/walk-in/", views.walk_in, name="walk-in"),
    path("sessions/<int:session_id>/absence/", views.absence, name="absence"),
    path("sessions/<int:session_id>/hand-over/", views.hand_over, name="hand-over"),
    path("sessions/<int:session_id>/absences/<int:absence_id>/withdraw/", views.absence_change,
         {"change": "withdraw"}, name="absence-withdraw"),
    path("sessions/<int:session_id>/absences/<int:absence_id>/shorten/", views.absence_change,
         {"change": "shorten"}, name="absence-shorten"),
    path("visits/<int:visit_id>/event/", views.visit_event, name="visit-event"),
    path("my-patients/", views.my_patients, name="my-patients"),
    path("visits/<int:visit_id>/rebook/", views.visit_rebook_view, name="visit-rebook"),
]

from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("sessions/<id:session_id>/day/", views.day_view, name="day-view"),
    path("sessions/<id:session_id>/board/", views.board, name="board"),
    path("sessions/<id:session_id>/walk-in/", views.walk_in, name="walk-in"),
    path("sessions/<id:session_id>/absence/", views.absence, name="absence"),
    path("sessions/<id:session_id>/hand-over/", views.hand_over, name="hand-over"),
    path("sessions/<id:session_id>/absences/<id:absence_id>/withdraw/", views.absence_change,
         {"change": "withdraw"}, name="absence-withdraw"),
    path("sessions/<id:session_id>/absences/<id:absence_id>/shorten/", views.absence_change,
         {"change": "shorten"}, name="absence-shorten"),
    path("visits/<id:visit_id>/event/", views.visit_event, name="visit-event"),
    path("my-patients/", views.my_patients, name="my-patients"),
    path("visits/<id:visit_id>/rebook/", views.visit_rebook_view, name="visit-rebook"),
]

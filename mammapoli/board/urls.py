from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("sessions/<int:session_id>/day/", views.day_view, name="day-view"),
    path("sessions/<int:session_id>/board/", views.board, name="board"),
]

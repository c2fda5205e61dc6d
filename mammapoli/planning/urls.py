from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.index, name="index"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/<id:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<id:referral_id>/book/", views.referral_book, name="referral-book"),
    path("sessions/<id:session_id>/", views.session_plan, name="session"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("plans/<id:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<id:plan_id>/publish/", views.plan_publish_view, name="plan-publish"),
]

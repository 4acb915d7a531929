from django.urls import path

from . import views

urlpatterns = [
    path("m/activities/", views.calendar, name="activities-calendar"),
    path("m/activities/<int:pk>/", views.detail, name="activities-detail"),
    path("m/activities/<int:pk>/signup/", views.signup, name="activities-signup"),
    path("m/signups/<int:pk>/cancel/", views.cancel, name="activities-cancel"),
    path("console/activities/", views.console_list, name="activities-console"),
    path("console/activities/new/", views.console_edit, name="activities-new"),
    path("console/activities/checkin/", views.console_checkin, name="activities-checkin"),
    path("console/activities/stats/", views.console_stats, name="activities-stats"),
    path("console/activities/<int:pk>/", views.console_detail, name="activities-console-detail"),
    path("console/activities/<int:pk>/edit/", views.console_edit, name="activities-edit"),
    path("console/activities/<int:pk>/signups/cancel/", views.console_cancel_signups,
         name="activities-signups-cancel"),
    path("console/activities/<int:pk>/signups/<int:signup_pk>/cancel/", views.console_cancel_signup,
         name="activities-signup-cancel"),
    path("console/activities/<int:pk>/<str:action>/", views.console_action, name="activities-action"),
]

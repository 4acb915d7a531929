from django.urls import path

from . import views

urlpatterns = [
    path("m/volunteers/", views.m_index, name="volunteers-m"),
    path("m/volunteers/register/", views.m_register, name="volunteers-m-register"),
    path("m/volunteers/projects/<int:pk>/", views.m_project, name="volunteers-m-project"),
    path("m/volunteers/projects/<int:pk>/signup/", views.m_signup, name="volunteers-m-signup"),
    path("m/volunteers/projects/<int:pk>/withdraw/", views.m_withdraw, name="volunteers-m-withdraw"),
    path("console/volunteers/", views.console_list, name="volunteers-console"),
    path("console/volunteers/new/", views.project_new, name="volunteers-project-new"),
    path("console/volunteers/volunteers/", views.volunteer_list, name="volunteers-list"),
    path("console/volunteers/volunteers/<int:pk>/", views.volunteer_detail, name="volunteers-detail"),
    path("console/volunteers/volunteers/<int:pk>/decide/", views.volunteer_decide, name="volunteers-decide"),
    path("console/volunteers/hours/<int:eid>/reverse/", views.hours_reverse, name="volunteers-hours-reverse"),
    path("console/volunteers/ranking/", views.ranking, name="volunteers-ranking"),
    path("console/volunteers/ranking/export/", views.hours_export, name="volunteers-hours-export"),
    path("console/volunteers/<int:pk>/", views.project_detail, name="volunteers-project"),
    path("console/volunteers/<int:pk>/edit/", views.project_edit, name="volunteers-project-edit"),
    path("console/volunteers/<int:pk>/cancel/", views.project_cancel, name="volunteers-project-cancel"),
    path(
        "console/volunteers/<int:pk>/signups/<int:sid>/confirm/",
        views.signup_confirm,
        name="volunteers-confirm",
    ),
]

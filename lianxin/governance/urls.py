from django.urls import path

from . import views

urlpatterns = [
    path("console/governance/", views.round_list, name="governance-rounds"),
    path("console/governance/rounds/new/", views.round_new, name="governance-round-new"),
    path("console/governance/rounds/<int:pk>/", views.round_detail, name="governance-round"),
    path("console/governance/rounds/<int:pk>/quota/", views.round_quota, name="governance-quota"),
    path("console/governance/rounds/<int:pk>/export/", views.round_export, name="governance-export"),
    path(
        "console/governance/rounds/<int:pk>/apply/", views.application_new, name="governance-application-new"
    ),
    path(
        "console/governance/applications/<int:pk>/", views.application_detail, name="governance-application"
    ),
    path(
        "console/governance/applications/<int:pk>/edit/",
        views.application_edit,
        name="governance-application-edit",
    ),
    path(
        "console/governance/applications/<int:pk>/review/", views.application_review, name="governance-review"
    ),
    path(
        "console/governance/applications/<int:pk>/decide/", views.application_decide, name="governance-decide"
    ),
    path("console/governance/homes/", views.home_list, name="governance-homes"),
    path("console/governance/homes/<int:pk>/recheck/", views.home_recheck, name="governance-recheck"),
    path("console/governance/terms/", views.term_list, name="governance-terms"),
    path("console/governance/terms/unregistered/", views.term_unregistered, name="governance-unregistered"),
    path("console/governance/terms/<int:pk>/", views.term_union, name="governance-union-terms"),
    path("console/governance/terms/<int:pk>/elect/", views.election_new, name="governance-election-new"),
]

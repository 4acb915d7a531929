from django.urls import path

from . import views

urlpatterns = [
    path("m/selections/", views.m_list, name="talent-m-list"),
    path("m/selections/<int:pk>/", views.m_detail, name="talent-m-detail"),
    path("m/selections/<int:pk>/candidates/<int:cid>/", views.m_candidate, name="talent-m-candidate"),
    path("m/selections/<int:pk>/vote/<int:cid>/", views.m_vote, name="talent-m-vote"),
    path("m/selections/<int:pk>/results/", views.m_results, name="talent-m-results"),
    path("m/selections/photos/<int:cid>/", views.photo, name="talent-photo"),
    path("console/talent/", views.console_list, name="talent-console"),
    path("console/talent/new/", views.console_new, name="talent-selection-new"),
    path("console/talent/honours/", views.honour_list, name="talent-honours"),
    path("console/talent/honours/new/", views.honour_new, name="talent-honour-new"),
    path("console/talent/honours/<int:pk>/end/", views.honour_end, name="talent-honour-end"),
    path("console/talent/<int:pk>/", views.console_detail, name="talent-console-detail"),
    path("console/talent/<int:pk>/edit/", views.console_edit, name="talent-selection-edit"),
    path("console/talent/<int:pk>/nominate/", views.console_nominate, name="talent-nominate"),
    path("console/talent/<int:pk>/candidates/<int:cid>/review/", views.console_review, name="talent-review"),
    path("console/talent/<int:pk>/announce/", views.console_announce, name="talent-announce"),
    path("console/talent/<int:pk>/<str:step>/", views.console_step, name="talent-step"),
]

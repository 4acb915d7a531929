from django.urls import path

from . import views

urlpatterns = [
    path("console/mutualaid/", views.plan_list, name="mutualaid-plans"),
    path("console/mutualaid/new/", views.plan_new, name="mutualaid-plan-new"),
    path("console/mutualaid/<int:pk>/", views.plan_detail, name="mutualaid-plan"),
    path("console/mutualaid/<int:pk>/unions/<int:union>/", views.union_page, name="mutualaid-union"),
    path("console/mutualaid/<int:pk>/unions/<int:union>/enrol-all/", views.enrol_all, name="mutualaid-enrol-all"),
    path("console/mutualaid/<int:pk>/unions/<int:union>/enrol/", views.enrol_one, name="mutualaid-enrol"),
    path("console/mutualaid/<int:pk>/unions/<int:union>/withdraw/", views.withdraw_one, name="mutualaid-withdraw"),
    path("console/mutualaid/<int:pk>/unions/<int:union>/contributions/", views.contribution_new,
         name="mutualaid-contribution"),
    path("m/mutualaid/", views.m_mutualaid, name="mutualaid-member"),
]

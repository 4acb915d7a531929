from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("console/orgs/", views.org_list, name="org-list"),
    path("console/orgs/<int:pk>/", views.org_detail, name="org-detail"),
    path("console/orgs/<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("console/orgs/<int:pk>/new-child/", views.org_new, name="org-new"),
    path("console/enterprises/", views.enterprise_list, name="enterprise-list"),
    path("console/enterprises/new/", views.enterprise_new, name="enterprise-new"),
    path("console/enterprises/<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("console/enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("console/coverage/", views.coverage, name="coverage"),
]

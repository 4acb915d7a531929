from django.urls import path

from . import views

urlpatterns = [
    path("console/dashboard/", views.dashboard, name="dashboard"),
    path("console/dashboard/refresh/", views.refresh, name="dashboard-refresh"),
    path("console/dashboard/report.xlsx", views.export, name="dashboard-export"),
]

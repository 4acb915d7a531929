from django.urls import path

from . import views

urlpatterns = [
    path("console/imports/", views.job_list, name="rosters-jobs"),
    path("console/imports/upload/", views.job_upload, name="rosters-upload"),
    path("console/imports/template.xlsx", views.template_download, name="rosters-template"),
    path("console/imports/<int:pk>/", views.job_detail, name="rosters-job"),
    path("console/imports/<int:pk>/progress/", views.job_progress, name="rosters-progress"),
    path("console/imports/<int:pk>/run/", views.job_run, name="rosters-run"),
    path("console/imports/<int:pk>/errors.xlsx", views.job_errors, name="rosters-errors"),
    path("console/export/people/", views.export_people, name="rosters-export-people"),
]

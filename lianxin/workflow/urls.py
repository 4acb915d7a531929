from django.urls import path

from . import views

urlpatterns = [
    # member H5 (portal/base.html)
    path("m/services/", views.m_services, name="workflow-m-services"),
    path("m/join/", views.m_join, name="workflow-m-join"),
    path("m/apply/<slug:code>/", views.m_apply, name="workflow-m-apply"),
    path("m/my/applications/", views.m_my_list, name="workflow-m-list"),
    path("m/my/applications/<int:pk>/", views.m_my_detail, name="workflow-m-detail"),
    # staff console (console/base.html)
    path("console/applications/", views.queue, name="workflow-queue"),
    path("console/applications/messages/", views.inbox, name="workflow-inbox"),
    path("console/applications/messages/<int:pk>/", views.inbox_open, name="workflow-inbox-open"),
    path("console/applications/report/", views.report, name="workflow-report"),
    path("console/applications/certificates/", views.certificates, name="workflow-certificates"),
    path("console/applications/file/<slug:code>/", views.console_file, name="workflow-file"),
    path("console/applications/filed/", views.console_filed_list, name="workflow-filed"),
    path("console/applications/filed/<int:pk>/", views.console_filed_detail, name="workflow-filed-detail"),
    path("console/applications/<int:pk>/", views.detail, name="workflow-detail"),
    path("console/applications/<int:pk>/decide/", views.decide, name="workflow-decide"),
    # files: applicant or staff in scope only; public certificate verification
    path("applications/enterprises/", views.enterprise_options, name="workflow-enterprise-options"),
    path("applications/files/<int:pk>/", views.attachment, name="workflow-attachment"),
    path("applications/certificates/<int:pk>.pdf", views.certificate_download, name="workflow-cert-pdf"),
    path("verify/cert/<str:token>/", views.verify, name="workflow-verify"),
]

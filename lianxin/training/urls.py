from django.urls import path

from . import views

urlpatterns = [
    path("m/training/", views.m_index, name="training-m"),
    path("m/training/certificates/<int:eid>.pdf", views.m_certificate_pdf, name="training-m-cert-pdf"),
    path("verify/training/<str:token>/", views.public_verify, name="training-public-verify"),
    path("console/training/", views.console_list, name="training-console"),
    path("console/training/new/", views.class_new, name="training-class-new"),
    path("console/training/verify/", views.verify, name="training-verify"),
    path("console/training/grants/", views.grants, name="training-grants"),
    path("console/training/certificates/<int:eid>.pdf", views.certificate_pdf, name="training-cert-pdf"),
    path("console/training/<int:pk>/", views.class_detail, name="training-class"),
    path("console/training/<int:pk>/edit/", views.class_edit, name="training-class-edit"),
    path("console/training/<int:pk>/cancel/", views.class_cancel, name="training-class-cancel"),
    path("console/training/<int:pk>/quota/", views.quota_set, name="training-quota"),
    path("console/training/<int:pk>/enrol/", views.enrol, name="training-enrol"),
    path(
        "console/training/<int:pk>/enrolments/<int:eid>/withdraw/", views.withdraw, name="training-withdraw"
    ),
    path(
        "console/training/<int:pk>/enrolments/<int:eid>/revoke/",
        views.certificate_revoke,
        name="training-certificate-revoke",
    ),
    path("console/training/<int:pk>/sessions/<int:n>/", views.attendance, name="training-attendance"),
    path("console/training/<int:pk>/scores/", views.scores, name="training-scores"),
    path("console/training/<int:pk>/issue/", views.issue, name="training-issue"),
    path("console/training/<int:pk>/export/", views.export, name="training-export"),
]

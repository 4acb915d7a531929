from django.urls import path

from . import views
from . import views_workers as vw

urlpatterns = [
    path("console/governance/", views.round_list, name="governance-rounds"),
    path("console/governance/rounds/new/", views.round_new, name="governance-round-new"),
    path("console/governance/rounds/<int:pk>/", views.round_detail, name="governance-round"),
    path("console/governance/rounds/<int:pk>/quota/", views.round_quota, name="governance-quota"),
    path("console/governance/rounds/<int:pk>/export/", views.round_export, name="governance-export"),
    path(
        "console/governance/rounds/<int:pk>/apply/", views.application_new, name="governance-application-new"
    ),
    path("console/governance/applications/", views.application_list, name="governance-applications"),
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
    # 社会化工会工作者
    path("console/governance/workers/", vw.worker_list, name="governance-workers"),
    path("console/governance/workers/recruit/", vw.worker_recruit, name="governance-worker-recruit"),
    path("console/governance/workers/contracts/", vw.contract_list, name="governance-contracts"),
    path("console/governance/workers/<int:pk>/", vw.worker_detail, name="governance-worker"),
    path(
        "console/governance/workers/<int:pk>/transfer/", vw.worker_transfer, name="governance-worker-transfer"
    ),
    path("console/governance/workers/<int:pk>/renew/", vw.worker_renew, name="governance-worker-renew"),
    path("console/governance/workers/<int:pk>/leave/", vw.worker_leave, name="governance-worker-leave"),
    path("console/governance/workers/<int:pk>/rehire/", vw.worker_rehire, name="governance-worker-rehire"),
    path("console/governance/workers/<int:pk>/logs/new/", vw.worklog_new, name="governance-worklog-new"),
    path("console/governance/workers/logs/", vw.worklog_list, name="governance-worklogs"),
    path("console/governance/workers/logs/<int:pk>/", vw.worklog_detail, name="governance-worklog"),
    path("console/governance/workers/logs/<int:pk>/edit/", vw.worklog_edit, name="governance-worklog-edit"),
    path(
        "console/governance/workers/logs/<int:pk>/confirm/",
        vw.worklog_confirm,
        name="governance-worklog-confirm",
    ),
    path("console/governance/workers/assessments/", vw.assessment_list, name="governance-assessments"),
    path(
        "console/governance/workers/assessments/open/", vw.assessment_open, name="governance-assessment-open"
    ),
    path(
        "console/governance/workers/assessments/<int:pk>/", vw.assessment_detail, name="governance-assessment"
    ),
    path(
        "console/governance/workers/assessments/<int:pk>/confirm/",
        vw.assessment_confirm,
        name="governance-assessment-confirm",
    ),
    path(
        "console/governance/workers/assessments/<int:pk>/export/",
        vw.assessment_export,
        name="governance-assessment-export",
    ),
    path(
        "console/governance/workers/assessments/items/<int:pk>/",
        vw.assessment_grade,
        name="governance-assessment-grade",
    ),
]

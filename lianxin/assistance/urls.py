from django.urls import path
from django.views.generic import RedirectView

from . import views
from . import views_homeward as homeward  # 平安返乡
from . import views_jobs as jobs  # 就业帮扶
from . import views_warmth as warmth  # 上传慰问名单

urlpatterns = [
    path("console/assistance/", views.fund_list, name="assistance-funds"),
    # the list lives at /console/assistance/; a hand-shortened address (…/funds/12/ → …/funds/) lands there too
    path("console/assistance/funds/", RedirectView.as_view(url="/console/assistance/", permanent=False)),
    path("console/assistance/funds/new/", views.fund_new, name="assistance-fund-new"),
    path("console/assistance/funds/<int:pk>/", views.fund_detail, name="assistance-fund"),
    path("console/assistance/funds/<int:pk>/allocate/", views.fund_allocate, name="assistance-allocate"),
    path("console/assistance/funds/<int:pk>/ledger.xlsx", views.fund_ledger_export, name="assistance-ledger-export"),
    path("console/assistance/files/", views.file_list, name="assistance-files"),
    path("console/assistance/files/<int:pk>/", views.file_detail, name="assistance-file"),
    path("console/assistance/files/<int:pk>/close/", views.file_close, name="assistance-file-close"),
]

urlpatterns += [
    path("console/assistance/campaigns/", views.campaign_list, name="assistance-campaigns"),
    path("console/assistance/campaigns/new/", views.campaign_new, name="assistance-campaign-new"),
    path("console/assistance/campaigns/<int:pk>/", views.campaign_detail, name="assistance-campaign"),
    path("console/assistance/campaigns/<int:pk>/add/", views.campaign_add, name="assistance-campaign-add"),
    path("console/assistance/campaigns/<int:pk>/archive/", views.campaign_archive, name="assistance-campaign-archive"),
    path("console/assistance/campaigns/<int:pk>/decide/", views.campaign_decide, name="assistance-campaign-decide"),
    path("console/assistance/campaigns/<int:pk>/pay/", views.campaign_pay, name="assistance-campaign-pay"),
    path("console/assistance/campaigns/<int:pk>/deliver/", views.campaign_deliver, name="assistance-campaign-deliver"),
    path("console/assistance/campaigns/<int:pk>/close/", views.campaign_close, name="assistance-campaign-close"),
    path("console/assistance/campaigns/<int:pk>/upload/", warmth.upload, name="assistance-warmth-upload"),
    path("console/assistance/campaigns/<int:pk>/upload/confirm/", warmth.upload_confirm,
         name="assistance-warmth-upload-confirm"),
    path("console/assistance/campaigns/<int:pk>/upload/errors.xlsx", warmth.upload_errors,
         name="assistance-warmth-upload-errors"),
    path("console/assistance/campaigns/<int:pk>/upload/template.xlsx", warmth.template_download,
         name="assistance-warmth-template"),
    path("console/assistance/campaigns/<int:pk>/sheet.xlsx", views.campaign_sheet, name="assistance-campaign-sheet"),
    path("console/assistance/campaigns/<int:pk>/recipients/<int:rid>/withdraw/", views.recipient_withdraw,
         name="assistance-recipient-withdraw"),
]

urlpatterns += [
    path("console/assistance/retreats/", views.retreat_list, name="assistance-retreats"),
    path("console/assistance/retreats/new/", views.retreat_new, name="assistance-retreat-new"),
    path("console/assistance/retreats/<int:pk>/", views.retreat_detail, name="assistance-retreat"),
    path("console/assistance/retreats/<int:pk>/share/", views.retreat_share, name="assistance-retreat-share"),
    path("console/assistance/retreats/<int:pk>/nominate/", views.retreat_nominate, name="assistance-retreat-nominate"),
    path("console/assistance/retreats/<int:pk>/attend/", views.retreat_attend, name="assistance-retreat-attend"),
    path("console/assistance/retreats/<int:pk>/seats/<int:sid>/withdraw/", views.retreat_withdraw,
         name="assistance-retreat-withdraw"),
    path("console/assistance/retreats/<int:pk>/list.xlsx", views.retreat_export, name="assistance-retreat-export"),
]

urlpatterns += [
    path("console/assistance/homeward/", homeward.programme_list, name="assistance-homeward"),
    path("console/assistance/homeward/new/", homeward.programme_new, name="assistance-homeward-new"),
    path("console/assistance/homeward/<int:pk>/", homeward.programme_detail, name="assistance-homeward-detail"),
    path("console/assistance/homeward/<int:pk>/coaches/", homeward.coach_add, name="assistance-homeward-coach"),
    path("console/assistance/homeward/<int:pk>/decide/", homeward.decide, name="assistance-homeward-decide"),
    path("console/assistance/homeward/<int:pk>/pay/", homeward.pay, name="assistance-homeward-pay"),
    path("console/assistance/homeward/<int:pk>/seats.xlsx", homeward.export, name="assistance-homeward-export"),
    path("m/homeward/", homeward.m_homeward, name="assistance-homeward-member"),
    path("m/homeward/<int:pk>/apply/", homeward.m_apply, name="assistance-homeward-apply"),
    path("m/homeward/applications/<int:aid>/cancel/", homeward.m_cancel, name="assistance-homeward-cancel"),
]

urlpatterns += [
    path("console/assistance/jobs/", jobs.post_list, name="assistance-jobs"),
    path("console/assistance/jobs/new/", jobs.post_new, name="assistance-job-new"),
    path("console/assistance/jobs/seekers/", jobs.seeker_list, name="assistance-job-seekers"),
    path("console/assistance/jobs/<int:pk>/", jobs.post_detail, name="assistance-job"),
    path("console/assistance/jobs/<int:pk>/close/", jobs.post_close, name="assistance-job-close"),
    path("console/assistance/jobs/<int:pk>/applications/<int:aid>/outcome/", jobs.outcome,
         name="assistance-job-outcome"),
    path("m/jobs/", jobs.m_jobs, name="assistance-jobs-member"),
    path("m/jobs/seeker/", jobs.m_seeker, name="assistance-job-seeker"),
    path("m/jobs/<int:pk>/", jobs.m_job, name="assistance-job-member"),
    path("m/jobs/<int:pk>/apply/", jobs.m_job_apply, name="assistance-job-apply"),
]

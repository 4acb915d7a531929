from django.urls import path

from . import views

urlpatterns = [
    path("m/party/", views.m_index, name="party-m"),
    path("console/party/", views.home, name="party-console"),
    path("console/party/compliance/", views.compliance, name="party-compliance"),
    path("console/party/meetings/", views.meeting_list, name="party-meetings"),
    path("console/party/meetings/export/", views.meetings_export, name="party-meetings-export"),
    path("console/party/meetings/<int:pk>/", views.meeting_detail, name="party-meeting"),
    path("console/party/meetings/<int:pk>/edit/", views.meeting_edit, name="party-meeting-edit"),
    path("console/party/branches/<int:pk>/", views.branch_detail, name="party-branch"),
    path("console/party/branches/<int:pk>/members/new/", views.member_new, name="party-member-new"),
    path("console/party/branches/<int:pk>/meetings/new/", views.meeting_new, name="party-meeting-new"),
    path("console/party/branches/<int:pk>/dues/", views.dues, name="party-dues"),
    path("console/party/branches/<int:pk>/dues/pay/", views.dues_pay, name="party-dues-pay"),
    path("console/party/branches/<int:pk>/dues/remind/", views.dues_remind, name="party-dues-remind"),
    path("console/party/branches/<int:pk>/dues/export/", views.dues_export, name="party-dues-export"),
    path("console/party/members/<int:pk>/", views.member_detail, name="party-member"),
    path("console/party/members/<int:pk>/confirm/", views.member_confirm, name="party-member-confirm"),
    path("console/party/members/<int:pk>/extend/", views.member_extend, name="party-member-extend"),
    path("console/party/members/<int:pk>/transfer/", views.member_transfer, name="party-member-transfer"),
    path("console/party/members/<int:pk>/letter/", views.member_letter, name="party-member-letter"),
    path("console/party/letters/", views.letter_list, name="party-letters"),
    path("console/party/letters/<int:pk>/", views.letter_detail, name="party-letter"),
    path("console/party/letters/<int:pk>/accept/", views.letter_accept, name="party-letter-accept"),
    path("console/party/letters/<int:pk>/return/", views.letter_return, name="party-letter-return"),
    path("console/party/letters/<int:pk>/withdraw/", views.letter_withdraw, name="party-letter-withdraw"),
    path("console/party/members/<int:pk>/out/", views.member_out, name="party-member-out"),
    path("console/party/members/<int:pk>/end/", views.member_end, name="party-member-end"),
    path("console/party/members/<int:pk>/dues/edit/", views.dues_edit, name="party-dues-edit"),
    path("console/party/dues/<int:eid>/reverse/", views.dues_reverse, name="party-dues-reverse"),
]

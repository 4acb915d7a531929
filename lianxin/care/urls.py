from django.urls import path

from . import views

urlpatterns = [
    path("m/care/", views.m_index, name="care-m"),
    path("m/care/campaigns/<int:pk>/", views.m_campaign, name="care-m-campaign"),
    path("m/care/campaigns/<int:pk>/signup/", views.m_signup, name="care-m-signup"),
    path("m/care/campaigns/<int:pk>/withdraw/", views.m_withdraw, name="care-m-withdraw"),
    path("m/care/classes/<int:pk>/", views.m_class, name="care-m-class"),
    path("m/care/classes/<int:pk>/enrol/", views.m_enrol, name="care-m-enrol"),
    path("m/care/enrolments/<int:eid>/cancel/", views.m_enrolment_cancel, name="care-m-enrolment-cancel"),
    path("m/care/rooms/", views.m_rooms, name="care-m-rooms"),
    path("console/care/rooms/", views.room_list, name="care-rooms"),
    path("console/care/rooms/new/", views.room_new, name="care-room-new"),
    path("console/care/rooms/<int:pk>/", views.room_detail, name="care-room"),
    path("console/care/rooms/<int:pk>/edit/", views.room_edit, name="care-room-edit"),
    path("console/care/rooms/<int:pk>/review/", views.room_review, name="care-room-review"),
    path("console/care/rooms/<int:pk>/rate/", views.room_rate, name="care-room-rate"),
    path("console/care/", views.console_list, name="care-console"),
    path("console/care/new/", views.campaign_new, name="care-campaign-new"),
    path("console/care/<int:pk>/", views.campaign_detail, name="care-campaign"),
    path("console/care/<int:pk>/edit/", views.campaign_edit, name="care-campaign-edit"),
    path("console/care/<int:pk>/shares/", views.campaign_share, name="care-campaign-share"),
    path("console/care/<int:pk>/cancel/", views.campaign_cancel, name="care-campaign-cancel"),
    path("console/care/<int:pk>/export/", views.campaign_export, name="care-campaign-export"),
    path("console/care/<int:pk>/signups/<int:sid>/mark/", views.signup_mark, name="care-signup-mark"),
    path("console/care/classes/", views.class_list, name="care-classes"),
    path("console/care/classes/new/", views.class_new, name="care-class-new"),
    path("console/care/classes/<int:pk>/", views.class_detail, name="care-class"),
    path("console/care/classes/<int:pk>/edit/", views.class_edit, name="care-class-edit"),
    path("console/care/classes/<int:pk>/cancel/", views.class_cancel, name="care-class-cancel"),
    path("console/care/classes/<int:pk>/roll/<int:eid>/mark/", views.class_mark, name="care-class-mark"),
]

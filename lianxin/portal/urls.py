from django.urls import path

from . import views

urlpatterns = [
    path("m/", views.home, name="portal-home"),
    path("m/ping/", views.ping, name="portal-ping"),
    path("m/login/", views.login_view, name="portal-login"),
    path("m/login/wechat/", views.wechat_start, name="portal-wechat"),
    path("m/login/wechat/callback/", views.wechat_callback, name="portal-wechat-callback"),
    path("m/logout/", views.logout_view, name="portal-logout"),
    path("m/card/", views.card, name="portal-card"),
    path("m/card/reissue/", views.card_reissue, name="portal-card-reissue"),
    path("m/me/", views.me, name="portal-me"),
    path("m/me/correction/", views.correction_moved, name="portal-correction"),
    path("m/messages/", views.messages_list, name="portal-messages"),
    path("m/messages/read/", views.messages_read_all, name="portal-messages-read"),
    path("m/messages/<int:pk>/", views.message_open, name="portal-message"),
    path("console/scan/card/", views.scan_card, name="scan-card"),
    path("console/corrections/", views.corrections_moved, name="corrections"),
]

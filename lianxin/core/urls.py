from django.urls import path

from . import views

urlpatterns = [
    path("console/login/", views.LoginView.as_view(), name="login"),
    path("console/logout/", views.logout_view, name="logout"),
    path("console/", views.home, name="console-home"),
    path("console/audit/", views.audit_log, name="audit-log"),
]

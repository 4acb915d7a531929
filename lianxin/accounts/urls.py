from django.urls import path

from . import views

urlpatterns = [
    path("console/otp/", views.otp_verify, name="otp-verify"),
    path("console/otp/setup/", views.otp_setup, name="otp-setup"),
    path("console/staff-otp/", views.staff_otp, name="staff-otp"),
    path("console/staff-otp/<int:pk>/reset/", views.staff_otp_reset, name="staff-otp-reset"),
    path("console/staff-otp/<int:pk>/password/", views.staff_password_reset, name="staff-password-reset"),
    path("console/account/", views.account, name="account"),
    path("console/account/password/", views.account_password, name="account-password"),
    path("console/account/backup-codes/", views.account_backup_codes, name="account-backup-codes"),
    path("console/account/contact/code/", views.contact_code, name="account-contact-code"),
    path("console/account/contact/confirm/", views.contact_confirm, name="account-contact-confirm"),
    path("console/account/contact/notify/", views.contact_notify, name="account-contact-notify"),
    path("console/account/contact/remove/", views.contact_remove, name="account-contact-remove"),
]

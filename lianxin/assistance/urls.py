from django.urls import path

from . import views

urlpatterns = [
    path("console/assistance/", views.fund_list, name="assistance-funds"),
    path("console/assistance/funds/new/", views.fund_new, name="assistance-fund-new"),
    path("console/assistance/funds/<int:pk>/", views.fund_detail, name="assistance-fund"),
    path("console/assistance/funds/<int:pk>/allocate/", views.fund_allocate, name="assistance-allocate"),
    path("console/assistance/files/", views.file_list, name="assistance-files"),
    path("console/assistance/files/<int:pk>/", views.file_detail, name="assistance-file"),
    path("console/assistance/files/<int:pk>/close/", views.file_close, name="assistance-file-close"),
]

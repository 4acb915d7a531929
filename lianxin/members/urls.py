from django.urls import path

from . import views

urlpatterns = [
    path("console/people/", views.person_list, name="person-list"),
    path("console/people/new/", views.person_new, name="person-new"),
    path("console/people/<int:pk>/", views.person_detail, name="person-detail"),
    path("console/people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("console/people/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("console/people/<int:pk>/admit/", views.person_admit, name="person-admit"),
    path("console/memberships/<int:pk>/transfer/", views.membership_transfer, name="membership-transfer"),
    path("console/memberships/<int:pk>/end/", views.membership_end, name="membership-end"),
]

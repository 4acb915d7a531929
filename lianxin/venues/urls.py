from django.urls import path

from . import views

urlpatterns = [
    path("m/sites/", views.site_list, name="site-list"),
    path("m/sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("m/sites/photos/<int:pk>/", views.site_photo, name="site-photo"),
    path("m/sites/slots/<int:slot_id>/book/", views.book, name="site-book"),
    path("m/my/bookings/", views.my_bookings, name="my-bookings"),
    path("m/my/bookings/<int:pk>/cancel/", views.cancel, name="booking-cancel"),
    path("console/venues/", views.console_sites, name="venues-sites"),
    path("console/venues/new/", views.console_site_new, name="venues-site-new"),
    path("console/venues/<int:pk>/", views.console_site, name="venues-site"),
    path("console/venues/<int:pk>/edit/", views.console_site_edit, name="venues-site-edit"),
    path("console/venues/<int:pk>/slots/", views.console_slots_create, name="venues-slots-create"),
    path("console/venues/<int:pk>/photos/", views.console_photo_add, name="venues-photo-add"),
    path("console/venues/<int:pk>/photos/<int:photo_id>/delete/", views.console_photo_delete,
         name="venues-photo-delete"),
    path("console/venues/slots/<int:pk>/", views.console_slot, name="venues-slot"),
    path("console/venues/bookings/<int:pk>/mark/", views.console_mark, name="venues-mark"),
    path("console/venues/bookings/<int:pk>/lift-pause/", views.console_lift_pause, name="venues-lift-pause"),
]

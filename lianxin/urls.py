"""URL map. Each app owns its ``urls.py`` (pages) and ``api.py`` (a django-ninja ``router``); both are
mounted here when the app has them, so adding a domain never means editing this file."""

from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

APPS_WITH_PAGES = ["core", "accounts", "orgs", "members", "rosters", "workflow", "content", "activities", "venues", "assistance", "mutualaid", "dashboard", "talent", "governance", "volunteers", "party", "care", "training", "portal"]

urlpatterns = [
    path("", RedirectView.as_view(url="/m/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
for app in APPS_WITH_PAGES:
    if find_spec(f"lianxin.{app}.urls"):
        urlpatterns.append(path("", include(import_module(f"lianxin.{app}.urls"))))

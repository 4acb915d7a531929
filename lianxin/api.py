"""The JSON API under /api/v1/ (OpenAPI at /api/v1/docs and /api/docs). Session-authenticated for the
console and the H5 pages; every endpoint goes through the apps' selectors and services, so it is scoped and
validated exactly as the pages are. ServiceError becomes a 400 with a Chinese message."""

from importlib import import_module
from importlib.util import find_spec

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from lianxin.core.errors import PermissionDenied, ServiceError

api = NinjaAPI(title="连心 Lianxin API", version="1", urls_namespace="api", auth=django_auth,
               docs_url="/docs")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, exc.as_dict(), status=403)


@api.exception_handler(ServiceError)
def _invalid(request, exc):
    return api.create_response(request, exc.as_dict(), status=400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


API_APPS = ["orgs", "members", "rosters", "workflow", "content", "activities", "venues", "portal", "core"]
for app in API_APPS:
    if find_spec(f"lianxin.{app}.api"):
        api.add_router(f"/{app}/", import_module(f"lianxin.{app}.api").router)

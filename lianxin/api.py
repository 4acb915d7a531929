"""The JSON API under /api/v1/ (OpenAPI at /api/v1/docs and /api/docs). Session-authenticated for the
console and the H5 pages; every endpoint goes through the apps' selectors and services, so it is scoped and
validated exactly as the pages are. ServiceError becomes a 400 with a Chinese message.

Every refusal is JSON with a Chinese ``detail``, including the ones django-ninja makes itself (its English
"Unauthorized", "CSRF check Failed", "Cannot parse request body", pydantic's 422 messages and the plain-text
405): the WeChat front ends show ``detail`` to the member as it is. Every such body has one shape, declared in
the OpenAPI schema as ``ApiError`` under each status an operation can answer with (each app's ``response=
answers(...)``, lianxin/core/api_errors.py), so the front ends see the refusals in /api/docs. The API fuzzer
(lianxin/core/tests/test_api_fuzz.py) holds every operation to that: no 5xx, Chinese ``detail``, only declared
statuses, bodies matching their schema."""

import functools
import json
from importlib import import_module
from importlib.util import find_spec

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponsePermanentRedirect
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.urls import Resolver404, URLPattern, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.validation import CJK, pydantic_message


class LianxinAPI(NinjaAPI):
    def _get_urls(self):
        """ninja answers a method an operation does not have with a bare-text 405 before any exception handler
        runs; each view is wrapped so that answer is JSON in Chinese too (the Allow header stays). And a path
        under /api/v1/ that matches no operation (``/activities/abc/signup`` where an ``int`` id is routed) is a
        JSON 404, not the H5 site's HTML "page not found"."""
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        # a regex, not <path:…>: that stops at a newline (%0A), which then fell through to the HTML 404
        urls.append(re_path(r"^(?P<rest>[\s\S]*)$", _no_such_operation, name="no-such-operation"))
        return urls


@csrf_exempt  # it changes nothing; a refused CSRF check would be the H5 site's HTML page instead of this JSON
def _no_such_operation(request, rest):
    # what CommonMiddleware's APPEND_SLASH would have done had this catch-all not matched first
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            if resolve(request.path_info + "/").func is not _no_such_operation:
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        except Resolver404:
            pass
    return api.create_response(request, {"detail": "没有这个接口", "code": "not_found"}, status=404)


def _json_405(view):
    @functools.wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, per auth
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response.content = json.dumps({"detail": f"不支持该请求方法（可用：{allowed}）", "code": "method"},
                                          ensure_ascii=False)
            response["Content-Type"] = "application/json; charset=utf-8"
        return response

    return wrapper


api = LianxinAPI(title="连心 Lianxin API", version="1", urls_namespace="api", auth=django_auth,
                 docs_url="/docs")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, exc.as_dict(), status=403)


@api.exception_handler(ServiceError)
def _invalid(request, exc):
    # a service that could not find what it was asked about (an activity, sign-up, slot, booking or review step
    # by id) says so with code "not_found": that is a 404 here, as for every other missing object
    return api.create_response(request, exc.as_dict(), status=404 if exc.code == "not_found" else 400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


# ninja's own English refusals (HttpError and its AuthenticationError/AuthorizationError/Throttled), by message
# prefix (DEBUG appends the parser's error to the body one), then by status for anything else in English
_HTTP_MESSAGES = {
    "CSRF check Failed": "请求校验失败（CSRF），请刷新页面后重试",
    "Cannot parse request body": "请求内容不是有效的 JSON",
    "Unauthorized": "请先登录",
    "Forbidden": "无权进行此操作",
    "Too many requests": "请求过于频繁，请稍后再试",
}
_HTTP_STATUS = {400: "请求不正确", 401: "请先登录", 403: "无权进行此操作", 404: "未找到", 405: "不支持该请求方法",
                413: "请求内容过大", 415: "不支持的请求内容类型", 429: "请求过于频繁，请稍后再试"}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if not CJK.search(message):
        message = next((zh for en, zh in _HTTP_MESSAGES.items() if message.startswith(en)),
                       _HTTP_STATUS.get(exc.status_code, "请求无法处理"))
    return api.create_response(request, {"detail": message}, status=exc.status_code)


def _not_json(request, exc):
    """A form-encoded or multipart POST with a session: ninja's CSRF check reads ``request.POST`` (Django looks
    for the form's token there first), which consumes the stream, and reading the body as JSON then raises
    RawPostDataException — a 500 until the fuzzer found it — or, when the multipart body is malformed,
    MultiPartParserError (Django's HTML 400 page). The API takes JSON only; say so."""
    return api.create_response(request, {"detail": "请求内容应为 JSON（Content-Type: application/json）",
                                         "code": "media_type"}, status=415)


api.add_exception_handler(RawPostDataException, _not_json)
api.add_exception_handler(MultiPartParserError, _not_json)


def _bad_request(request, exc):
    """Django's own refusals of a request (too many fields, too large a body) as JSON, not its HTML page."""
    if isinstance(exc, RequestDataTooBig):
        return api.create_response(request, {"detail": "请求内容过大", "code": "too_large"}, status=413)
    return api.create_response(request, {"detail": "请求不正确", "code": "bad_request"}, status=400)


api.add_exception_handler(BadRequest, _bad_request)
api.add_exception_handler(SuspiciousOperation, _bad_request)


@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    """A number too large for the database driver: SQLite's binding refuses ints of 2**63 and above before the
    query runs (the ORM turns such lookups into "no rows", but hand-written SQL — activities' sign-up hot path —
    passed them on: a 500 the fuzzer found). Nothing was written; the client sent a number out of range."""
    return api.create_response(request, {"detail": "数值超出范围", "code": "out_of_range"}, status=400)


_LOCATIONS = {"path", "query", "header", "cookie", "body", "form", "file"}


def _field_of(loc) -> str:
    """``("query", "page")`` → ``page``; ``("body", "payload", "fields", 0)`` → ``fields.0`` (the body
    parameter's own name says nothing to the client); the body as a whole → ``""``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = parts.pop(0)
        if where in ("body", "form", "file") and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts)


@api.exception_handler(ValidationError)
def _unprocessable(request, exc):
    """Still a 422, shaped like ServiceError's 400: ``detail`` is the first problem in Chinese naming the field,
    ``errors`` maps every field at fault to its message."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        errors.setdefault(_field_of(error.get("loc", ())), pydantic_message(error))
    field, message = next(iter(errors.items()), ("", "填写不正确"))
    body = {"detail": f"{field or '请求内容'}：{message}", "field": field or None, "code": "invalid",
            "errors": errors}
    return api.create_response(request, body, status=422)


API_APPS = ["orgs", "members", "rosters", "workflow", "content", "activities", "venues", "dashboard", "portal", "core"]
for app in API_APPS:
    if find_spec(f"lianxin.{app}.api"):
        api.add_router(f"/{app}/", import_module(f"lianxin.{app}.api").router)

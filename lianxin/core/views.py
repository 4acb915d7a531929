"""Console plumbing shared by every app: login/logout, the staff-only decorator, error rendering."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render

from .errors import PermissionDenied
from .pagination import ScalablePaginator
from .scoping import scope_for


def staff_required(view):
    """Console views: a signed-in user with at least one staff grant whose session passed the second factor
    when it is required. A PermissionDenied raised inside is answered with a 403 page in Chinese, never a 500."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/console/login/?next={request.path}")
        if not scope_for(request.user).is_staff:
            return render(request, "portal/staff_only.html", status=403)
        from lianxin.accounts.otp import second_step_pending, verify_url

        if second_step_pending(request):  # password only: the code step first (LIANXIN_STAFF_OTP)
            return redirect(verify_url(request.get_full_path() if request.method == "GET" else ""))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as e:
            return render(request, "console/forbidden.html", {"message": e.message}, status=403)

    return wrapper


def form_error(form, e, aliases: dict[str, str] | None = None) -> None:
    """Show a service's Chinese message on the form field it names (or on the form when it names none); a
    service that reports several fields at once (``e.errors``, e.g. a checklist) gets each on its own field."""
    for name, message in (e.errors or {e.field: e.message}).items():
        field = (aliases or {}).get(name, name)
        form.add_error(field if field in form.fields else None, message)


MEMBER_LOGIN_URL = "/m/login/"


def member_login_required(view):
    """Member pages: any signed-in user (a worker may not be a member yet); anonymous visitors go to the SMS
    sign-in and come back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{MEMBER_LOGIN_URL}?next={quote(request.get_full_path())}")
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """Member pages that need the person record (reading, booking): signed in and linked to a person."""

    @wraps(view)
    @member_login_required
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "person_id", None):
            # a page, not bare text: on a phone the worker sees why and where to join
            return render(request, "portal/members_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def paginate(request, qs, per_page: int = 30, *, single_scan: bool = False):
    """The console's pager (``console/_pager.html``): see :class:`ScalablePaginator`."""
    return ScalablePaginator(qs, per_page, single_scan=single_scan).get_page(request.GET.get("page"))


class ChineseAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确（多次失败将被暂时锁定）",
        "inactive": "该账号已停用",
    }


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = ChineseAuthenticationForm


def logout_view(request):
    from django.contrib.auth import logout

    if request.method == "POST":
        logout(request)
        messages.info(request, "已退出")
    return redirect("/console/login/")


@staff_required
def home(request):
    from lianxin.orgs.selectors import member_counts, root_orgs_for

    from . import todos

    roots = root_orgs_for(request.user)
    counts = member_counts(roots)
    return render(request, "console/home.html", {
        "roots": [(o, counts.get(o.pk, 0)) for o in roots],
        "grants": request.user.staff_roles.filter(active=True).select_related("organization"),
        "todos": todos.for_user(request.user),
    })


@staff_required
def audit_log(request):
    from .models import AuditEntry
    from .scoping import scoped

    qs = scoped(AuditEntry.objects.select_related("actor"), request.user, "audit")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    return render(request, "console/audit_log.html", {"page": paginate(request, qs, 50), "action": action})

"""Member H5 pages (sign-in, home, card, 我的) and the staff card-scan page. Thin: parse, call a service or
selector, render. Correcting one's own data is the workflow programme ``profile_correction``: 我的 links to its
apply page, and the old addresses redirect there (members) and to the applications queue (staff)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.views import member_login_required, staff_required

from . import selectors, services, wechat
from .access import client_ip, safe_next

CORRECTION = "profile_correction"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline SVG QR code (no image request, a couple of KB)."""
    return segno.make(data, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff", omitsize=True)


def ping(request):
    """Health check for load balancers (and the benchmark's trivial page)."""
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------- sign-in

def login_view(request):
    nxt = safe_next(request)
    # The number typed is echoed back in the form only; it is never put in the session (sessions are rows
    # at rest, and mobiles are stored only encrypted).
    ctx = {"next": nxt, "mobile": "", "sent": False, "error": "",
           "wechat": wechat.WeChatConfig.from_env() is not None,
           "binding": bool(request.session.get("wechat_openid"))}
    if request.method == "POST":
        mobile = request.POST.get("mobile", "").strip()
        ctx["mobile"] = mobile
        try:
            if request.POST.get("action") == "send":
                services.request_sms_code(mobile=mobile, ip=client_ip(request))
                ctx["sent"] = True
                messages.success(request, "验证码已发送，5分钟内有效")
            else:
                user = services.verify_sms_code(mobile=mobile, code=request.POST.get("code", ""),
                                                ip=client_ip(request))
                openid = request.session.pop("wechat_openid", None)
                login(request, user, backend=BACKEND)
                if openid:
                    services.bind_wechat(user=user, openid=openid)
                    messages.success(request, "已绑定微信，下次可直接从公众号进入")
                return redirect(nxt)
        except ServiceError as e:
            ctx["error"] = e.message
            ctx["sent"] = request.POST.get("action") != "send"
    return render(request, "portal/login.html", ctx)


def wechat_start(request):
    cfg = wechat.WeChatConfig.from_env()
    if cfg is None:
        messages.error(request, "未配置微信登录，请使用手机验证码登录")
        return redirect("/m/login/")
    state = wechat.new_state()
    request.session["wechat_state"] = state
    request.session["wechat_next"] = safe_next(request)
    return redirect(wechat.authorize_url(cfg, redirect_uri=request.build_absolute_uri("/m/login/wechat/callback/"),
                                         state=state))


def wechat_callback(request):
    cfg = wechat.WeChatConfig.from_env()
    expected = request.session.pop("wechat_state", None)
    nxt = request.session.pop("wechat_next", "/m/")
    if cfg is None or not expected or request.GET.get("state") != expected:
        messages.error(request, "微信授权已失效，请重新进入")
        return redirect("/m/login/")
    try:
        openid = wechat.exchange_code(cfg, request.GET.get("code", ""))
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("/m/login/")
    user = services.user_for_openid(openid)
    if user is not None:
        login(request, user, backend=BACKEND)
        return redirect(nxt)
    request.session["wechat_openid"] = openid
    messages.info(request, "首次使用微信登录，请验证手机号完成绑定")
    return redirect(f"/m/login/?next={nxt}")


@require_POST
def logout_view(request):
    """Sign out of the H5 pages, and revoke every member API token of this user (all devices; the WeChat front
    end asks for a new one after signing in again), so a token copied before sign-out stops working too."""
    if request.user.is_authenticated:
        services.revoke_member_tokens(actor=request.user, user=request.user)
    logout(request)
    return redirect("/m/login/")


# ---------------------------------------------------------------- member pages

def _membership(request):
    return services.current_membership(getattr(request.user, "person", None)) \
        if request.user.is_authenticated else None


def _open_join(request, membership):
    """A non-member's 入会 application in hand, named instead of a second 申请入会 (one query, non-members only)."""
    from lianxin.workflow.selectors import my_open_application

    return None if membership is not None else my_open_application(user=request.user, programme="join")


def home(request):
    from lianxin.activities import selectors as act

    month = timezone.localdate().replace(day=1)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    membership = _membership(request)

    def of(m):
        if membership is not None:
            return act.member_activities(request.user.person, membership, month=m, upcoming=True)
        return act.public_activities(month=m).filter(ends_at__gte=timezone.now())

    waiting, unread = [], 0
    if request.user.is_authenticated:
        from lianxin.core import notify
        from lianxin.workflow.selectors import waiting_on_me

        waiting = list(waiting_on_me(user=request.user)[:5])
        unread = notify.unread(request.user).count()
    acts = list(of(month)[:6])
    # Late in a month this month's list runs dry: show what is already announced for the next one too.
    nxt = list(of(following)[:6 - len(acts)]) if len(acts) < 3 else []
    return render(request, "portal/home.html", {
        "membership": membership, "activities": acts, "next_activities": nxt, "month": month,
        "following": following, "news": selectors.latest_news(5), "waiting": waiting, "unread": unread,
        "join_app": _open_join(request, membership),
    })


@member_login_required
def card(request):
    membership = _membership(request)
    if membership is None:
        return render(request, "portal/card.html", {"membership": None, "join_app": _open_join(request, None)})
    token = services.card_token(membership)
    return render(request, "portal/card.html", {
        "membership": membership, "person": request.user.person, "qr": qr_svg(token),
        "ttl_minutes": services.CARD_TTL // 60, "refresh": services.CARD_TTL // 2,
    })


@member_login_required
@require_POST
def card_reissue(request):
    membership = _membership(request)
    if membership is not None:
        services.reissue_card(actor=request.user, membership=membership)
        messages.success(request, "已重新生成会员卡，之前的二维码全部作废")
    return redirect("/m/card/")


@member_login_required
def me(request):
    from lianxin.activities import selectors as act
    from lianxin.assistance.selectors import my_aid, my_retreats
    from lianxin.party.selectors import is_party_member

    person = request.user.person
    membership = _membership(request)
    return render(request, "portal/me.html", {
        "person": person, "membership": membership, "join_app": _open_join(request, membership),
        "signups": list(act.my_signups(person)[:10]) if person else [],
        "aid": list(my_aid(person)[:10]) if person else [],
        "retreats": list(my_retreats(person)[:5]) if person else [],
        "party_member": bool(person) and is_party_member(person),
        "inbox": [(n, selectors.message_link(n)) for n in selectors.my_messages(request.user, 5)],
        "unread": selectors.unread_count(request.user),
        "correction_url": f"/m/apply/{CORRECTION}/",
    })


@member_login_required
def messages_list(request):
    """我的消息: every in-app message, newest first, unread ones marked; 全部标为已读."""
    from lianxin.core.views import paginate

    page = paginate(request, selectors.inbox(request.user), 20)
    return render(request, "portal/messages.html", {
        "page": page, "items": [(n, selectors.message_link(n)) for n in page],
        "unread": selectors.unread_count(request.user)})


@member_login_required
def message_open(request, pk):
    """One message; opening it marks it read (only ``read_at``, only the member's own — like opening a letter)."""
    n = selectors.my_message(request.user, pk)
    services.mark_read(request.user, n)
    return render(request, "portal/message.html", {"n": n, "link": selectors.message_link(n)})


@member_login_required
@require_POST
def messages_read_all(request):
    done = services.mark_all_read(request.user)
    messages.success(request, f"已将 {done} 条消息标为已读" if done else "没有未读消息")
    return redirect("/m/messages/")


def correction_moved(request):
    """Old bookmark of the correction form: the request is now filed on the applications engine."""
    return redirect(f"/m/apply/{CORRECTION}/")


# ---------------------------------------------------------------- staff

@staff_required
def scan_card(request):
    result = None
    if request.method == "POST":
        try:
            result = services.verify_card(actor=request.user, token=request.POST.get("token", ""))
        except ServiceError as e:
            result = services.CardCheck("invalid", e.message)
    return render(request, "portal/console/scan_card.html", {"result": result})


def corrections_moved(request):
    """Old console page: corrections are decided in the applications queue like every other application."""
    return redirect(f"/console/applications/?programme={CORRECTION}&tab=all")

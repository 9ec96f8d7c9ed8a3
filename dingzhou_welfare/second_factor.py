"""Two-factor sign-in (django-otp): a TOTP authenticator app, enrolled by QR code, and recovery codes.

Required for the staff, leader and administrator roles when settings.TWO_FACTOR_REQUIRED is true;
caseworkers and supervisors may enrol, and once enrolled are asked too. The password form decides
at sign-in which step the session still owes ("setup" or "verify") and keeps it in the session;
SecondFactorMiddleware sends such a session to that step before any other page.

Wrong codes are slowed by django-otp's throttling (each failure doubles the wait) and count as
failed logins for django-axes, so guessing codes locks the account as guessing passwords does.
"""

from base64 import b32encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import role_of
from .forms import TokenForm
from .models import Role
from .services import enrol_second_factor

REQUIRED_ROLES = {Role.STAFF, Role.LEADER, Role.ADMINISTRATOR}
STEP_KEY = "dzw_second_factor"  # "setup" or "verify": what the signed-in session still owes
VERIFIED_KEY = "dzw_second_factor_given"  # the session gave a second factor (django-otp keeps which device)
OPEN_PAGES = {"two_factor_setup", "two_factor_verify", "logout", "set_language", "healthz", "readyz", "login"}


def required_for(user) -> bool:
    return settings.TWO_FACTOR_REQUIRED and role_of(user) in REQUIRED_ROLES


def step_for(user) -> str | None:
    """What a user who just gave the right password must still do."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "verify"
    return "setup" if required_for(user) else None


class SignInView(auth_views.LoginView):
    """Django's sign-in (django-axes counts its failures), then the second factor the user owes."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        step = step_for(form.get_user())
        if step is None:
            return response
        self.request.session[STEP_KEY] = step
        return redirect(f"{reverse('two_factor_' + step)}?next={quote(self.get_success_url())}")


class SecondFactorMiddleware:
    """Sends a session that owes a second factor to its step; after django_otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        session = request.session
        step = session.get(STEP_KEY)
        if step is None and session.get(VERIFIED_KEY) and not request.user.is_verified():
            # The device this session was verified with is gone: the administrator reset it.
            del session[VERIFIED_KEY]
            step = step_for(request.user)
            if step is not None:
                session[STEP_KEY] = step
        if step is None or request.resolver_match.url_name in OPEN_PAGES:
            return None
        return redirect(f"{reverse('two_factor_' + step)}?next={quote(request.get_full_path())}")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrolment: scan the QR code with an authenticator app, type its code, keep the recovery codes."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if request.session.get(STEP_KEY) == "setup":
            request.session[STEP_KEY] = "verify"
            return redirect(f"{reverse('two_factor_verify')}?next={quote(_next(request))}")
        return render(request, "registration/two_factor_setup.html", {"enrolled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=_("身份验证器"), confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enrol_second_factor(user=user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            _verified(request, device)
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        if _count_failure(request):
            return redirect("login")
        form.add_error("token", _("验证码不正确，请核对手机时间后输入应用中当前显示的6位数字。"))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
            "secret": " ".join(_groups(_base32(device.bin_key))),
            "next": _next(request),
            "required": required_for(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code from the authenticator app, or one of the recovery codes (each works once)."""
    if request.session.get(STEP_KEY) != "verify":
        return redirect(_next(request))
    user = request.user
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        # Six digits are the app's code; anything else may be a recovery code. Each kind of device
        # is only tried with its own kind of token, so a recovery code is no failure of the app's.
        app_code = len(token) == 6 and token.isdigit()
        devices = list(
            TOTPDevice.objects.filter(user=user, confirmed=True) if app_code else StaticDevice.objects.filter(user=user)
        )
        waiting = [d for d in devices if not d.verify_is_allowed()[0]]
        if waiting:
            form.add_error("token", _("验证码错误次数过多，请稍候几秒再试。"))
        else:
            for device in devices:
                if verify_token(user, device.persistent_id, token) is not None:
                    _verified(request, device)
                    if isinstance(device, StaticDevice):
                        left = device.token_set.count()
                        messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {"n": left})
                    return redirect(_next(request))
            if _count_failure(request):
                return redirect("login")  # AxesMiddleware answers with its lockout page instead
            form.add_error("token", _("验证码不正确。"))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def _verified(request, device) -> None:
    otp_login(request, device)
    request.session.pop(STEP_KEY, None)
    request.session[VERIFIED_KEY] = True


def _count_failure(request) -> bool:
    """A wrong code is a failed login for django-axes; True when that locks the account out (signed out)."""
    user_login_failed.send(
        sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return True
    return False


def _base32(key: bytes) -> str:
    return b32encode(key).decode()


def _groups(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]

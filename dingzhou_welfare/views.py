"""The administrator's user pages and the audit trail (the dashboard, which composes several apps, is in home/)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import require_role
from .filters import AuditFilter, object_type_labels
from .forms import StaffUserForm, form_errors_from
from .lockouts import locked_usernames, unlock_user
from .models import APPROVER_ROLES, AuditEntry, Role, RoleRequest
from .pagination import CappedPaginator
from .services import decide_role_request, reset_second_factor, save_staff_user


def healthz(request):
    """Liveness for load balancers; touches no database (the framework's ceiling in benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")


USERS_PER_PAGE = 50


@login_required
def user_list(request):
    """Every account, searched by username, name or phone; last login and lockout, with an unlock button."""
    require_role(request.user, Role.ADMINISTRATOR)
    query = request.GET.get("q", "").strip()
    users = (
        get_user_model().objects.select_related("profile").prefetch_related("profile__townships").order_by("username")
    )
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query) | Q(profile__phone=query))
    show = request.GET.get("show", "")
    if show == "locked":
        users = users.filter(username__in=locked_usernames())
    elif show == "no_role":
        users = users.filter(Q(profile__isnull=True) | Q(profile__role=""))
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    pending = set(RoleRequest.objects.filter(status=RoleRequest.Status.PENDING).values_list("user_id", flat=True))
    locked = locked_usernames(u.username for u in page.object_list)
    return render(
        request,
        "accounts/user_list.html",
        {"users": page.object_list, "page": page, "query": query, "show": show, "pending": pending, "locked": locked},
    )


@login_required
@require_POST
def user_unlock(request, pk):
    """Clear an account's failed logins (django-axes), audited; administrators only."""
    require_role(request.user, Role.ADMINISTRATOR)
    user = get_object_or_404(get_user_model(), pk=pk)
    unlock_user(actor=request.user, user=user)
    messages.success(request, _("已解除 %(u)s 的登录锁定。") % {"u": user.username})
    return redirect(f"{reverse('user_list')}?{urlencode({'q': request.POST.get('q', '')})}")


@login_required
def user_edit(request, pk=None):
    require_role(request.user, Role.ADMINISTRATOR)
    user = get_object_or_404(get_user_model(), pk=pk) if pk else None
    initial = {}
    if user is not None:
        profile = getattr(user, "profile", None)
        initial = {
            "username": user.username,
            "full_name": user.first_name,
            "is_active": user.is_active,
            "role": profile.role if profile else "",
            "phone": profile.phone if profile else "",
            "townships": profile.townships.all() if profile else [],
            "villages": profile.villages.all() if profile else [],
        }
    form = StaffUserForm(request.POST or None, initial=initial, user=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_staff_user(actor=request.user, data=form.cleaned_data, user=user)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存用户 %(u)s。") % {"u": saved.username})
            if RoleRequest.objects.filter(user=saved, status=RoleRequest.Status.PENDING).exists():
                messages.warning(request, _("角色或负责范围的变更须由另一位管理员或局领导批准后生效。"))
            return redirect("user_list")
    pending = RoleRequest.objects.filter(user=user, status=RoleRequest.Status.PENDING).first() if user else None
    enrolled = user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(
        request, "accounts/user_form.html", {"form": form, "edited": user, "pending": pending, "enrolled": enrolled}
    )


@login_required
def role_requests(request):
    """Role changes waiting for a second person (administrators and the leader), and the latest decided."""
    require_role(request.user, *APPROVER_ROLES)
    requests = RoleRequest.objects.select_related("user__profile", "requested_by", "decided_by").prefetch_related(
        "townships", "villages", "user__profile__townships"
    )
    return render(
        request,
        "accounts/role_requests.html",
        {
            "pending": requests.filter(status=RoleRequest.Status.PENDING),
            "decided": requests.exclude(status=RoleRequest.Status.PENDING)[:20],
        },
    )


@login_required
@require_POST
def role_request_decide(request, pk):
    require_role(request.user, *APPROVER_ROLES)
    role_request = get_object_or_404(RoleRequest, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        decide_role_request(actor=request.user, role_request=role_request, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("已批准 %(u)s 的角色变更。") if approve else _("已驳回 %(u)s 的角色变更。")
        messages.success(request, done % {"u": role_request.user.username})
    return redirect("role_requests")


@login_required
@require_POST
def user_reset_second_factor(request, pk):
    """After a lost phone: the user's authenticator and recovery codes are removed; they enrol again."""
    require_role(request.user, Role.ADMINISTRATOR)
    user = get_object_or_404(get_user_model(), pk=pk)
    reset_second_factor(actor=request.user, user=user)
    messages.success(request, _("已重置 %(u)s 的两步验证，该用户下次登录时重新绑定。") % {"u": user.username})
    return redirect("user_edit", pk=user.pk)


AUDIT_PAGE_SIZE = 50


@login_required
def audit_list(request):
    """The audit trail for the bureau's staff and its leaders, newest first."""
    require_role(request.user, Role.STAFF, Role.LEADER)
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    filters = AuditFilter(request.GET or None, queryset=entries)
    page = CappedPaginator(filters.qs if filters.is_bound else entries, AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = object_type_labels()
    for entry in page:
        entry.type_label = labels.get(entry.object_type, entry.object_type)
        entry.change_rows = [_change_row(name, value) for name, value in (entry.changes or {}).items()]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"filters": filters, "page": page, "query": query.urlencode()})


def _change_row(name, value) -> tuple:
    """(field, old, new, whether it is an old -> new pair): most entries hold {field: [old, new]}."""
    if isinstance(value, list) and len(value) == 2:
        return (name, value[0], value[1], True)
    return (name, None, value, False)

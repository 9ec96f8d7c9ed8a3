"""The administrator's user pages (the dashboard, which composes several apps, is in home/)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .access import require_role
from .forms import StaffUserForm
from .models import Role
from .services import save_staff_user


def healthz(request):
    """Liveness for load balancers; touches no database (the framework's ceiling in benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def user_list(request):
    require_role(request.user, Role.ADMINISTRATOR)
    users = (
        get_user_model().objects.select_related("profile").prefetch_related("profile__townships").order_by("username")
    )
    return render(request, "accounts/user_list.html", {"users": users})


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
    form = StaffUserForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        saved = save_staff_user(actor=request.user, data=form.cleaned_data, user=user)
        messages.success(request, _("已保存用户 %(u)s。") % {"u": saved.username})
        return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})

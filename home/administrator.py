"""The administrator's home: accounts and reference data, no child (the administrator sees none)."""

from django.contrib.auth import get_user_model
from django.shortcuts import render

from dingzhou_welfare.lockouts import locked_usernames
from dingzhou_welfare.models import RoleRequest, Township, Village


def administrator_home(request):
    users = get_user_model().objects
    return render(
        request,
        "home/administrator.html",
        {
            "active_users": users.filter(is_active=True).count(),
            "without_role": users.filter(is_active=True, profile__role="").count()
            + users.filter(is_active=True, profile__isnull=True).count(),
            "pending": RoleRequest.objects.filter(status=RoleRequest.Status.PENDING).count(),
            "locked": len(locked_usernames()),
            "townships": Township.objects.count(),
            "villages": Village.objects.count(),
        },
    )

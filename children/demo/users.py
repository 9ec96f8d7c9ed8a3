"""One demo login per role, scoped like the test cast; the published password."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db.models import Count, ProtectedError, Q

from dingzhou_welfare.models import Role
from dingzhou_welfare.services import save_staff_user

from ..models import Township, Village
from .plan import CASEWORKER_TOWNSHIP, MARK, PASSWORD, SECOND_TOWNSHIP
from .words import FULL_NAMES


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    township: str = ""  # code
    villages: int = 0  # limited to this many villages of the township


DEMO_USERS = (
    DemoUser("demo_caseworker", Role.CASEWORKER, CASEWORKER_TOWNSHIP, villages=2),
    DemoUser("demo_caseworker2", Role.CASEWORKER, SECOND_TOWNSHIP),
    DemoUser("demo_supervisor", Role.SUPERVISOR, SECOND_TOWNSHIP),
    DemoUser("demo_staff", Role.STAFF),
    DemoUser("demo_leader", Role.LEADER),
    DemoUser("demo_admin", Role.ADMINISTRATOR),
)


def delete_users() -> list[str]:
    """Delete the demo accounts; those that acted stay (the audit trail keeps them): their usernames."""
    kept = []
    for user in get_user_model().objects.filter(username__in=[u.username for u in DEMO_USERS]):
        try:
            user.delete()
        except ProtectedError:  # the audit trail keeps what this user did; reset the account instead
            kept.append(user.username)
    return kept


def ensure_users(refresh: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows = []
    for n, spec in enumerate(DEMO_USERS):
        township = Township.objects.filter(code=spec.township).first() if spec.township else None
        villages = busiest_villages(township, spec.villages) if township and spec.villages else []
        user = User.objects.filter(username=spec.username).first()
        if user is None or spec.username in refresh:  # otherwise left as it is (--reset recreates it)
            data = {
                "username": spec.username,
                "full_name": FULL_NAMES[n % len(FULL_NAMES)] + "（演示）",
                "role": spec.role,
                "password": PASSWORD,
                "townships": [township] if township else [],
                "villages": villages,
                "is_active": True,
            }
            validate_password(PASSWORD, User(username=spec.username, first_name=data["full_name"]))
            user = save_staff_user(actor=None, data=data, user=user)
        profile = user.profile
        if spec.role in (Role.STAFF, Role.LEADER):
            scope = "全市"
        elif spec.role == Role.ADMINISTRATOR:
            scope = "参考数据和用户，不看儿童"
        else:
            scope = "、".join(profile.townships.values_list("name", flat=True)) or "（无）"
            chosen = list(profile.villages.values_list("name", flat=True))
            if chosen:
                scope += "：" + "、".join(chosen)
        rows.append((Role(spec.role).label, spec.username, scope))
    return rows


def busiest_villages(township: Township, n: int) -> list[Village]:
    """The n villages of the township with the most demo children (so the caseworker sees some)."""
    return list(
        Village.objects.filter(township=township)
        .annotate(n=Count("children", filter=Q(children__note__startswith=MARK)))
        .order_by("-n", "pk")[:n]
    )

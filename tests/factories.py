"""Factories: plain, valid by default, no cleverness."""

import datetime
import itertools

import factory

from children.models import Carer, Child, Township, Village
from dingzhou_welfare.idnumbers import check_char
from dingzhou_welfare.services import save_staff_user

_sequence = itertools.count(1)
PASSWORD = "Test-password-2026!"


def make_id_number(birth_date: datetime.date, sex: str = "M", prefix: str = "130682") -> str:
    """A valid synthetic ID number (never a real person's) for a birth date and sex."""
    seq = next(_sequence) % 500
    digit = seq * 2 + (1 if sex == "M" else 0)
    first17 = f"{prefix}{birth_date:%Y%m%d}{digit:03d}"
    return first17 + check_char(first17)


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"130682{900 + n:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    kind = Township.Kind.TOWN


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试村{n}")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    name = factory.Sequence(lambda n: f"张小{n}")
    sex = Child._meta.get_field("sex").choices[0][0]
    birth_date = datetime.date(2015, 3, 14)
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, o.sex))
    hukou_type = Child.HukouType.RURAL
    township = factory.SubFactory(TownshipFactory)
    village = factory.SubFactory(VillageFactory, township=factory.SelfAttribute("..township"))


class CarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carer

    child = factory.SubFactory(ChildFactory)
    name = "张大爷"
    relationship = Carer.Relationship.PATERNAL_GRANDPARENT
    phone = "13800001234"


def ensure_reference_data() -> None:
    """The role groups and programmes that migrations load.

    A transactional test (browser tests, thread races, the real Celery worker) ends with a flush
    that empties every table, migration data included; whatever runs after it needs them back.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group

    from dingzhou_welfare.roles import ROLE_PERMISSIONS, sync_role_groups
    from subsidies.changes.defaults import load_default_layout
    from subsidies.defaults import load_defaults
    from subsidies.models import Programme

    if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
        sync_role_groups()
    if not Programme.objects.exists():
        load_defaults(apps)
    load_default_layout(apps)  # the national change list's layout (增员/减员), if it is not there


def make_user(username: str, role: str, townships=(), villages=()):
    ensure_reference_data()
    return save_staff_user(
        actor=None,
        data={
            "username": username,
            "full_name": username,
            "role": role,
            "password": PASSWORD,
            "townships": list(townships),
            "villages": list(villages),
            "is_active": True,
        },
    )


def child_form_data(township, village=None, **overrides) -> dict:
    """What the child form posts for a valid new child (a boy born 2015-01-01, ID 130682201501010010)."""
    data = {
        "name": "李小华",
        "sex": "M",
        "ethnicity": "汉族",
        "id_number": "130682201501010010",
        "no_id_reason": "",
        "birth_date": "2015-01-01",
        "hukou_type": Child.HukouType.RURAL,
        "township": township.pk,
        "village": village.pk if village else "",
        "hukou_address": "",
        "current_address": "",
        "school_status": Child.SchoolStatus.IN_SCHOOL,
        "school_name": "",
        "grade": "",
        "health_status": Child.HealthStatus.HEALTHY,
        "disability_type": "",
        "disability_grade": "",
        "disability_cert_no": "",
        "note": "",
    }
    data.update(overrides)
    return data


def approve_role_request(user, approver):
    """The pending role request for `user` approved by a second person (another administrator or the leader)."""
    from dingzhou_welfare.models import RoleRequest
    from dingzhou_welfare.services import decide_role_request

    pending = RoleRequest.objects.get(user=user, status=RoleRequest.Status.PENDING)
    return decide_role_request(actor=approver, role_request=pending, approve=True)

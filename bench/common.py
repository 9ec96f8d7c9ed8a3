"""What the list benchmarks share: the bench database, the scenarios and their content checks."""

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent  # the checkout whose .venv runs everything
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own: the bench's sessions only
BENCH_PASSWORD = "Bench-password-2026!"  # noqa: S105 - synthetic users in a throwaway database
STAFF_USERNAME = "bench_staff"
CASEWORKER_USERNAME = "bench_caseworker"
CASEWORKER_TOWNSHIP_CODE = "130682101"  # 清风店镇
FILTER_TOWNSHIP_CODE = "130682105"  # 叮咛店镇, for the county-wide user's township filter

ROW_LINK = re.compile(rb'<a href="/children/(\d+)/">([^<]*)</a>')


def bench_environment(database_url: str, redis_url: str, app_dir: Path = BASE_DIR) -> dict[str, str]:
    """The production-like settings the app is measured with (see dingzhou_welfare/settings.py)."""
    static = hashlib.sha256(str(app_dir.resolve()).encode()).hexdigest()[:8]
    return {
        "DJANGO_SETTINGS_MODULE": "dingzhou_welfare.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": f"/tmp/dzw-bench-static-{static}",
        "VAR_DIR": f"/tmp/dzw-bench-var-{static}",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(database_url: str, redis_url: str, app_dir: Path = BASE_DIR) -> None:
    """Django in this process, importing the app from app_dir (another checkout, for before/after)."""
    sys.path.insert(0, str(app_dir))
    os.chdir(app_dir)  # Celery puts the working directory first on sys.path while Django starts
    os.environ.update(bench_environment(database_url, redis_url, app_dir))
    import django

    django.setup()


def collect_static() -> None:
    """DEBUG=false serves hashed static names (whitenoise manifest): the manifest must exist."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


@dataclass
class Scenario:
    key: str
    label: str
    user: str | None  # username to log in as; None for /healthz/
    path: str
    params: dict = field(default_factory=dict)
    rows: int | None = None  # exact number of children on the page, when known
    must_contain: list[str] = field(default_factory=list)
    name_prefix: str = ""  # every child's name on the page starts with this
    township: str = ""  # every row shows this township

    @property
    def url(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path

    def problem(self, status: int, body: bytes) -> str | None:
        """Why a response is wrong, or None: a 200 with the expected children in it."""
        if status != 200:
            return f"status {status}"
        if self.user is None:
            return None if body == b"ok" else "body is not ok"
        rows = ROW_LINK.findall(body)
        if self.rows is not None and len(rows) != self.rows:
            return f"{len(rows)} rows, expected {self.rows}"
        for text in self.must_contain:
            if text.encode() not in body:
                return f"{text!r} missing"
        if self.name_prefix and not all(name.decode().startswith(self.name_prefix) for _pk, name in rows):
            return f"a name not starting with {self.name_prefix!r}"
        if self.township and body.count(f">{self.township} / ".encode()) != len(rows):
            return f"a row outside {self.township}"
        return None


def scenarios(page_size: int = 25) -> list[Scenario]:
    """The pages measured, with what each must show, read from the bench database."""
    from django.db.models import Count
    from django.db.models.functions import Left

    from children.models import Child, Township

    filter_township = Township.objects.get(code=FILTER_TOWNSHIP_CODE)
    own_township = Township.objects.get(code=CASEWORKER_TOWNSHIP_CODE)
    total = Child.objects.count()
    child = Child.objects.exclude(id_number="").filter(pk__gte=total // 2).order_by("pk").first()
    prefix = child.name[:2]
    named = Child.objects.filter(name__startswith=prefix)[:page_size].count()
    surname = (
        Child.objects.annotate(first=Left("name", 1)).values("first").annotate(n=Count("id")).order_by("-n")[0]["first"]
    )
    return [
        Scenario("healthz", "/healthz/ (no database: the ceiling)", None, "/healthz/"),
        Scenario("first_page", "list, first page", STAFF_USERNAME, "/children/", rows=page_size),
        Scenario(
            "township",
            f"list, township filter ({filter_township.name})",
            STAFF_USERNAME,
            "/children/",
            {"township": filter_township.pk},
            rows=page_size,
            township=filter_township.name,
        ),
        Scenario(
            "id_exact",
            "list, exact ID search",
            STAFF_USERNAME,
            "/children/",
            {"q": child.id_number},
            rows=1,
            must_contain=[f'<a href="/children/{child.pk}/">{child.name}</a>'],
        ),
        Scenario(
            "name_prefix",
            f"list, name search ({prefix}…)",
            STAFF_USERNAME,
            "/children/",
            {"q": prefix},
            rows=named,
            name_prefix=prefix,
        ),
        Scenario(
            "surname",
            f"list, surname only ({surname}…, the commonest)",
            STAFF_USERNAME,
            "/children/",
            {"q": surname},
            rows=page_size,
            name_prefix=surname,
        ),
        Scenario(
            "caseworker",
            f"list, first page, caseworker of {own_township.name}",
            CASEWORKER_USERNAME,
            "/children/",
            rows=page_size,
            township=own_township.name,
        ),
    ]

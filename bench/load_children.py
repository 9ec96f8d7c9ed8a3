"""Load a large synthetic registry into a separate PostgreSQL database, fast (COPY).

    .venv/bin/python bench/load_children.py                 # 1,000,000 children into dzw_bench
    .venv/bin/python bench/load_children.py --children 20000 --database-url postgres://postgres@127.0.0.1/dzw_small
    .venv/bin/python bench/load_children.py --reset         # drop and recreate the database first

The database is created if missing, migrated, given the 25 townships fixture,
about 540 villages, N children with valid unique ID numbers, open categories for
about 30% of them, then VACUUM ANALYZE. Secondary indexes of the two big tables
are dropped before COPY and rebuilt after it when the tables start empty
(a sorted index build is several times faster than a million index inserts).
Two users are created or updated: bench_staff (county-wide) and
bench_caseworker (one township), password BENCH_PASSWORD in bench/common.py.
Everything here is synthetic: no ID number belongs to a real person's record.
"""

import argparse
import bisect
import datetime
import itertools
import multiprocessing
import os
import random
import sys
import time

from common import (
    BASE_DIR,
    BENCH_PASSWORD,
    CASEWORKER_TOWNSHIP_CODE,
    CASEWORKER_USERNAME,
    DEFAULT_DATABASE_URL,
    STAFF_USERNAME,
)

sys.path.insert(0, str(BASE_DIR))

# Surnames with rough shares among Hebei children (the long tail shares the rest).
SURNAMES = {
    "王": 8.5, "李": 8.0, "张": 7.8, "刘": 6.5, "赵": 3.5, "杨": 3.2, "陈": 2.5, "高": 2.0, "孙": 2.0,
    "马": 1.8, "郭": 1.6, "徐": 1.2, "周": 1.2, "吴": 1.0, "朱": 1.0, "胡": 0.9, "田": 0.9, "郝": 0.8,
    "韩": 0.8, "魏": 0.7, "崔": 0.7, "梁": 0.6, "宋": 0.6, "许": 0.6, "冯": 0.6, "史": 0.5, "贾": 0.5,
    "谷": 0.5, "甄": 0.4, "齐": 0.4, "袁": 0.4, "董": 0.4, "于": 0.4, "路": 0.3, "石": 0.4, "曹": 0.4,
    "彭": 0.3, "邢": 0.3, "申": 0.3, "尹": 0.3, "蔡": 0.3, "黄": 0.3, "林": 0.2, "何": 0.2, "罗": 0.2,
    "郑": 0.3, "孟": 0.3, "白": 0.3, "侯": 0.3, "常": 0.3, "霍": 0.2, "闫": 0.3, "苑": 0.2, "翟": 0.2,
}  # fmt: skip
GIVEN_FIRST = {
    "M": "子梓浩宇俊一博文家志明晨泽天佳思嘉铭建雨皓鑫昊承旭晓奕佳航睿星彦振冠腾",
    "F": "子梓欣一雨诗思佳可紫语梦晓若嘉雅心艺静怡婉美书悦依馨雪欣晨梓佳雨",
}
GIVEN_SECOND = {
    "M": "轩涵宇然豪睿航泽辰杰阳博铭浩瑞凯鹏翔磊伟鑫晨琦晗毅诚康乐霖源",
    "F": "涵萱怡彤琪萌欣妍雪瑶琳婷悦菲然晨曦宁诺溪楠娜颖洁雯静璇月桐",
}
SINGLE = {"M": "浩杰磊鹏强伟超勇帅斌", "F": "娜静婷洁悦雪琳倩颖欣"}
# Other Hebei county prefixes: children registered where their hukou is.
HEBEI_PREFIXES = [
    "130681", "130683", "130684", "130602", "130606", "130607", "130608", "130609", "130623", "130624",
    "130626", "130627", "130628", "130629", "130630", "130631", "130632", "130633", "130634", "130635",
    "130636", "130637", "130638", "130104", "130105", "130108", "130109", "130110", "130111", "130121",
]  # fmt: skip
VILLAGE_FIRST = "东西南北前后大小上下中新高王李张刘赵杨陈孙马郭周吴崔田韩冯邢史谷甄齐路"
VILLAGE_LAST = ["村", "庄", "营", "屯", "店", "寨", "疃", "堡"]
KINDS = [  # (kind, share of children with it open)
    ("left_behind", 0.16),
    ("hardship_poverty", 0.06),
    ("disabled", 0.03),
    ("hardship_disability", 0.02),
    ("de_facto_scattered", 0.02),
    ("hardship_guardianship", 0.015),
    ("orphan_scattered", 0.01),
    ("de_facto_institutional", 0.002),
    ("orphan_institutional", 0.002),
]
SCHOOLS = ["实验小学", "第一中学", "第二中学", "中心小学", "第三中学", "职教中心"]
CHILD_COLUMNS = [
    "id", "name", "sex", "ethnicity", "id_number", "no_id_reason", "birth_date", "hukou_type", "hukou_address",
    "current_address", "township_id", "village_id", "school_status", "school_name", "grade", "boarding",
    "health_status", "disability_type", "disability_grade", "disability_cert_no", "status", "closed_reason",
    "closed_on", "likely_duplicate", "note", "created_at", "updated_at",
]  # fmt: skip
CLASSIFICATION_COLUMNS = ["child_id", "kind", "start_date", "end_date", "end_reason", "note", "created_at"]
CHUNK = 20_000


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dingzhou_welfare.settings")
    os.environ.pop("REDIS_URL", None)  # the loader needs no cache, and Celery stays in-process
    import django

    django.setup()


def ensure_database(database_url: str, reset: bool) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    name = config["NAME"]
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            print(f"dropping database {name}")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))


def weighted(pool: dict[str, float]) -> tuple[list[str], list[float]]:
    return list(pool), list(pool.values())


def zipf_weights(n: int) -> list[float]:
    return [1 / (rank + 1) ** 0.8 for rank in range(n)]


class Picker:
    """A weighted choice without random.choices' per-call cumulative sums (a million rows)."""

    def __init__(self, rng: random.Random, population, weights):
        self.random = rng.random
        self.population = list(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self):
        return self.population[bisect.bisect(self.cumulative, self.random() * self.total)]


def make_villages(rng: random.Random, townships) -> list[tuple[int, str]]:
    """About 540 villages: 15 to 30 per town, fewer in the city's subdistricts."""
    from children.models import Township

    rows = []
    for township in townships:
        count = 8 if township.kind == Township.Kind.SUBDISTRICT else rng.randint(18, 30)
        names: set[str] = set()
        while len(names) < count:
            suffix = "社区" if township.kind == Township.Kind.SUBDISTRICT else rng.choice(VILLAGE_LAST)
            names.add(rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_FIRST) + suffix)
        rows.extend((township.pk, name) for name in sorted(names))
    return rows


class ChildMaker:
    """Synthetic children, one TSV line (COPY text format) at a time."""

    def __init__(self, rng: random.Random, villages: dict, today: datetime.date, stream: int = 0, streams: int = 1):
        from dingzhou_welfare.idnumbers import check_char

        self.check_char = check_char
        self.rng = rng
        self.today = today
        # Parallel makers draw ID sequence numbers from disjoint slices, so no two make the same number.
        self.stream, self.streams = stream, streams
        self.townships = list(villages)
        # Towns are bigger than the city's subdistricts: weight by village count.
        self.township = Picker(rng, self.townships, [len(villages[t]) for t in self.townships])
        self.villages = villages
        surnames, weights = weighted(SURNAMES)
        tail = "范方姚谭廖邹熊金陆孔邵万钱严覃武戴莫汤黎易乔贺赖龚文"
        # The long tail shares a quarter as much as the common surnames together.
        self.surname = Picker(rng, [*surnames, *tail], [*weights, *[sum(weights) * 0.25 / len(tail)] * len(tail)])
        self.given = {
            sex: (
                Picker(rng, GIVEN_FIRST[sex], zipf_weights(len(GIVEN_FIRST[sex]))),
                Picker(rng, GIVEN_SECOND[sex], zipf_weights(len(GIVEN_SECOND[sex]))),
            )
            for sex in "MF"
        }
        self.used_ids: set[int] = set()
        self.days = 18 * 365
        self.births = [today - datetime.timedelta(days=d) for d in range(self.days)]
        self.birth_text = [(b.isoformat(), f"{b:%Y%m%d}") for b in self.births]
        self.kind = Picker(rng, [k for k, _w in KINDS], [w for _k, w in KINDS])
        self.classification_lines: list[str] = []

    def given_name(self, sex: str) -> str:
        if self.rng.random() < 0.12:
            return self.rng.choice(SINGLE[sex])
        first, second = self.given[sex]
        return first() + second()

    def id_number(self, birth_digits: str, sex: str) -> str:
        while True:
            prefix = "130682" if self.rng.random() < 0.7 else self.rng.choice(HEBEI_PREFIXES)
            sequence = (self.rng.randrange(500 // self.streams) * self.streams + self.stream) * 2 + (sex == "M")
            first17 = f"{prefix}{birth_digits}{sequence:03d}"
            key = int(first17)
            if key not in self.used_ids:
                self.used_ids.add(key)
                return first17 + self.check_char(first17)

    def line(self, pk: int, created: str) -> str:
        rng = self.rng
        sex = "M" if rng.random() < 0.52 else "F"
        days = rng.randrange(self.days)
        birth = self.births[days]
        birth_iso, birth_digits = self.birth_text[days]
        age = days // 365
        township = self.township()
        village = rng.choice(self.villages[township])
        if rng.random() < 0.002:
            id_number, no_id_reason = "", "弃婴尚未落户"
        else:
            id_number, no_id_reason = self.id_number(birth_digits, sex), ""
        if age < 3:
            school, school_name, grade = "not_school_age", "", ""
        elif age < 6:
            school, school_name, grade = "preschool", "", ""
        else:
            school, school_name, grade = "in_school", "定州市" + rng.choice(SCHOOLS), f"{min(age - 5, 12)}年级"
        disabled = rng.random() < 0.03
        health = "disabled" if disabled else ("chronic" if rng.random() < 0.03 else "healthy")
        if rng.random() < 0.05:
            closed_on = min(birth + datetime.timedelta(days=365), self.today).isoformat()
            status, closed_reason = "closed", "moved_away"
        else:
            status, closed_reason, closed_on = "active", "", r"\N"
        fields = [
            str(pk),
            self.surname() + self.given_name(sex),
            sex,
            "汉族" if rng.random() < 0.98 else "回族",
            id_number,
            no_id_reason,
            birth_iso,
            "rural" if rng.random() < 0.8 else "urban",
            "河北省定州市",
            "",
            str(township),
            str(village),
            school,
            school_name,
            grade,
            "t" if rng.random() < 0.1 else "f",
            health,
            rng.choice(["physical", "intellectual", "hearing", "visual"]) if disabled else "",
            str(rng.randint(1, 4)) if disabled else r"\N",
            "",
            status,
            closed_reason,
            closed_on,
            "t" if rng.random() < 0.001 else "f",
            "",
            created,
            created,
        ]
        if status == "active":
            self.classify(pk, birth, created)
        return "\t".join(fields) + "\n"

    def classify(self, pk: int, birth: datetime.date, created: str) -> None:
        """About 30% of children hold one or more open categories (a few also one that ended)."""
        rng = self.rng
        if rng.random() >= 0.315:  # of the 95% active
            return
        kinds = {self.kind()}
        if rng.random() < 0.15:
            kinds.add(self.kind())
        start = max(birth, datetime.date(2024, 1, 1)).isoformat()
        for kind in sorted(kinds):
            self.classification_lines.append(f"{pk}\t{kind}\t{start}\t\\N\t\t\t{created}\n")
        if rng.random() < 0.1 and birth < datetime.date(2022, 1, 1):
            self.classification_lines.append(
                f"{pk}\thardship_poverty\t2022-01-01\t2023-12-31\tsituation_changed\t\t{created}\n"
            )


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of a table's indexes that back no constraint (primary key, unique constraint)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY i.relname
        """,
        [table],
    )
    return cursor.fetchall()


def copy_rows(cursor, table: str, columns: list[str], chunks) -> int:
    """COPY blocks of text-format lines (UTF-8 bytes); returns the number of rows."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for chunk in chunks:
            copy.write(chunk)
            count += chunk.count(b"\n")
    return count


def make_chunks(stream, streams, seed, villages, today, created, used_ids, chunks, queue) -> None:
    """One generator process: the given (first pk, count) chunks, in order, onto its queue."""
    maker = ChildMaker(random.Random(seed * 1000 + stream), villages, today, stream, streams)
    maker.used_ids = {key for key in used_ids if (key % 1000 // 2) % streams == stream}
    for first, count in chunks:
        text = "".join(maker.line(pk, created) for pk in range(first, first + count)).encode()
        queue.put((text, "".join(maker.classification_lines).encode()))
        maker.classification_lines = []


class Makers:
    """Children generated by two processes while this one feeds COPY (Python is the slow part)."""

    streams = 2

    def __init__(self, args, villages, today, created, used_ids, pks):
        context = multiprocessing.get_context("fork")
        all_chunks = [(first, min(CHUNK, pks.stop - first)) for first in range(pks.start, pks.stop, CHUNK)]
        self.total = len(all_chunks)
        self.queues = [context.Queue(maxsize=4) for _ in range(self.streams)]
        self.processes = [
            context.Process(
                target=make_chunks,
                args=(s, self.streams, args.seed, villages, today, created, used_ids, all_chunks[s :: self.streams], q),
                daemon=True,
            )
            for s, q in enumerate(self.queues)
        ]

    def __enter__(self):
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()

    def chunks(self, classification_chunks: list[bytes]):
        for index in range(self.total):
            text, classified = self.queues[index % self.streams].get(timeout=300)
            classification_chunks.append(classified)
            yield text


def check_references(cursor) -> None:
    """What the foreign-key triggers skipped during COPY: every reference must resolve."""
    cursor.execute(
        """
        SELECT
          (SELECT COUNT(*) FROM children_child c LEFT JOIN children_township t ON t.id = c.township_id
            WHERE t.id IS NULL)
        + (SELECT COUNT(*) FROM children_child c LEFT JOIN children_village v ON v.id = c.village_id
            WHERE c.village_id IS NOT NULL AND (v.id IS NULL OR v.township_id <> c.township_id))
        + (SELECT COUNT(*) FROM children_classification k LEFT JOIN children_child c ON c.id = k.child_id
            WHERE c.id IS NULL)
        """
    )
    broken = cursor.fetchone()[0]
    if broken:
        raise SystemExit(f"{broken} rows reference a missing township, village or child")


def ensure_user(username: str, role: str, townships) -> None:
    from django.contrib.auth import get_user_model

    from dingzhou_welfare.services import save_staff_user

    existing = get_user_model().objects.filter(username=username).first()
    save_staff_user(
        actor=None,
        user=existing,
        data={
            "username": username,
            "full_name": username,
            "role": role,
            "password": BENCH_PASSWORD,
            "townships": list(townships),
            "villages": [],
            "is_active": True,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()

    started = time.perf_counter()
    ensure_database(args.database_url, args.reset)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection, transaction

    from children.models import Child, Classification, Township, Village
    from dingzhou_welfare.models import Role

    call_command("migrate", verbosity=0)
    call_command("loaddata", "dingzhou_townships", verbosity=0)
    rng = random.Random(args.seed)
    townships = list(Township.objects.order_by("code"))
    if not Village.objects.exists():
        Village.objects.bulk_create(Village(township_id=t, name=n) for t, n in make_villages(rng, townships))
    villages: dict[int, list[int]] = {}
    for village_id, township_id in Village.objects.values_list("id", "township_id"):
        villages.setdefault(township_id, []).append(village_id)
    print(f"{len(townships)} townships, {sum(map(len, villages.values()))} villages")

    ensure_user(STAFF_USERNAME, Role.STAFF, [])
    ensure_user(CASEWORKER_USERNAME, Role.CASEWORKER, Township.objects.filter(code=CASEWORKER_TOWNSHIP_CODE))
    print(f"users {STAFF_USERNAME} (county-wide) and {CASEWORKER_USERNAME} (清风店镇), password {BENCH_PASSWORD}")

    today = datetime.date.today()  # noqa: DTZ011 - synthetic birth dates only
    used_ids = {int(n[:17]) for n in Child.objects.exclude(id_number="").values_list("id_number", flat=True)}
    created = datetime.datetime.now(datetime.UTC).isoformat()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM children_child")
        first_pk = cursor.fetchone()[0] + 1
        empty = first_pk == 1 and not Classification.objects.exists()
    pks = range(first_pk, first_pk + args.children)

    load_started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: a million queued checks at commit.
        # The rows are generated from the villages above; check_references() verifies them after.
        cursor.execute("SET LOCAL session_replication_role = replica")
        dropped = []
        if empty:
            for table in ("children_child", "children_classification"):
                for name, definition in secondary_indexes(cursor, table):
                    dropped.append((name, definition))
                    cursor.execute(f'DROP INDEX "{name}"')
        classification_chunks: list[bytes] = []
        with Makers(args, villages, today, created, used_ids, pks) as makers:
            rows = copy_rows(cursor, "children_child", CHILD_COLUMNS, makers.chunks(classification_chunks))
        child_seconds = time.perf_counter() - load_started
        print(f"children: {rows:,} rows in {child_seconds:.1f} s ({rows / child_seconds:,.0f} rows/s)")

        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('children_child', 'id'), (SELECT MAX(id) FROM children_child))"
        )
        classified = copy_rows(cursor, "children_classification", CLASSIFICATION_COLUMNS, classification_chunks)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('children_classification', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM children_classification))"
        )
        copied = time.perf_counter() - load_started
        print(f"classifications: {classified:,} rows; COPY total {copied:.1f} s")
        index_started = time.perf_counter()
        for _name, definition in dropped:
            cursor.execute(definition)
        if dropped:
            print(f"rebuilt {len(dropped)} indexes in {time.perf_counter() - index_started:.1f} s")
        check_references(cursor)

    vacuum_started = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) children_child")
        cursor.execute("VACUUM (ANALYZE) children_classification")
        cursor.execute("ANALYZE children_village")
        cursor.execute("ANALYZE children_township")
    print(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.1f} s")

    loaded = time.perf_counter() - load_started
    total = Child.objects.count()
    open_children = Classification.objects.open().values("child").distinct().count()
    print(
        f"loaded {rows:,} children + {classified:,} classifications in {loaded:.1f} s "
        f"({rows / loaded:,.0f} children/s including indexes and ANALYZE); "
        f"database now holds {total:,} children, {open_children / total:.0%} with an open category; "
        f"whole run {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()

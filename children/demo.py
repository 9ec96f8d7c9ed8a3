"""A fictitious Dingzhou-sized population for demonstrations and training (`manage.py demo_data`).

Sizes follow the bureau's own end-of-May 2022 figures (DOMAIN.md section 0). Every name, ID number,
phone and account number is made up: ID numbers carry the 130682 prefix and a valid check character,
phones are 138000xxxxx. The same seed on the same day gives the same data, and every classification
is checked against `rules.classification_problems` while it is generated.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, ProtectedError, Q

from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user

from .idnumbers import check_char
from .models import (
    Carer,
    Child,
    Classification,
    ClassificationKind,
    ParentSituation,
    PaymentAccount,
    Township,
    Village,
    add_years,
)
from .rules import classification_problems

Kind = ClassificationKind
Situation = ParentSituation.Situation
Relationship = Carer.Relationship
Father, Mother = ParentSituation.Parent.FATHER, ParentSituation.Parent.MOTHER

MARK = "【演示数据】"  # starts the note of every demo child: how --reset finds them
AUDIT_SUMMARY = "演示数据"
PASSWORD = "Dingzhou-2026"  # noqa: S105 -- the published password of the demo accounts
PREFIX = "130682"
VILLAGES_FOR_25_TOWNSHIPS = 542  # 村（社区） in Dingzhou, 2022-10 (DOMAIN.md 5.4)
INSTITUTION = "定州市儿童福利院"
INSTITUTION_TOWNSHIP = "130682001"  # 南城区街道, the seat of government
CASEWORKER_TOWNSHIP, SECOND_TOWNSHIP = "130682101", "130682102"  # 清风店镇, 庞村镇 (as in the test cast)
POLICY_62 = datetime.date(2019, 7, 1)  # 民发〔2019〕62号: de facto unsupported children from then on
POLICY_LEFT_BEHIND = datetime.date(2016, 2, 14)  # 国发〔2016〕13号
POLICY_HARDSHIP = datetime.date(2016, 6, 13)  # 国发〔2016〕36号
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Group:
    """Children generated alike; sizes are for scale 1 (DOMAIN.md section 0)."""

    key: str
    size: int
    kinds: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()
    also_disabled: int = 0  # of `size`: also hold a disability card and the DISABLED classification
    also_guardianship: int = 0  # ... also HARDSHIP_GUARDIANSHIP
    history: int = 0  # ... were de facto unsupported before the last parent died
    without_id: int = 0  # ... have no ID number yet
    duplicates: int = 0  # ... are a second, ID-less record of another child of the group


# 2,689 in 困境儿童分类保障 = 46 + 306 + 13 + 15 + 1,380 + 672 + 257; plus 46 institutional orphans
# and the 32 left-behind children not on 低保.
PLAN = (
    Group("orphan_scattered", 46, (Kind.ORPHAN_SCATTERED,), also_disabled=4, history=6, without_id=1),
    Group("orphan_institutional", 46, (Kind.ORPHAN_INSTITUTIONAL,), also_disabled=8, without_id=8),
    Group("de_facto_scattered", 300, (Kind.DE_FACTO_SCATTERED,), also_disabled=15),
    Group("de_facto_institutional", 6, (Kind.DE_FACTO_INSTITUTIONAL,)),
    Group("left_behind", 32, (Kind.LEFT_BEHIND,), ((Kind.LEFT_BEHIND, "已签订委托监护责任确认书"),)),
    Group(
        "left_behind_dibao",
        20,
        (Kind.LEFT_BEHIND, Kind.HARDSHIP_POVERTY),
        ((Kind.LEFT_BEHIND, "已签订委托监护责任确认书"), (Kind.HARDSHIP_POVERTY, "农村低保")),
    ),
    Group("extreme_poverty", 13, (Kind.HARDSHIP_POVERTY,), ((Kind.HARDSHIP_POVERTY, "特困人员救助供养"),)),
    Group("urban_dibao", 15, (Kind.HARDSHIP_POVERTY,), ((Kind.HARDSHIP_POVERTY, "城镇低保"),)),
    Group(
        "rural_dibao",
        1360,
        (Kind.HARDSHIP_POVERTY,),
        ((Kind.HARDSHIP_POVERTY, "农村低保"),),
        also_guardianship=10,
        duplicates=2,
    ),
    Group("severe_disability", 672, (Kind.DISABLED,), ((Kind.DISABLED, "重度残疾人护理补贴"),)),
    Group(
        "poor_disability",
        257,
        (Kind.DISABLED, Kind.HARDSHIP_DISABILITY),
        ((Kind.HARDSHIP_DISABILITY, "困难残疾人生活补贴"),),
    ),
)


def scaled(n: int, scale: float) -> int:
    """n at this scale, rounded half up, at least 1 when n is not 0."""
    return max(1, int(n * scale + 0.5)) if n else 0


SURNAMES = "王李张刘赵杨陈孙马高郭周吴徐郝田韩贾石梁宋崔杜曹魏齐冯牛邢谷安苏孟董吕何朱胡任侯"
SURNAME_WEIGHTS = [12, 11, 10, 9, 7, 5] + [3] * 10 + [1] * (len(SURNAMES) - 16)


def _words(text: str) -> list[str]:
    return text.split()


BOY_NAMES = _words(
    "浩然 子轩 梓豪 宇航 一鸣 俊熙 晨阳 家乐 博文 子豪 浩宇 明轩 天佑 嘉豪 宇轩 思远 泽宇 睿泽 皓轩 子墨 "
    "奕辰 铭泽 文博 志豪 梓睿 承泽 俊杰 子健 宇豪 嘉乐 晨曦 景轩 锦程 浩 阳 鑫 磊 帅 硕 凯 昊"
)
GIRL_NAMES = _words(
    "欣怡 梓涵 子涵 一诺 雨桐 诗涵 可欣 思彤 佳怡 梦琪 若汐 语嫣 雨萱 欣然 紫涵 梓萱 嘉怡 晓雪 佳琪 静怡 "
    "雅琪 语桐 思琪 梓琪 艺涵 晨曦 心怡 欣妍 雨欣 若曦 悦 萌 婷 雪 颖 璐 菲 瑶"
)
MAN_NAMES = _words("建军 志强 海涛 永刚 立新 红伟 国庆 建华 晓东 志勇 俊峰 海龙 亮 伟 军 超 磊 鹏 涛 刚 春生 振华")
WOMAN_NAMES = _words("丽娜 艳红 晓燕 红霞 海燕 素娟 丽 静 敏 娟 芳 霞 玉梅 秀芳 春燕 彩霞 淑芬 丽华 美玲 翠平")
OLD_MAN_NAMES = _words("德福 德顺 振山 文华 满仓 建国 保国 志刚 金锁 福来 玉山 国栋 树林 占魁 洪亮 长顺")
OLD_WOMAN_NAMES = _words("桂英 秀兰 淑珍 玉兰 凤英 桂兰 秀英 素梅 玉珍 淑华 翠英 秀云 凤兰 桂芝")
FOUNDLING_SURNAMES = "党国"

DIRECTIONS = "东西南北前后大小中"
VILLAGE_SUFFIXES = ["庄", "庄", "各庄", "家庄", "营", "疃", "屯", "店", "寨", "堡", ""]
SPECIAL_VILLAGES = _words("东关 西关 南关 北关 东辛庄 西辛庄 南辛庄 北辛庄 辛兴 河口 新村 东旺 西旺 庄头 北城")
COMMUNITY_CORES = _words(
    "中山 建设 兴华 文化 胜利 和平 新华 长安 博物馆 中兴 兴定 开元 东关 南关 西关 北关 东苑 清风 富强 朝阳 "
    "光明 兴隆 华府 滨河 塔院 贡院 众春园 永康"
)
COMMUNITY_FORMS = ["", "路", "街", "里", "苑"]

WORK_PLACES = _words(
    "北京市大兴区 北京市丰台区 北京市顺义区 天津市西青区 石家庄市 保定市莲池区 雄安新区 廊坊市 "
    "江苏省苏州市 广东省深圳市"
)
EVIDENCE = {
    Situation.DEAD: ["居民死亡医学证明书", "火化证明", "户籍注销证明"],
    Situation.DECLARED_MISSING: ["人民法院宣告失踪判决书"],
    Situation.UNKNOWN: ["公安机关捡拾弃婴报案证明"],
    Situation.SEVERE_DISABILITY: ["残疾人证（一级肢体）", "残疾人证（二级智力）", "残疾人证（三级精神）"],
    Situation.SERIOUS_ILLNESS: ["县级医院诊断证明（尿毒症）", "县级医院诊断证明（恶性肿瘤）"],
    Situation.IMPRISONED: ["人民法院刑事判决书及监狱在押证明"],
    Situation.DRUG_REHAB: ["强制隔离戒毒决定书"],
    Situation.RESTRICTED_LIBERTY: ["公安机关限制人身自由措施决定书"],
    Situation.LOST_CONTACT: ["公安机关失联报案回执及查找情况说明"],
    Situation.GUARDIANSHIP_REVOKED: ["人民法院撤销监护人资格判决书"],
    Situation.DEPORTED: ["公安机关遣送出境决定书"],
    Situation.INCAPABLE: ["村委会证明（长期卧床，无劳动能力）"],
    Situation.WORKING_AWAY: ["村委会证明"],
}
# (father, mother, weight): 民发〔2019〕62号 rule B (one dead or missing) and rule A (both in S).
DE_FACTO_PATTERNS = [
    (Situation.DEAD, Situation.LOST_CONTACT, 25),
    (Situation.IMPRISONED, Situation.LOST_CONTACT, 20),
    (Situation.SEVERE_DISABILITY, Situation.LOST_CONTACT, 10),
    (Situation.SERIOUS_ILLNESS, Situation.LOST_CONTACT, 6),
    (Situation.SEVERE_DISABILITY, Situation.SEVERE_DISABILITY, 6),
    (Situation.IMPRISONED, Situation.DEAD, 5),
    (Situation.DEAD, Situation.SEVERE_DISABILITY, 5),
    (Situation.DECLARED_MISSING, Situation.LOST_CONTACT, 3),
    (Situation.DRUG_REHAB, Situation.LOST_CONTACT, 3),
    (Situation.IMPRISONED, Situation.IMPRISONED, 2),
    (Situation.GUARDIANSHIP_REVOKED, Situation.LOST_CONTACT, 2),
    (Situation.RESTRICTED_LIBERTY, Situation.SEVERE_DISABILITY, 1),
    (Situation.LOST_CONTACT, Situation.DEPORTED, 1),
]
ORPHAN_PATTERNS = [
    (Situation.DEAD, Situation.DEAD, 70),
    (Situation.DEAD, Situation.DECLARED_MISSING, 15),
    (Situation.DECLARED_MISSING, Situation.DEAD, 10),
    (Situation.DECLARED_MISSING, Situation.DECLARED_MISSING, 5),
]
DISABILITY_CODES = {  # 第二代残疾人证号 = ID number + type code + grade
    Child.DisabilityType.VISUAL: "1",
    Child.DisabilityType.HEARING: "2",
    Child.DisabilityType.SPEECH: "3",
    Child.DisabilityType.PHYSICAL: "4",
    Child.DisabilityType.INTELLECTUAL: "5",
    Child.DisabilityType.MENTAL: "6",
    Child.DisabilityType.MULTIPLE: "7",
}
DISABILITY_WEIGHTS = [7, 10, 8, 25, 30, 10, 10]
NO_ID_REASONS = ["弃婴，尚未落户", "捡拾弃婴，户口正在办理", "查找生父母公告期未满，尚未落户"]
UNREGISTERED_REASON = "出生后未办理户口登记，正在补办"
DUPLICATE_REASON = "未提供户口簿，身份证号待补录"
FULL_NAMES = _words("刘晓燕 赵建华 孙立新 高丽娜 郭志勇 马素娟")


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


def demo_children():
    return Child.objects.filter(note__startswith=MARK)


def _luhn(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str(-total % 10)


class _Builder:
    """Builds unsaved rows in memory; `save` writes them with bulk_create."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)  # noqa: S311 -- fictitious data, not secrets
        self.area_rng = random.Random(f"{seed}-areas")  # noqa: S311 -- apart, so existing villages change nothing
        self.today = today
        self.used_ids = {n[:17] for n in Child.objects.exclude(id_number="").values_list("id_number", flat=True)}
        self.children: list[Child] = []
        self.situations: list[ParentSituation] = []
        self.carers: list[Carer] = []
        self.accounts: list[PaymentAccount] = []
        self.classifications: list[Classification] = []
        self.parents: dict[int, tuple[str, str, str, str]] = {}  # id(child) -> the parents' names and IDs

    # -- areas ---------------------------------------------------------------------------------
    def make_villages(self) -> int:
        townships = list(Township.objects.order_by("code"))
        existing = set(Village.objects.values_list("township_id", flat=True).distinct())
        empty = [t for t in townships if t.pk not in existing]
        if not empty:
            return 0
        urban = Township.Kind.SUBDISTRICT
        rng = self.area_rng
        sizes = [rng.randint(8, 12) if t.kind == urban else rng.randint(17, 30) for t in empty]
        target = round(VILLAGES_FOR_25_TOWNSHIPS * len(empty) / 25)
        rural = [i for i, t in enumerate(empty) if t.kind != urban] or list(range(len(empty)))
        step = 1 if sum(sizes) < target else -1
        for n in range(abs(target - sum(sizes))):
            sizes[rural[n % len(rural)]] += step
        cores = [c + f for c in COMMUNITY_CORES for f in COMMUNITY_FORMS if not (f and c[-1] in "苑园院")]
        rng.shuffle(cores)
        villages = []
        for township, size in zip(empty, sizes, strict=True):
            names: list[str] = []
            while len(names) < size:
                name = cores.pop() + "社区" if township.kind == urban else self._village_name()
                if name not in names:
                    names.append(name)
            villages += [Village(township=township, name=name) for name in names]
        Village.objects.bulk_create(villages, batch_size=500)
        return len(villages)

    def _village_name(self) -> str:
        rng = self.area_rng
        if rng.random() < 0.15:
            return rng.choice(SPECIAL_VILLAGES) + "村"
        prefix = rng.choice(DIRECTIONS) if rng.random() < 0.4 else ""
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        return f"{prefix}{surname}{rng.choice(VILLAGE_SUFFIXES)}村"

    def load_areas(self) -> None:
        self.townships = list(Township.objects.order_by("code"))
        self.villages: dict[int, list[Village]] = defaultdict(list)
        for village in Village.objects.order_by("township__code", "pk"):
            self.villages[village.township_id].append(village)
        urban = [t for t in self.townships if t.kind == Township.Kind.SUBDISTRICT]
        self.urban = urban or self.townships
        self.rural = [t for t in self.townships if t not in urban] or self.townships
        self.institution = next((t for t in self.townships if t.code == INSTITUTION_TOWNSHIP), self.urban[0])
        self.institution_account = self._account_number("62", 19)

    # -- people --------------------------------------------------------------------------------
    def _between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        if high <= low:
            return low
        return low + datetime.timedelta(days=self.rng.randint(0, (high - low).days))

    def _since(self, earliest: datetime.date) -> datetime.date:
        """A start date from `earliest` (or today, if that is later) to today."""
        return self._between(min(earliest, self.today), self.today)

    def _birth(self, min_age: int, max_age: int) -> datetime.date:
        earliest = add_years(self.today, -(max_age + 1)) + DAY
        latest = min(add_years(self.today, -min_age), self.today - datetime.timedelta(days=60))
        return self._between(earliest, latest)

    def _id_number(self, birth: datetime.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(1, 500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{PREFIX}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + check_char(first17)

    def _surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]

    def _adult(self, sex: str, born: tuple[int, int], surname: str | None = None) -> tuple[str, str]:
        """(name, id_number) of an adult born within the years `born`."""
        birth = self._between(datetime.date(born[0], 1, 1), datetime.date(born[1], 12, 31))
        old = born[0] < 1960
        given = (OLD_MAN_NAMES if old else MAN_NAMES) if sex == "M" else (OLD_WOMAN_NAMES if old else WOMAN_NAMES)
        return (surname or self._surname()) + self.rng.choice(given), self._id_number(birth, sex)

    def _phone(self) -> str:
        return f"138000{self.rng.randint(10000, 99999)}"

    def _account_number(self, prefix: str, length: int) -> str:
        body = prefix + "".join(self.rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
        return body + _luhn(body)

    # -- one child -----------------------------------------------------------------------------
    def child(self, group: Group, *, disabled=False, guardianship=False, history=False, no_id=False, twin=None):
        rng = self.rng
        key = group.key
        institutional = key in ("orphan_institutional", "de_facto_institutional")
        foundling = key == "orphan_institutional" and (no_id or rng.random() < 0.75)
        if twin is not None:
            township, village, birth, sex, name = twin.township, twin.village, twin.birth_date, twin.sex, twin.name
            surname = name[0]
        else:
            if institutional:
                township = self.institution
            elif key.startswith("left_behind") or key in ("rural_dibao", "extreme_poverty"):
                township = self._township(self.rural)
            elif key == "urban_dibao":
                township = self._township(self.urban)
            else:
                township = self._township(self.townships)
            village = rng.choice(self.villages[township.pk]) if self.villages[township.pk] else None
            min_age = 0 if foundling else (6 if history else 1)
            max_age = 15 if key.startswith("left_behind") else 17
            birth = self._birth(min_age, max_age)
            sex = "M" if rng.random() < 0.52 else "F"
            surname = rng.choice(FOUNDLING_SURNAMES) if foundling else self._surname()
            name = surname + rng.choice(BOY_NAMES if sex == "M" else GIRL_NAMES)
        urban_area = township.kind == Township.Kind.SUBDISTRICT
        rural = not institutional and (key.startswith("left_behind") or key == "rural_dibao" or not urban_area)
        if key != "urban_dibao" and urban_area and not institutional and rng.random() < 0.15:
            rural = True
        address = f"河北省定州市{township.name}{village.name if village else ''}"
        ethnicity = "回族" if ("回族" in township.name and rng.random() < 0.4) or rng.random() < 0.01 else "汉族"
        child = Child(
            name=name,
            sex=sex,
            ethnicity=ethnicity,
            birth_date=birth,
            id_number="" if no_id else self._id_number(birth, sex),
            no_id_reason="",
            hukou_type=Child.HukouType.RURAL if rural else Child.HukouType.URBAN,
            hukou_address=f"{INSTITUTION}集体户" if institutional else address,
            current_address=INSTITUTION if institutional else address,
            township=township,
            village=village,
            note=MARK,
        )
        if no_id:
            if twin is not None:
                child.no_id_reason = DUPLICATE_REASON
            elif foundling:
                child.no_id_reason = rng.choice(NO_ID_REASONS)
            else:
                child.no_id_reason = UNREGISTERED_REASON
        self._school(child, urban_area)
        if disabled or key in ("severe_disability", "poor_disability"):
            self._disability(child, severe=key == "severe_disability")
        elif rng.random() < 0.05:
            child.health_status = rng.choice([Child.HealthStatus.CHRONIC, Child.HealthStatus.SERIOUS_ILLNESS])

        situations: list[ParentSituation] = []
        father_name, father_id = self._adult("M", (birth.year - 40, birth.year - 22), surname)
        mother_name, mother_id = self._adult("F", (birth.year - 38, birth.year - 20))
        if foundling:
            father_name = father_id = mother_name = mother_id = ""
        if twin is not None:
            father_name, father_id, mother_name, mother_id = self.parents[id(twin)]
        self.parents[id(child)] = (father_name, father_id, mother_name, mother_id)
        mine: list[Classification] = []

        starts = self._parents_and_starts(group, child, situations, mine, history=history, foundling=foundling)
        if disabled and Kind.DISABLED not in starts:
            starts[Kind.DISABLED] = self._since(max(birth + 365 * DAY, POLICY_HARDSHIP))
        if guardianship:
            starts[Kind.HARDSHIP_GUARDIANSHIP] = self._since(max(birth, POLICY_HARDSHIP))

        notes = dict(group.notes)
        if guardianship:
            notes[Kind.HARDSHIP_GUARDIANSHIP] = "监护不当，列为重点巡防对象"
        for kind, start in starts.items():
            self._classify(child, situations, mine, kind, start, note=notes.get(kind, ""))
        self.children.append(child)
        self.situations += situations
        self._carer_and_account(child, group, situations, institutional=institutional)
        return child

    def _parents_and_starts(self, group, child, situations, mine, *, history, foundling) -> dict[str, datetime.date]:
        """Record both parents' situations as the group needs them; the start date of each kind."""
        rng, today, birth, key = self.rng, self.today, child.birth_date, group.key
        starts: dict[str, datetime.date] = {}
        late = today - datetime.timedelta(days=200)
        if key.startswith("orphan") and history:
            father_was = rng.choice([Situation.IMPRISONED, Situation.LOST_CONTACT, Situation.SERIOUS_ILLNESS])
            mother_died = self._between(birth, add_years(today, -3))
            self._record(child, situations, Mother, Situation.DEAD, mother_died)
            fell = self._between(birth, add_years(today, -3))
            self._record(child, situations, Father, father_was, fell)
            de_facto_from = self._between(
                max(mother_died, fell, POLICY_62) + datetime.timedelta(days=183), today - 400 * DAY
            )
            father_died = self._between(de_facto_from + 60 * DAY, today - 90 * DAY)
            self._record(child, situations, Father, Situation.DEAD, father_died)
            orphan_from = min(father_died + rng.randint(15, 60) * DAY, today)
            self._classify(
                child,
                situations,
                mine,
                Kind.DE_FACTO_SCATTERED,
                de_facto_from,
                end=orphan_from,
                note="父亲死亡，转为孤儿",
            )
            starts[group.kinds[0]] = orphan_from
        elif foundling:
            found = min(birth + rng.randint(0, 20) * DAY, today)
            self._record(child, situations, Father, Situation.UNKNOWN, found)
            self._record(child, situations, Mother, Situation.UNKNOWN, found)
            starts[group.kinds[0]] = min(found + rng.randint(60, 150) * DAY, today)
        elif key.startswith("orphan"):
            father_sit, mother_sit = self._pattern(ORPHAN_PATTERNS)
            father_date, mother_date = self._between(birth, today - 60 * DAY), self._between(birth, today - 60 * DAY)
            self._record(child, situations, Father, father_sit, father_date)
            self._record(child, situations, Mother, mother_sit, mother_date)
            starts[group.kinds[0]] = min(max(father_date, mother_date) + rng.randint(20, 120) * DAY, today)
        elif key.startswith("de_facto"):
            father_sit, mother_sit = self._pattern(DE_FACTO_PATTERNS)
            father_date, mother_date = self._between(birth, late), self._between(birth, late)
            self._record(child, situations, Father, father_sit, father_date)
            self._record(child, situations, Mother, mother_sit, mother_date)
            earliest = max(father_date + 183 * DAY, mother_date + 183 * DAY, POLICY_62)
            starts[group.kinds[0]] = self._since(earliest)
        elif key.startswith("left_behind"):
            roll = rng.random()
            father_sit = Situation.WORKING_AWAY if roll < 0.95 else Situation.INCAPABLE
            mother_sit = Situation.WORKING_AWAY
            if 0.8 <= roll < 0.95:
                mother_sit = rng.choice([Situation.INCAPABLE, Situation.SEVERE_DISABILITY, Situation.SERIOUS_ILLNESS])
            father_date, mother_date = self._between(birth, today - 60 * DAY), self._between(birth, today - 60 * DAY)
            for parent, sit, date in ((Father, father_sit, father_date), (Mother, mother_sit, mother_date)):
                away = sit == Situation.WORKING_AWAY
                self._record(child, situations, parent, sit, date, work_place=rng.choice(WORK_PLACES) if away else "")
            earliest = max(father_date, mother_date, POLICY_LEFT_BEHIND)
            for kind in group.kinds:
                starts[kind] = self._since(earliest)
        else:
            roll = rng.random()
            if key == "extreme_poverty":
                self._record(child, situations, Father, Situation.DEAD, self._between(birth, late))
                self._record(child, situations, Mother, Situation.INCAPABLE, self._between(birth, late))
            elif roll < 0.15:
                self._record(child, situations, Father, Situation.DEAD, self._between(birth, late))
                self._record(child, situations, Mother, Situation.ALIVE_ABLE, birth)
            elif roll < 0.25:
                self._record(child, situations, Father, Situation.SERIOUS_ILLNESS, self._between(birth, late))
                self._record(child, situations, Mother, Situation.ALIVE_ABLE, birth)
            else:
                self._record(child, situations, Father, Situation.ALIVE_ABLE, birth)
                self._record(child, situations, Mother, Situation.ALIVE_ABLE, birth)
            start = self._since(max(birth + 365 * DAY, POLICY_HARDSHIP))
            for kind in group.kinds:
                starts[kind] = start
        return starts

    def _record(self, child, situations, parent, situation, start, **extra) -> None:
        father_name, father_id, mother_name, mother_id = self.parents[id(child)]
        name, id_number = (father_name, father_id) if parent == Father else (mother_name, mother_id)
        if situation == Situation.DEPORTED:
            name, id_number = "阮氏" + self.rng.choice(["兰", "梅", "香"]), ""  # a foreign mother: no resident ID
        situations.append(
            ParentSituation(
                child=child,
                parent=parent,
                name=name,
                id_number=id_number,
                situation=situation,
                start_date=start,
                evidence=self.rng.choice(EVIDENCE.get(situation, [""])),
                **extra,
            )
        )

    def _township(self, pool: list[Township]) -> Township:
        return self.rng.choices(pool, weights=[len(self.villages[t.pk]) or 1 for t in pool])[0]

    def _pattern(self, patterns) -> tuple[str, str]:
        father, mother, _weight = self.rng.choices(patterns, weights=[p[2] for p in patterns])[0]
        return father, mother

    def _school(self, child: Child, urban_area: bool) -> None:
        age = child.age_on(self.today)
        township = child.township.name
        if age < 3:
            child.school_status = Child.SchoolStatus.NOT_SCHOOL_AGE
        elif age < 6:
            child.school_status = Child.SchoolStatus.PRESCHOOL
            child.school_name = f"{township}中心幼儿园"
        elif age < 15 or self.rng.random() < 0.85:
            child.school_status = Child.SchoolStatus.IN_SCHOOL
            year = min(age - 5, 12)
            child.grade = ["一", "二", "三", "四", "五", "六", "七", "八", "九"][year - 1] + "年级" if year <= 9 else ""
            if year <= 6:
                child.school_name = "定州市实验小学" if urban_area else f"{township}中心小学"
            elif year <= 9:
                child.school_name = "定州市第三中学" if urban_area else f"{township}中学"
                child.boarding = self.rng.random() < 0.3
            else:
                child.school_name = self.rng.choice(["定州中学", "定州市第二中学", "定州市职业技术教育中心"])
                child.grade = ["高一", "高二", "高三"][year - 10]
                child.boarding = self.rng.random() < 0.6
        else:
            child.school_status = self.rng.choice([Child.SchoolStatus.DROPPED_OUT, Child.SchoolStatus.NOT_IN_SCHOOL])

    def _disability(self, child: Child, *, severe: bool) -> None:
        rng = self.rng
        kind = rng.choices(list(DISABILITY_CODES), weights=DISABILITY_WEIGHTS)[0]
        grade = rng.choice([1, 2]) if severe else rng.choices([1, 2, 3, 4], weights=[10, 20, 35, 35])[0]
        child.health_status = Child.HealthStatus.DISABLED
        child.disability_type, child.disability_grade = kind, grade
        child.disability_cert_no = f"{child.id_number}{DISABILITY_CODES[kind]}{grade}"
        if child.school_status == Child.SchoolStatus.IN_SCHOOL and grade <= 2 and rng.random() < 0.5:
            child.school_name = "定州市特殊教育学校"
        elif child.school_status == Child.SchoolStatus.IN_SCHOOL and grade == 1 and rng.random() < 0.5:
            child.school_status, child.school_name, child.grade = Child.SchoolStatus.NOT_IN_SCHOOL, "", ""
            child.note = MARK + "送教上门"

    def _classify(self, child, situations, mine, kind, start, *, end=None, note=""):
        """Add a classification, after checking it against the rules exactly as the app does."""
        parents: dict[str, str | None] = {Father: None, Mother: None}
        latest: dict[str, datetime.date] = {}
        for record in situations:  # the latest started by `start`; later records win ties
            if record.start_date <= start and record.start_date >= latest.get(record.parent, datetime.date.min):
                latest[record.parent], parents[record.parent] = record.start_date, record.situation
        open_kinds = {c.kind for c in mine if c.start_date <= start and (c.end_date is None or c.end_date > start)}
        problems = classification_problems(child, kind, start, parents=parents, open_kinds=open_kinds, today=self.today)
        if problems:
            raise AssertionError(f"demo data breaks a rule for {child.name} ({kind}, {start}): {problems}")
        entry = Classification(
            child=child,
            kind=kind,
            start_date=start,
            end_date=end,
            end_reason=Classification.EndReason.SITUATION_CHANGED if end else "",
            note=note,
        )
        mine.append(entry)
        self.classifications.append(entry)

    def _carer_and_account(self, child: Child, group: Group, situations, *, institutional: bool) -> None:
        rng = self.rng
        current = {record.parent: record for record in situations}  # later records come last
        father, mother = current.get(Father), current.get(Mother)
        if institutional:
            carer = Carer(child=child, name=INSTITUTION, relationship=Relationship.INSTITUTION, is_guardian=True)
        elif mother and mother.situation == Situation.ALIVE_ABLE:
            carer = Carer(child=child, name=mother.name, id_number=mother.id_number, relationship=Relationship.MOTHER)
            carer.is_guardian = True
        elif father and father.situation == Situation.ALIVE_ABLE:
            carer = Carer(child=child, name=father.name, id_number=father.id_number, relationship=Relationship.FATHER)
            carer.is_guardian = True
        else:
            relationship = rng.choices(
                [
                    Relationship.PATERNAL_GRANDPARENT,
                    Relationship.MATERNAL_GRANDPARENT,
                    Relationship.UNCLE_AUNT,
                    Relationship.SIBLING,
                ],
                weights=[55, 25, 15, 5],
            )[0]
            year = child.birth_date.year
            born = {
                Relationship.PATERNAL_GRANDPARENT: (year - 70, year - 45),
                Relationship.MATERNAL_GRANDPARENT: (year - 70, year - 45),
                Relationship.UNCLE_AUNT: (year - 40, year - 20),
                Relationship.SIBLING: (min(year - 3, self.today.year - 25), min(year - 1, self.today.year - 19)),
            }[relationship]
            sex = "M" if rng.random() < 0.5 else "F"
            surname = child.name[0] if relationship == Relationship.PATERNAL_GRANDPARENT and sex == "M" else None
            name, id_number = self._adult(sex, born, surname)
            left_behind = group.key.startswith("left_behind")
            carer = Carer(child=child, name=name, id_number=id_number, relationship=relationship)
            carer.is_guardian = not left_behind and group.key.startswith("orphan")
            carer.note = "受委托监护人" if left_behind else ""
        if not institutional:
            carer.phone, carer.address = self._phone(), child.current_address
        self.carers.append(carer)

        if group.key == "left_behind" or rng.random() < 0.06:
            return  # no subsidy to pay, or the account is still missing (work to do)
        if institutional:
            method, bank, number = PaymentAccount.Method.INSTITUTION, "定州农商银行", self.institution_account
        else:
            roll = rng.random()
            if roll < 0.6:
                method, bank, number = PaymentAccount.Method.ONE_CARD, "定州农商银行", self._account_number("62", 19)
            elif roll < 0.75:
                bank = rng.choice(["中国工商银行", "中国农业银行", "中国建设银行"])
                method, number = PaymentAccount.Method.SOCIAL_SECURITY_CARD, self._account_number("62", 19)
            else:
                bank = rng.choice(["中国邮政储蓄银行", "中国农业银行", "中国银行", "定州农商银行"])
                method, number = PaymentAccount.Method.BANK_CARD, self._account_number("62", rng.randint(16, 19))
        self.accounts.append(
            PaymentAccount(
                child=child,
                method=method,
                payee_name=carer.name,
                payee_id_number=carer.id_number,
                payee_relationship=carer.relationship,
                bank_name=bank,
                account_number=number,
            )
        )

    # -- the whole population ------------------------------------------------------------------
    def population(self, scale: float) -> None:
        for group in PLAN:
            size = scaled(group.size, scale)
            disabled = min(scaled(group.also_disabled, scale), size)
            history = min(scaled(group.history, scale), size - disabled)
            without_id = min(scaled(group.without_id, scale), size - disabled)
            duplicates = min(scaled(group.duplicates, scale), size // 2)
            guardianship = scaled(group.also_guardianship, scale)
            for i in range(size - duplicates):
                self.child(
                    group,
                    disabled=i < disabled,
                    history=disabled <= i < disabled + history,
                    guardianship=i < guardianship,
                    no_id=i >= size - duplicates - without_id,
                )
            first = len(self.children) - (size - duplicates)
            for i in range(duplicates):
                self.child(group, no_id=True, twin=self.children[first + i])
        self._flag_likely_duplicates()

    def _flag_likely_duplicates(self) -> None:
        """As children.services does: same name, birth date and township, one of them without an ID."""
        alike = defaultdict(list)
        for child in self.children:
            alike[(child.name, child.birth_date, child.township.pk)].append(child)
        for group in alike.values():
            if len(group) > 1 and any(not c.id_number for c in group):
                for child in group:
                    child.likely_duplicate = True

    def save(self) -> None:
        Child.objects.bulk_create(self.children, batch_size=500)
        ParentSituation.objects.bulk_create(self.situations, batch_size=500)
        Carer.objects.bulk_create(self.carers, batch_size=500)
        PaymentAccount.objects.bulk_create(self.accounts, batch_size=500)
        Classification.objects.bulk_create(self.classifications, batch_size=500)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    action=AuditEntry.Action.CREATE,
                    object_type=Child._meta.model_name,
                    object_id=str(child.pk),
                    child=child,
                    summary=AUDIT_SUMMARY,
                )
                for child in self.children
            ],
            batch_size=500,
        )


@dataclass
class Result:
    created: bool
    children: int = 0
    villages: int = 0
    users: list[tuple[str, str, str]] | None = None  # (role label, username, scope)
    kept_users: list[str] | None = None  # could not be deleted by --reset (they acted)


@transaction.atomic
def make_demo_data(*, scale: float = 1.0, seed: int = 2022, today: datetime.date, reset: bool = False) -> Result:
    """Create the demo population and users once; with `reset`, wipe the earlier ones first."""
    kept: list[str] = []
    if reset:
        kept = _wipe()
    if not Township.objects.exists():
        call_command("loaddata", "dingzhou_townships", verbosity=0)
    result = Result(created=False, kept_users=kept)
    if not demo_children().exists():
        builder = _Builder(seed=seed, today=today)
        result.villages = builder.make_villages()
        builder.load_areas()
        builder.population(scale)
        builder.save()
        result.created, result.children = True, len(builder.children)
    result.users = _ensure_users(refresh=frozenset(kept))
    return result


def _wipe() -> list[str]:
    children = demo_children()
    AuditEntry.objects.filter(child__in=children).delete()
    try:
        children.delete()
    except ProtectedError as error:
        models = sorted({obj._meta.verbose_name for obj in error.protected_objects})
        raise ValueError(f"演示儿童已被其他记录引用（{'、'.join(map(str, models))}），无法自动清除。") from None
    kept = []
    for user in get_user_model().objects.filter(username__in=[u.username for u in DEMO_USERS]):
        try:
            user.delete()
        except ProtectedError:  # the audit trail keeps what this user did; reset the account instead
            kept.append(user.username)
    return kept


def _ensure_users(refresh: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows = []
    for n, spec in enumerate(DEMO_USERS):
        township = Township.objects.filter(code=spec.township).first() if spec.township else None
        villages = _busiest_villages(township, spec.villages) if township and spec.villages else []
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


def _busiest_villages(township: Township, n: int) -> list[Village]:
    """The n villages of the township with the most demo children (so the caseworker sees some)."""
    return list(
        Village.objects.filter(township=township)
        .annotate(n=Count("children", filter=Q(children__note__startswith=MARK)))
        .order_by("-n", "pk")[:n]
    )


def counts_by_kind() -> Counter:
    """Open classifications of demo children per kind."""
    rows = Classification.objects.open().filter(child__note__startswith=MARK).values_list("kind", flat=True)
    return Counter(rows)

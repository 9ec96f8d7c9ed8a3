"""The children themselves, group by group, with schooling and disability; `save` writes every row at once."""

from collections import defaultdict

from dingzhou_welfare.audit import chained
from dingzhou_welfare.models import AuditEntry

from ..models import Carer, Child, Classification, ParentSituation, PaymentAccount, Township, Village
from .carers import Carers
from .families import Families
from .plan import (
    AUDIT_SUMMARY,
    DAY,
    INSTITUTION,
    INSTITUTION_TOWNSHIP,
    MARK,
    PLAN,
    POLICY_HARDSHIP,
    Group,
    Kind,
    scaled,
)
from .words import (
    BOY_NAMES,
    DISABILITY_CODES,
    DISABILITY_WEIGHTS,
    DUPLICATE_REASON,
    FOUNDLING_SURNAMES,
    GIRL_NAMES,
    NO_ID_REASONS,
    UNREGISTERED_REASON,
)


class Builder(Families, Carers):
    """Builds unsaved rows in memory; `save` writes them with bulk_create."""

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

    def _township(self, pool: list[Township]) -> Township:
        return self.rng.choices(pool, weights=[len(self.villages[t.pk]) or 1 for t in pool])[0]

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
        rows = chained(
            [
                {
                    "action": AuditEntry.Action.CREATE,
                    "object_type": Child._meta.model_name,
                    "object_id": str(child.pk),
                    "child_id": child.pk,
                    "summary": AUDIT_SUMMARY,
                }
                for child in self.children
            ]
        )
        AuditEntry.objects.bulk_create([AuditEntry(**row) for row in rows], batch_size=500)

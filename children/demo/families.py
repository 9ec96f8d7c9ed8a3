"""Parents' situations and the classification history they lead to, each entry checked against the rules."""

import datetime

from ..models import Classification, ParentSituation, add_years
from ..rules import MIN_MONTHS, TERMED, classification_problems, next_review_after, shift_months, situation_counts
from .people import People
from .plan import DAY, POLICY_62, POLICY_HARDSHIP, POLICY_LEFT_BEHIND, Father, Kind, Mother, Situation
from .words import DE_FACTO_PATTERNS, EVIDENCE, ORPHAN_PATTERNS, WORK_PLACES

REVIEWS_LEFT_OVERDUE = datetime.timedelta(days=42)


class Families(People):
    """The parents of each child, and the kinds and start dates that follow from them."""

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
                max(shift_months(mother_died, MIN_MONTHS), shift_months(fell, MIN_MONTHS), POLICY_62), today - 400 * DAY
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
            earliest = max(shift_months(father_date, MIN_MONTHS), shift_months(mother_date, MIN_MONTHS), POLICY_62)
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
        if situation in TERMED:
            # Sentences of one to eight years; every tenth record as if entered before the term was asked for.
            extra.setdefault("term_months", None if start.toordinal() % 10 == 0 else 12 * (1 + start.toordinal() % 8))
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

    def _pattern(self, patterns) -> tuple[str, str]:
        father, mother, _weight = self.rng.choices(patterns, weights=[p[2] for p in patterns])[0]
        return father, mother

    def _next_review(self, kind, start: datetime.date) -> datetime.date:
        """The annual review cycle from the start; the last six weeks' anniversaries are left overdue."""
        due = next_review_after(kind, start)
        while due < self.today - REVIEWS_LEFT_OVERDUE:
            due = next_review_after(kind, due)
        return due

    def _classify(self, child, situations, mine, kind, start, *, end=None, note=""):
        """Add a classification, after checking it against the rules exactly as the app does."""
        parents: dict[str, str | None] = {Father: None, Mother: None}
        latest: dict[str, datetime.date] = {}
        for record in situations:  # the latest started by `start`; later records win ties
            if record.start_date <= start and record.start_date >= latest.get(record.parent, datetime.date.min):
                latest[record.parent] = record.start_date
                parents[record.parent] = situation_counts(
                    record.situation, record.start_date, record.term_months, start
                )
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
            next_review=None if end else self._next_review(kind, start),
        )
        mine.append(entry)
        self.classifications.append(entry)

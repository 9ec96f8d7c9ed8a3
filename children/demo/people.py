"""The builder's state and its makers of people: dates, ID numbers, names, phones, account numbers."""

import datetime
import random

from dingzhou_welfare.idnumbers import check_char

from ..models import Carer, Child, Classification, ParentSituation, PaymentAccount, add_years
from .plan import DAY, PREFIX
from .words import MAN_NAMES, OLD_MAN_NAMES, OLD_WOMAN_NAMES, SURNAME_WEIGHTS, SURNAMES, WOMAN_NAMES


def _luhn(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str(-total % 10)


class People:
    """Unsaved rows built in memory, and the random choices that make people; the same seed, the same people."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)  # noqa: S311 -- fictitious data, not secrets
        self.today = today
        self.used_ids = {n[:17] for n in Child.objects.exclude(id_number="").values_list("id_number", flat=True)}
        self.children: list[Child] = []
        self.situations: list[ParentSituation] = []
        self.carers: list[Carer] = []
        self.accounts: list[PaymentAccount] = []
        self.classifications: list[Classification] = []
        self.parents: dict[int, tuple[str, str, str, str]] = {}  # id(child) -> the parents' names and IDs

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

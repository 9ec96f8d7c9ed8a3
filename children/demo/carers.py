"""Who looks after each child (监护人 or 受委托人), and the account the subsidy is paid into."""

from ..models import Carer, Child, PaymentAccount
from .people import People
from .plan import INSTITUTION, Father, Group, Mother, Relationship, Situation


class Carers(People):
    """The carer of each child, and the payment account of those the bureau pays."""

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

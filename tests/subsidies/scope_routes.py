"""The change list and bank-return routes in the every-URL walk (tests/dingzhou_welfare/test_scope.py,
see tests/scope_support.py).

The national change list (增减员名册) is for everyone who works on the registry; bank returns and the
reconciliation are county-level: staff and the leader read them, only staff upload, confirm, retry or
mark an account as checked. The uploads' own refusals are in tests/subsidies/test_bank_returns_pages.py.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidies.bank import returns
from subsidies.models import BankPayment, BankReturnLayout, Batch
from tests.scope_support import Case

APRIL = datetime.date(2026, 4, 1)

ROUTES = {
    "subsidies:change_list": Case({"get": 200}, "registry"),
    "subsidies:change_list_download": Case({"get": 200}, "registry"),
    "subsidies:bank_returns": Case({"get": 200}, "county"),
    "subsidies:batch_reconciliation": Case({"get": 200}, "county"),
    "subsidies:reconciliation": Case({"get": 200}, "county"),
    "subsidies:return_job": Case({"get": 200}, "county"),
    "subsidies:return_confirm": Case({"post": 302}, "staff"),  # not ready yet: a warning, nothing changed
    "subsidies:return_retry": Case({"post": 302}, "staff"),
    "subsidies:payment_account_confirmed": Case({"post": 302}, "staff"),  # not a return: nothing changed
}


def prepare(target, *, child_name, staff):
    """April's batch (sent to the bank by the cast) with one uploaded return file, not yet checked, and
    one payment of the child's that the bank paid."""
    batch = Batch.objects.get(month=APRIL)
    upload = SimpleUploadedFile("回盘.csv", "序号,银行账号\n".encode(), content_type="text/csv")
    target["return_job"] = returns.start_return(
        batch=batch, layout=BankReturnLayout.objects.get(code="generic"), upload=upload, actor=staff, queue=False
    )
    child = target["child"]
    target["bank_payment"] = BankPayment.objects.create(
        batch=batch,
        seq=child.pk,
        reference=f"WALK{child.pk:06d}",
        child=child,
        township=child.township,
        account_number=f"621700001234{child.pk:06d}",
        payee_name="王桂兰",
        amount=Decimal("600.00"),
        status=BankPayment.Status.PAID,
    )


def url_kwargs(name, target):
    if name == "subsidies:change_list_download":
        return {"month": datetime.date(2026, 5, 1)}
    if name in ("subsidies:bank_returns", "subsidies:batch_reconciliation"):
        return {"month": APRIL}
    if name in ("subsidies:return_job", "subsidies:return_confirm", "subsidies:return_retry"):
        return {"pk": target["return_job"].pk}
    if name == "subsidies:payment_account_confirmed":
        return {"pk": target["bank_payment"].pk}
    return {}

"""Each line's paid status in the API from the bank's returns (issue 15 items 2 and 4): 待送银行,
已送银行（待回盘）, 已发放, 退票 with the bank's reason, 已重发; the 重发 line of the next batch naming the
line it pays again; a constant number of queries a page; the values described in the schema."""

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Line
from subsidies.problems import waive_problem
from tests.subsidies import returns_support as support
from tests.subsidies.returns_support import M, import_file, rows_for, send, xlsx

from .conftest import api_for

draft = support.draft  # April for child_a, child_a2 (no account) and child_b, computed

pytestmark = pytest.mark.django_db
A, B = "6217000012345678", "6217000099998888"


def approve(batch, actor):
    if batch.problems.filter(kind="no_account").exists():
        waive_problem(batch=batch, kind="no_account", reason="账户待补录", actor=actor)
    return approve_batch(batch=batch, actor=actor)


def served(token, month="2026-04", **query) -> dict[int, dict]:
    """Line id -> the line as served, over every page."""
    url = reverse("api:batch_lines", args=[month]) + "".join(f"?{k}={v}" for k, v in query.items())
    lines = {}
    while url:
        body = api_for(token).get(url).json()
        lines.update((line["id"], line) for line in body["results"])
        url = body["next"]
    return lines


def of(lines: dict[int, dict], child) -> list[dict]:
    return [line for line in lines.values() if line["child_id"] == child.pk]


@pytest.fixture
def april(draft, staff2):
    return approve(draft, staff2)


def test_each_line_from_approval_to_the_bank_and_its_return(april, staff, masked_client, child_a, child_a2, child_b):
    _client, token = masked_client
    lines = served(token)
    assert len(lines) == Line.objects.filter(batch=april).count()
    assert {line["paid_status"] for line in lines.values()} == {"to_send"}

    send(april, staff)
    lines = served(token)
    assert {line["paid_status"] for line in of(lines, child_a) + of(lines, child_b)} == {"sent"}
    assert {line["paid_status_display"] for line in of(lines, child_a)} == {"已送银行（待回盘）"}
    assert {line["paid_status"] for line in of(lines, child_a2)} == {"not_sent"}  # no account: not in the file

    job = import_file(april, staff, xlsx(rows_for(april, {A: ("成功", ""), B: ("失败", "户名不符")})))
    assert job.status == "done", job.errors or job.error
    lines = served(token)
    paid, returned = of(lines, child_a), of(lines, child_b)
    assert paid and returned
    assert {(x["paid_status"], x["paid_status_display"], x["returned_reason"]) for x in paid} == {
        ("paid", "已发放", None)
    }
    assert {
        (x["paid_status"], x["paid_status_display"], x["returned_reason"], x["returned_reason_display"])
        for x in returned
    } == {("returned", "退票", "name_mismatch", "户名不符")}
    assert {x["bank_reason"] for x in returned} == {"户名不符"}
    assert {x["reissued_by"] for x in returned} == {None}
    assert {line["paid_status"] for line in of(lines, child_a2)} == {"not_sent"}


def test_a_returned_line_is_reissued_in_the_next_batch_as_重发(april, staff, staff2, masked_client, child_a, child_b):
    send(april, staff)
    import_file(april, staff, xlsx(rows_for(april, {A: ("成功", ""), B: ("失败", "账户不存在")})))
    child_b.payment_account.account_number = "6217000055556666"
    child_b.payment_account.save()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    _client, token = masked_client

    # May is only a draft: April's returned lines are not paid again yet.
    assert {x["paid_status"] for x in of(served(token), child_b)} == {"returned"}

    may = approve(may, staff2)
    originals = {line.pk: line for line in Line.objects.filter(batch=april, child=child_b)}
    in_may = served(token, "2026-05")
    reissues = [line for line in in_may.values() if line["kind"] == "reissue"]
    assert {line["reissue_of"] for line in reissues} == set(originals)
    assert {(x["kind_display"], x["reissue_of_batch_number"], x["child_id"]) for x in reissues} == {
        ("重发", april.number, child_b.pk)
    }
    assert {x["paid_status"] for x in reissues} == {"to_send"}
    assert all(x["reissue_of"] is None for x in in_may.values() if x["kind"] != "reissue")

    in_april = of(served(token), child_b)
    assert {
        (x["paid_status"], x["paid_status_display"], x["returned_reason"], x["reissued_in_batch_number"])
        for x in in_april
    } == {("reissued", "已重发", "no_account", may.number)}
    by_reissue = {x["reissue_of"]: x["id"] for x in reissues}
    assert {x["id"]: x["reissued_by"] for x in in_april} == {pk: by_reissue[pk] for pk in originals}
    # child_a's April lines are untouched by child_b's return.
    assert {x["paid_status"] for x in of(served(token), child_a)} == {"paid"}


def test_lines_with_every_status_page_at_a_constant_number_of_queries(april, staff, masked_client):
    send(april, staff)
    import_file(april, staff, xlsx(rows_for(april, {A: ("成功", ""), B: ("失败", "户名不符")})))
    _client, token = masked_client
    caller = api_for(token)
    caller.get(reverse("api:batches"))  # the first call of the minute writes last_used

    def queries_for(url):
        counts, statuses = [], set()
        while url:
            with CaptureQueriesContext(connection) as queries:
                body = caller.get(url).json()
            counts.append(len(queries))
            statuses |= {line["paid_status"] for line in body["results"]}
            url = body["next"]
        return counts, statuses

    base = reverse("api:batch_lines", args=["2026-04"])
    small, statuses = queries_for(base + "?page_size=2")
    assert statuses == {"paid", "returned", "not_sent"}
    assert len(small) >= 4 and len(set(small)) == 1, small
    whole, _ = queries_for(base + "?page_size=100")
    assert whole == small[:1]


def test_the_schema_describes_the_paid_statuses_and_line_kinds(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schemas = yaml.safe_load(out.read_text(encoding="utf-8"))["components"]["schemas"]
    assert schemas["PaidStatusEnum"]["enum"] == ["to_send", "sent", "paid", "returned", "reissued", "not_sent"]
    assert "reissue" in schemas["LineKindEnum"]["enum"]
    assert "name_mismatch" in schemas["ReturnedReasonEnum"]["enum"]
    line = schemas["Line"]["properties"]
    for name in ("paid_status", "returned_reason", "bank_reason", "reissue_of", "reissued_in_batch_number"):
        assert name in line
    assert "已重发" in line["paid_status"]["description"]

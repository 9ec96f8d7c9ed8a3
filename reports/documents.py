"""The printed documents: one `render_<thing>_pdf(...) -> bytes` per document (STYLE.md 10).

The page, the Celery task and the `print_report` command call the same functions, so a document
looks the same wherever it is made:

- `render_monthly_report_pdf(report)`: the monthly report (儿童福利工作月报) from `figures.compute_report`;
- `render_case_file_pdf(child, masked=...)`: one child's case file (一人一档);
- `render_roster_pdf(batch, township, masked=...)`: a township's roster of a month for signatures;
- `write_case_files_zip(township, out, ...)`: every case file of a township, one PDF per child, in a ZIP.

Personal data is masked unless `masked=False`, which only a user who may reveal it gets (the views
decide, and audit it).
"""

import datetime
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child, Township
from children.rules import situations_on
from dingzhou_welfare.idnumbers import mask_account, mask_id_number, mask_phone
from dingzhou_welfare.pdf import render_pdf
from subsidies.models import Batch, Enrolment, Line

from . import case_sections, sections
from .charts import report_charts
from .figures import DEFINITIONS, Period, Report, Scope, compute_report
from .figures.money import PAID_BATCH
from .glossary import CLASSIFIED_PROTECTION, GLOSSARY, INSTITUTIONAL

ZERO = Decimal("0.00")
CASE_FILE_PAYMENT_MONTHS = 24  # payment lines listed one by one; earlier years are summed per year


def day_label(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def month_label(month: datetime.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": month.year, "m": month.month}


# ---------------------------------------------------------------------------------------------
# The monthly report


def build_monthly_report(period: Period, scope: Scope) -> Report:
    """The report's figures with every section the installed apps provide (visits, agreements, adoption)."""
    return compute_report(period, scope, sections=sections.available())


def monthly_report_title(report: Report) -> str:
    return _("%(scope)s儿童福利工作月报（%(period)s）") % {"scope": report.scope.label, "period": report.period.label}


def monthly_report_context(report: Report) -> dict:
    return {
        "report": report,
        "title": monthly_report_title(report),
        "bureau": report.bureau_paragraph(),
        "summary": report.summary(),
        "charts": report_charts(report),
        "definitions": [str(d) for d in DEFINITIONS],
        "glossary": GLOSSARY,
        "terms": {"protection": CLASSIFIED_PROTECTION, "institutional": INSTITUTIONAL},
        "computed_at": timezone.localtime(report.computed_at),
        "today": timezone.localdate(),
    }


def render_monthly_report_pdf(report: Report) -> bytes:
    return render_pdf("reports/pdf/monthly.html", monthly_report_context(report))


def monthly_report_file_name(report: Report) -> str:
    return _("儿童福利工作月报-%(scope)s-%(period)s.pdf") % {"scope": report.scope.label, "period": report.period.slug}


# ---------------------------------------------------------------------------------------------
# The case file


def mask_address(value: str) -> str:
    """Keep the first few characters (the township or village), hide the house."""
    if not value:
        return ""
    keep = min(6, max(len(value) // 2, 1))
    return value[:keep] + "****"


@dataclass
class Masker:
    masked: bool = True

    def id(self, value: str) -> str:
        return mask_id_number(value) if self.masked else value

    def account(self, value: str) -> str:
        return mask_account(value) if self.masked else value

    def phone(self, value: str) -> str:
        return mask_phone(value) if self.masked else value

    def address(self, value: str) -> str:
        return mask_address(value) if self.masked else value


@dataclass
class YearPaid:
    year: int
    normal: Decimal = ZERO
    arrears: Decimal = ZERO
    adjustments: Decimal = ZERO
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return self.normal + self.arrears + self.adjustments


@dataclass
class CaseFile:
    child: Child
    age: int
    today: datetime.date
    masker: Masker
    parents_now: dict
    parent_situations: list
    carers: list
    account: object
    classifications: list
    enrolments: list
    recent_lines: list
    years: list[YearPaid]
    paid_total: Decimal
    older_lines: int
    sections: list = field(default_factory=list)


def case_file(child: Child, *, masked: bool = True, today: datetime.date | None = None) -> CaseFile:
    """Everything the case file prints about one child, in a bounded number of queries."""
    today = today or timezone.localdate()
    child = (
        Child.objects.select_related("township", "village", "payment_account")
        .prefetch_related("parent_situations", "carers")
        .get(pk=child.pk)
    )
    paid = Line.objects.filter(child=child, batch__status__in=PAID_BATCH)
    years = [
        YearPaid(
            row["batch__month__year"],
            row["normal"] or ZERO,
            row["arrears"] or ZERO,
            row["adjustments"] or ZERO,
            row["lines"],
        )
        for row in paid.values("batch__month__year")
        .annotate(
            normal=Sum("amount", filter=Q(kind=Line.Kind.NORMAL)),
            arrears=Sum("amount", filter=Q(kind=Line.Kind.ARREARS)),
            adjustments=Sum("amount", filter=Q(kind=Line.Kind.ADJUSTMENT)),
            lines=Count("id"),
        )
        .order_by("-batch__month__year")
    ]
    recent = list(
        paid.select_related("batch", "programme").order_by("-batch__month", "programme__display_order", "period", "id")[
            : CASE_FILE_PAYMENT_MONTHS * 3
        ]
    )
    cutoff = None
    months = sorted({line.batch.month for line in recent}, reverse=True)
    if len(months) > CASE_FILE_PAYMENT_MONTHS:
        cutoff = months[CASE_FILE_PAYMENT_MONTHS - 1]
        recent = [line for line in recent if line.batch.month >= cutoff]
    total_lines = sum(y.lines for y in years)
    account = getattr(child, "payment_account", None)
    record = CaseFile(
        child=child,
        age=child.age_on(today),
        today=today,
        masker=Masker(masked),
        parents_now=situations_on(child, today),
        parent_situations=sorted(child.parent_situations.all(), key=lambda p: (p.parent, p.start_date, p.pk)),
        carers=list(child.carers.all()),
        account=account,
        classifications=list(child.classifications.order_by("start_date", "id")),
        enrolments=list(
            Enrolment.objects.filter(child=child)
            .select_related("programme", "confirmed_by")
            .order_by("applied_on", "id")
        ),
        recent_lines=recent,
        years=years,
        paid_total=sum((y.total for y in years), ZERO),
        older_lines=total_lines - len(recent),
    )
    for build in case_sections.case_file_sections():
        section = build(child, masked=masked, today=today)
        if section is not None:
            record.sections.append(section)
    return record


def case_file_context(record: CaseFile, *, printed_by=None) -> dict:
    m = record.masker
    child = record.child
    return {
        "file": record,
        "child": child,
        "title": _("儿童档案（一人一档）：%(name)s") % {"name": child.name},
        "id_number": m.id(child.id_number),
        "disability_cert_no": m.id(child.disability_cert_no),
        "hukou_address": m.address(child.hukou_address),
        "current_address": m.address(child.current_address),
        "parents": [{"record": p, "id_number": m.id(p.id_number)} for p in record.parent_situations],
        "carers": [
            {"carer": c, "id_number": m.id(c.id_number), "phone": m.phone(c.phone), "address": m.address(c.address)}
            for c in record.carers
        ],
        "account": record.account,
        "account_number": m.account(record.account.account_number) if record.account else "",
        "payee_id_number": m.id(record.account.payee_id_number) if record.account else "",
        "masked": m.masked,
        "printed_by": printed_by,
        "today": record.today,
    }


def render_case_file_pdf(child: Child, *, masked: bool = True, printed_by=None) -> bytes:
    record = case_file(child, masked=masked)
    return render_pdf("reports/pdf/case_file.html", case_file_context(record, printed_by=printed_by))


def case_file_name(child: Child, *, masked: bool = True) -> str:
    tail = "" if masked else _("-完整号码")
    return _("一人一档-%(name)s-%(pk)d%(tail)s.pdf") % {"name": child.name, "pk": child.pk, "tail": tail}


def write_case_files_zip(
    township: Township,
    out,
    *,
    masked: bool = True,
    printed_by=None,
    progress: Callable[[int], None] | None = None,
    active_only: bool = True,
) -> int:
    """Every case file of a township into a ZIP at `out` (one PDF per child, by village); returns the count.

    One child at a time, so memory stays flat however big the township is.
    """
    children = Child.objects.filter(township=township).select_related("village").order_by("village__name", "name", "pk")
    if active_only:
        children = children.filter(status=Child.Status.ACTIVE)
    done = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for child in children.iterator(chunk_size=200):
            folder = child.village.name if child.village else _("未填村")
            name = f"{township.name}/{folder}/{child.name}-{child.pk}.pdf"
            archive.writestr(name, render_case_file_pdf(child, masked=masked, printed_by=printed_by))
            done += 1
            if progress is not None and done % 10 == 0:
                progress(done)
    if progress is not None:
        progress(done)
    return done


# ---------------------------------------------------------------------------------------------
# The roster for signature


ROSTER_ORDER = ("village_name", "child__name", "child_id", "programme__display_order", "period", "kind", "id")


@dataclass
class RosterTotals:
    children: int = 0
    lines: int = 0
    normal: Decimal = ZERO
    arrears: Decimal = ZERO
    adjustments: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.normal + self.arrears + self.adjustments


def roster_rows(batch: Batch, township: Township, *, masked: bool = True, progress=None):
    """One row per child (their lines beside each other), in village order, with the village's subtotal after it."""
    lines = (
        Line.objects.filter(batch=batch, township=township)
        .order_by(*ROSTER_ORDER)
        .values(
            "child_id",
            "child__name",
            "child__id_number",
            "village_name",
            "programme__name",
            "period",
            "kind",
            "standard",
            "amount",
            "payee_name",
            "payee_relationship",
            "bank_name",
            "account_number",
            "note",
        )
    )
    m = Masker(masked)
    rows, totals, village_totals = [], RosterTotals(), {}
    current = None
    seq = 0
    for n, line in enumerate(lines.iterator(chunk_size=2000), start=1):
        village = line["village_name"] or _("未填村")
        sub = village_totals.setdefault(village, RosterTotals())
        if current is None or current["child_id"] != line["child_id"]:
            seq += 1
            current = {
                "seq": seq,
                "child_id": line["child_id"],
                "village": village,
                "name": line["child__name"],
                "id_number": m.id(line["child__id_number"]),
                "payee": line["payee_name"],
                "relationship": _relationship(line["payee_relationship"]),
                "bank": line["bank_name"],
                "account": m.account(line["account_number"]),
                "items": [],
                "total": ZERO,
            }
            rows.append(current)
            totals.children += 1
            sub.children += 1
        current["items"].append(
            {
                "programme": line["programme__name"],
                "period": line["period"],
                "kind": Line.Kind(line["kind"]).label,
                "amount": line["amount"],
                "note": line["note"],
            }
        )
        current["total"] += line["amount"]
        for t in (totals, sub):
            t.lines += 1
            if line["kind"] == Line.Kind.NORMAL:
                t.normal += line["amount"]
            elif line["kind"] == Line.Kind.ARREARS:
                t.arrears += line["amount"]
            else:
                t.adjustments += line["amount"]
        if progress is not None and n % 2000 == 0:
            progress(n)
    return rows, totals, village_totals


def _relationship(value: str) -> str:
    from children.models import Carer

    try:
        return str(Carer.Relationship(value).label)
    except ValueError:
        return value


def roster_context(batch: Batch, township: Township, *, masked: bool = True, printed_by=None, progress=None) -> dict:
    rows, totals, villages = roster_rows(batch, township, masked=masked, progress=progress)
    return {
        "batch": batch,
        "township": township,
        "rows": rows,
        "totals": totals,
        "villages": sorted(villages.items()),
        "masked": masked,
        "title": roster_title(batch, township),
        "printed_by": printed_by,
        "today": timezone.localdate(),
        "bureau": settings.BUREAU_NAME,
    }


def roster_title(batch: Batch, township: Township) -> str:
    return _("%(t)s%(m)s儿童福利资金发放花名册") % {"t": township.name, "m": month_label(batch.month)}


def render_roster_pdf(
    batch: Batch, township: Township, *, masked: bool = True, printed_by=None, progress=None
) -> bytes:
    return render_pdf(
        "reports/pdf/roster.html",
        roster_context(batch, township, masked=masked, printed_by=printed_by, progress=progress),
    )


def roster_file_name(batch: Batch, township: Township, *, masked: bool = True) -> str:
    tail = "" if masked else _("-完整号码")
    return _("发放花名册-%(t)s-%(m)s%(tail)s.pdf") % {"t": township.name, "m": f"{batch.month:%Y-%m}", "tail": tail}

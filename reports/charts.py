"""Small SVG charts drawn on the server: the same markup on the dashboard and in the PDFs.

No chart library and no script: a chart is a string of SVG with its numbers written beside the
bars, so it prints, reads without colour and works offline. Text is escaped; sizes are in the
viewBox's units and the chart scales to the width of its container.
"""

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Zen Hei, sans-serif"
BAR = "#2f6f9f"
BAR_PENDING = "#b9c7d3"
AXIS = "#555"
TEXT = "#222"
SIZE = 13  # text size in the viewBox's units: the chart is drawn narrow enough to show it at 13 px or more
ROW = 26
BAR_LENGTH = 150  # the longest bar; with the labels and values the chart is about 330 units wide
VALUE_SPACE = 8


def _text_width(text: str, size: float) -> float:
    """Rough width of a label: CJK characters are square, others about half as wide."""
    return sum(size if ord(c) > 0x2E80 else size * 0.55 for c in text)


def _attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def _svg(width: float, height: float, title: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{_attr(title)}" '
        f'font-family="{FONT}" font-size="{SIZE}">'
    )
    return mark_safe(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")  # noqa: S308 - escaped above


def _bars(rows: list[tuple[str, float, str, str]], *, title: str) -> SafeString:
    """One horizontal bar per row with its value written at the end of the bar and a note after it.

    `rows`: (label, length from 0 to 1, value text, note); a row with a note is drawn pale (not final).
    About 330 units wide, so that on a phone (a 340 px box) it is drawn at full size and its text
    stays at 13 px; on a desktop it grows with its box.
    """
    label_width = max((_text_width(label, SIZE) for label, *_rest in rows), default=40) + 10
    value_width = max((_text_width(f"{value} {note}".strip(), SIZE) for _l, _f, value, note in rows), default=30)
    width = label_width + BAR_LENGTH + VALUE_SPACE + value_width + 4
    height = len(rows) * ROW + 8
    body = []
    for i, (label, fraction, value, note) in enumerate(rows):
        y = 4 + i * ROW
        length = BAR_LENGTH * max(0.0, min(1.0, fraction))
        baseline = y + ROW / 2 + SIZE * 0.35
        body.append(
            f'<text x="{label_width - 8:.1f}" y="{baseline:.1f}" text-anchor="end" fill="{TEXT}">{escape(label)}</text>'
        )
        if length > 0:
            body.append(
                f'<rect x="{label_width:.1f}" y="{y + 4:.1f}" width="{max(length, 1):.1f}" '
                f'height="{ROW - 8}" fill="{BAR_PENDING if note else BAR}"/>'
            )
        body.append(
            f'<text x="{label_width + length + 5:.1f}" y="{baseline:.1f}" fill="{TEXT}">{escape(value)}'
            + (f' <tspan fill="{AXIS}">{escape(note)}</tspan>' if note else "")
            + "</text>"
        )
    axis = f'x1="{label_width:.1f}" y1="2" x2="{label_width:.1f}" y2="{height - 2}"'
    body.append(f'<line {axis} stroke="{AXIS}" stroke-width="1"/>')
    return _svg(width, height, title, body)


def horizontal_bars(items: list[tuple[str, int]], *, title: str, unit: str = "") -> SafeString:
    """Counts by label (children by classification), each count at the end of its bar."""
    top = max((n for _label, n in items), default=0) or 1
    return _bars([(label, n / top, f"{n:,}{unit}", "") for label, n in items], title=title)


def month_bars(items: list[tuple[str, Decimal, str]], *, title: str, unit_label: str) -> SafeString:
    """Money by month: one bar per month in 万元, its value at the end; unpaid months pale with their note.

    `items`: (month label, amount in yuan, note): the note is empty for a month with an approved batch.
    The months run down the chart, so that a year of them reads on a phone as on a desktop.
    """
    amounts = [amount / Decimal(10000) for _label, amount, _note in items]
    top = max(amounts, default=Decimal(0)) or Decimal(1)
    rows = [
        (label, float(wan / top), f"{wan.quantize(Decimal('0.01')):,}{unit_label}", note)
        for (label, _amount, note), wan in zip(items, amounts, strict=True)
    ]
    return _bars(rows, title=title)


def report_charts(report) -> dict[str, SafeString]:
    """The report's two charts: children by classification, money by month."""
    kinds = horizontal_bars(
        [(row.label, row.flow.end) for row in report.kinds],
        title=_("期末各类别儿童人数"),
        unit=_("人"),
    )
    months = month_bars(
        [
            (
                _("%(y)02d年%(m)d月") % {"y": m.month.year % 100, "m": m.month.month}
                if i == 0 or m.month.month == 1
                else _("%(m)d月") % {"m": m.month.month},
                m.money.total if m.paid else m.pending,
                "" if m.paid else (_("未审批") if m.status else _("无批次")),
            )
            for i, m in enumerate(report.months)
        ],
        title=_("各月发放金额"),
        unit_label=_("万元"),
    )
    return {"kinds": kinds, "months": months}

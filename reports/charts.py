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


def _text_width(text: str, size: float) -> float:
    """Rough width of a label: CJK characters are square, others about half as wide."""
    return sum(size if ord(c) > 0x2E80 else size * 0.55 for c in text)


def _attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def _svg(width: float, height: float, title: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{_attr(title)}" '
        f'font-family="{FONT}" font-size="12">'
    )
    return mark_safe(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")  # noqa: S308 - escaped above


def horizontal_bars(items: list[tuple[str, int]], *, title: str, unit: str = "") -> SafeString:
    """One bar per label, the count at the end of each bar (counts by classification)."""
    size, row, gap = 12, 22, 6
    label_width = max((_text_width(label, size) for label, _n in items), default=40) + 10
    value_width = 70
    bar_width = 380
    width = label_width + bar_width + value_width
    height = len(items) * row + 8
    top = max((n for _label, n in items), default=0) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = 4 + i * row
        length = bar_width * n / top
        body.append(
            f'<text x="{label_width - 8:.1f}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
        if n:
            body.append(
                f'<rect x="{label_width:.1f}" y="{y + gap / 2:.1f}" width="{max(length, 1):.1f}" '
                f'height="{row - gap}" fill="{BAR}"/>'
            )
        body.append(
            f'<text x="{label_width + length + 5:.1f}" y="{y + row / 2 + 4:.1f}" fill="{TEXT}">'
            f"{n:,}{escape(unit)}</text>"
        )
    axis = f'x1="{label_width:.1f}" y1="2" x2="{label_width:.1f}" y2="{height - 2}"'
    body.append(f'<line {axis} stroke="{AXIS}" stroke-width="1"/>')
    return _svg(width, height, title, body)


def _nice_top(value: Decimal) -> Decimal:
    """A round number at least `value` for the top of the axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def month_bars(items: list[tuple[str, Decimal, str]], *, title: str, unit_label: str) -> SafeString:
    """Money by month: one bar per month in 万元 with its value above it; a note under unpaid months.

    `items`: (month label, amount in yuan, note): the note is empty for a month with an approved batch.
    """
    size = 11
    left, right, top_margin, bottom = 52, 10, 22, 40
    slot = 46
    plot_height = 170
    width = left + right + slot * max(len(items), 1)
    height = top_margin + plot_height + bottom
    amounts = [amount / Decimal(10000) for _label, amount, _note in items]
    top = _nice_top(max(amounts, default=Decimal(0)))
    body = [
        f'<text x="{left}" y="12" fill="{AXIS}" font-size="{size}">{escape(unit_label)}</text>',
    ]
    for i in range(5):  # gridlines and the axis labels
        value = top * i / 4
        y = top_margin + plot_height - plot_height * i / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.8"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}" font-size="{size}">'
            f"{value.normalize():,f}</text>"
        )
    for i, ((label, _amount, note), wan) in enumerate(zip(items, amounts, strict=True)):
        x = left + i * slot + 8
        bar = float(plot_height * wan / top) if top else 0
        y = top_margin + plot_height - bar
        if bar > 0:
            fill = BAR_PENDING if note else BAR
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 16}" height="{bar:.1f}" fill="{fill}"/>')
            body.append(
                f'<text x="{x + (slot - 16) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="{TEXT}" '
                f'font-size="{size - 1}">{wan.quantize(Decimal("0.01")):,}</text>'
            )
        body.append(
            f'<text x="{x + (slot - 16) / 2:.1f}" y="{top_margin + plot_height + 15}" text-anchor="middle" '
            f'fill="{TEXT}" font-size="{size}">{escape(label)}</text>'
        )
        if note:
            body.append(
                f'<text x="{x + (slot - 16) / 2:.1f}" y="{top_margin + plot_height + 29}" text-anchor="middle" '
                f'fill="{AXIS}" font-size="{size - 2}">{escape(note)}</text>'
            )
    base = top_margin + plot_height
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{AXIS}" stroke-width="1"/>')
    return _svg(width, height, title, body)


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

"""The figures of the monthly report (儿童福利工作月报), computed from the records.

Every figure is a set-based query grouped by the database (a handful of queries whatever the
number of children), added up here in Python from the grouped rows, so a total is the exact sum
of the rows shown above it.

One module per section of the report, each with its own definitions: `classifications` (儿童类别),
`programmes` (保障项目 and 困境儿童分类保障), `money` (发放金额 and the monthly chart), `townships` (per
township), `bureau` (the bureau's own paragraph, DOMAIN.md 0), `summary` (the opening paragraphs);
`period` is what a report covers, `counting` what the counted sections share, and `report` composes
them (`compute_report`).

Definitions (they are printed in the report's notes, `DEFINITIONS`):

- A period is one month or a range of whole months; its end is the last day of its last month.
- Classifications (儿童类别) are entries with start and end dates. An entry covers the days from its
  start date up to the day before its end date (`ClassificationQuerySet.current_on`). At the start
  of the period (期初): entries covering the day before the first day; at its end (期末): entries
  covering the last day; additions (新增): entries starting within the period; removals (减员):
  entries ending within the period, by their end reason. 期初 + 新增 − 减员 = 期末 for every row.
  Entries left open on a closed file (销档) count neither at the start nor at the end after the
  closing day.
- A child may hold several classifications. The column "计一次" counts each child once, under
  the first of its classifications in `KIND_PRECEDENCE` (orphans, then de facto unsupported,
  left-behind, disabled, children in hardship: the order of ClassificationKind).
- Programmes (保障项目): an enrolment is covered in a month when it is confirmed (or ended later)
  and the month lies between its start and end months. 期初 is the month before the first month,
  期末 the last month; additions: enrolments whose first month lies in the period; removals:
  enrolments whose last paid month is the month before one of the period's months, by end reason.
  An enrolment ended before its first month was never paid and counts nowhere.
- 困境儿童分类保障 is the seven programmes of reports.glossary, institutional care (机构集中供养儿童)
  apart: its figure is the sum of its programme lines at the end of the period, and the children
  behind it are stated too when a child holds two of them. "计一次" counts each child once, under the
  first of its programmes: the seven first, then the institutional and any other, each in display order.
- Money is the sum of the lines of approved (or exported) batches whose month (发放月) lies in the
  period, per programme and kind (正常发放, 补发, 调整扣减); the year to date runs from January of
  the last month's year to the last month. A draft batch is not money paid: the report says which
  months of the period have no approved batch. An approved batch never changes, so its lines are
  summed once per programme, township and kind (BatchMoney) the first time a report needs it.
- Counts of children follow the child's current township; money follows the township on the
  payment line (as it was when the batch was computed).
"""

from django.utils.translation import gettext_lazy

from .period import Period, Scope
from .report import Report, compute_report

__all__ = ["DEFINITIONS", "Period", "Report", "Scope", "compute_report"]

DEFINITIONS = [
    gettext_lazy(
        "期初、期末人数分别为统计期第一天前一日和最后一天仍有效的类别（保障）记录数；新增为统计期内开始的记录，"
        "减员为统计期内终止的记录，按终止原因分列；期初 + 新增 − 减员 = 期末。"
    ),
    gettext_lazy(
        "一名儿童可同时属于多个类别、享受多个项目；“计一次”栏按类别顺序（孤儿、事实无人抚养、留守、残疾、困境）"
        "和保障项目顺序（先困境儿童分类保障七个项目，再机构集中供养等其他项目）只计入第一个，各行之和为儿童人数。"
    ),
    gettext_lazy(
        "发放金额为统计期内已审批发放批次的明细金额之和（按发放月统计），分正常发放、补发和调整扣减；"
        "本年累计自当年1月起至统计期最后一个月。待审批的批次不计入。"
    ),
    gettext_lazy("儿童人数按儿童当前所在乡镇统计；发放金额按发放明细所记乡镇统计。"),
]

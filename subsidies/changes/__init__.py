"""The monthly change list for the national system (增员/减员): every child added to or removed
from a category (儿童类别) or a programme (保障项目), kept as events.

- models.py: `ChangeEvent` (one row per change, paged by (recorded_at, id)), and the list's
  workbook layout (`ChangeListLayout`, data kept in the admin);
- codes.py: the national category codes and the reason codes;
- services.py: `record_change`, the handlers that record a change where a classification or an
  enrolment begins and ends (in that write's transaction), and the backfill from history;
- layouts.py: the workbook of a month in a layout; views.py: the page and its download.
"""

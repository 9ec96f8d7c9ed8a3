"""Sections other apps contribute to the monthly report and to the case file.

A section is a title, a few sentences, tables, and optionally columns for the per-township
table. Builders read the other apps' models with set-based queries; a builder whose app has no
model yet is simply not listed, so the report never prints a placeholder number.
"""

from dataclasses import dataclass, field


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    foot: list | None = None
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # (header, {township id: value}, total): extra columns of the per-township table
    township_columns: list[tuple[str, dict, object]] = field(default_factory=list)
    empty_note: str = ""


def available() -> list:
    """Builders `f(report) -> Section | None` for the monthly report, in print order."""
    return []


def case_file_sections() -> list:
    """Builders `f(child, *, masked, today) -> Section | None` for the case file, in print order."""
    return []

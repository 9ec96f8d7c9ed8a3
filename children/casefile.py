"""The case file's sections that other apps contribute (保障记录 from subsidies, 探访 from visits).

children's case-file view may not import the apps built on it. Each of them registers, in its
AppConfig.ready(), a function `(user, child) -> dict` whose keys go into the page's context; the
template includes the section by those keys. A section returns {} when the user may not see it.
"""

from collections.abc import Callable

from .models import Child

Section = Callable[..., dict]  # (user, child: Child) -> context for the case-file template

_sections: list[Section] = []


def register_section(section: Section) -> Section:
    """Add `section` to every case file (registering it again has no effect)."""
    if section not in _sections:
        _sections.append(section)
    return section


def sections_context(user, child: Child) -> dict:
    """Every registered section's context for this user and child, in registration order."""
    context = {}
    for section in _sections:
        context.update(section(user, child))
    return context

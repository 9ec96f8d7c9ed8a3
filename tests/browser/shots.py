"""Screenshots of issue 17's screens at the three widths people use: a phone, a small and a large desktop."""

import tempfile
from pathlib import Path

SHOTS = Path(tempfile.gettempdir()) / "shots" / "issue17"
WIDTHS = {
    390: {"width": 390, "height": 844},
    1024: {"width": 1024, "height": 768},
    1366: {"width": 1366, "height": 900},
}


def open_at(browser, width):
    """A context and page at one of WIDTHS (the phone emulates a touch phone, as tests/browser/conftest.py does)."""
    phone = width < 700
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def shoot(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)

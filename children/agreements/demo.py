"""Demo guardianship agreements for the demo left-behind children (`manage.py demo_data`).

Made through the real services (checked and audited like any other), so the work list and the
dashboard's coverage have something to show: most children covered, some expiring within the
warning window, some expired, a few drafts waiting for signatures and a few with nothing yet.
The "scan" of a signed agreement is a generated picture that says it is a demo.
"""

import datetime
import functools
import io
import random
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ..models import Carer, Child, add_years
from . import services as agreements

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default()


def _scan(child: Child, carer: Carer, start: datetime.date, end: datetime.date) -> SimpleUploadedFile:
    """A page-shaped PNG standing in for the signed paper (the text says it is a demo)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (620, 877), 250)
    draw = ImageDraw.Draw(image)
    big, small = _font(30), _font(18)
    draw.text((160, 60), "委托监护责任确认书", fill=20, font=big)
    lines = [
        f"儿童：{child.name}",
        f"受委托人：{carer.name}",
        f"委托期限：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        "委托人（签字）：",
        "受委托人（签字）：",
        "村（居）委会（盖章）：",
        "（演示扫描件：签字和盖章均为虚构）",
    ]
    for i, line in enumerate(lines):
        draw.text((60, 160 + i * 48), line, fill=40, font=small)
    draw.ellipse((400, 470, 540, 610), outline=120, width=4)  # the stamp
    data = io.BytesIO()
    image.save(data, "PNG")
    return SimpleUploadedFile("委托监护责任确认书（演示）.png", data.getvalue(), content_type="image/png")


def seed(children, *, today: datetime.date, seed: int = 2022) -> dict:
    """Agreements for the demo children with an open left-behind classification; returns counts by state."""
    rng = random.Random(f"{seed}-agreements")  # noqa: S311 -- demo data, not secrets
    year = datetime.timedelta(days=1)
    left_behind = (
        agreements.left_behind_children(children, today).order_by("pk").prefetch_related("carers", "parent_situations")
    )
    made = {"current": 0, "expiring": 0, "expired": 0, "draft": 0, "missing": 0}
    for child in left_behind:
        carer = next((c for c in child.carers.all() if c.is_primary and c.id_number), None)
        roll = rng.random()
        if carer is None or roll >= 0.93:
            made["missing"] += 1
            continue
        if roll < 0.66:
            state, start = "current", today - datetime.timedelta(days=rng.randint(10, 320))
            end = add_years(start, 1) - year
        elif roll < 0.77:
            state, end = "expiring", today + datetime.timedelta(days=rng.randint(3, 27))
            start = add_years(end, -1) + year
        elif roll < 0.87:
            state, end = "expired", today - datetime.timedelta(days=rng.randint(5, 150))
            start = add_years(end, -1) + year
        else:
            state, start = "draft", today
            end = add_years(start, 1) - year
        data = agreements.initial_data(child, today=today)
        notified = min(start + datetime.timedelta(days=rng.randint(1, 7)), today)
        data.update(
            period_start=start,
            period_end=end,
            carer_health="健康" if rng.random() < 0.8 else "高血压，能照料",
            carer_able_to_care=True,
            carer_full_capacity=True,
            no_harm_record=True,
            no_bad_habits=True,
            no_neglect_record=True,
            no_infectious_disease=True,
            no_other_unsuitability=True,
            carer_duties=str(agreements.Agreement._meta.get_field("carer_duties").get_default()),
            parent_duties=str(agreements.Agreement._meta.get_field("parent_duties").get_default()),
            school_notified_on=notified if rng.random() < 0.9 else None,
            village_notified_on=notified,
        )
        try:
            agreement = agreements.save_agreement(actor=None, child=child, data=data)
        except ValidationError:  # e.g. a carer the checks refuse: the child stays on the work list
            made["missing"] += 1
            continue
        if state != "draft":
            agreements.sign_agreement(
                actor=None, agreement=agreement, signed_on=start, scan=_scan(child, carer, start, end)
            )
        made[state] += 1
    return made

"""Demo home visits on top of the demo children (manage.py demo_data): a year of visits, some overdue,
key patrol targets, visits waiting for review, one returned, one mandatory report open and one handled.

Deterministic for a seed and a day. The bulk of the history is written in a few bulk inserts (as an
import from the old paper records would be); the cases a demo walks through go through the services,
so they carry their audit entries and e-mails like real work.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from children.demo import CASEWORKER_TOWNSHIP, SECOND_TOWNSHIP
from children.models import Child, Township

from .models import DIMENSIONS, Rating, Visit, VisitSchedule
from .risk import assess, situation_of
from .schedule import intervals, latest_due, run_nightly, tier_of
from .services import handle_report, record_visit, review_visit, set_patrol

NOTES = {
    "health": ["感冒已愈", "视力下降，建议配镜", "按时服药", "牙齿需检查"],
    "mental": ["性格开朗", "想念外出务工的父母", "话少，需多关心", "与同学相处融洽"],
    "education": ["成绩中等", "作业有人辅导", "上学路远，乘校车", "偏科较严重"],
    "hygiene": ["衣着整洁", "被褥需要换洗", "个人卫生较好", "厨房卫生一般"],
    "living": ["房屋结构安全", "冬季取暖需注意一氧化碳", "屋顶有渗漏", "住房宽敞"],
    "guardianship": ["祖父母照料尽心", "照料人年迈体弱", "父母每周视频联系", "照料人常外出打零工"],
}
PROBLEMS = ["冬季取暖设施老旧", "课外无人辅导作业", "照料人身体不好", "家中无人会用智能手机与父母联系"]
ACTIONS = ["已向照料人讲解安全用火", "已联系学校班主任关注", "已申请临时救助", "下次探访时复查"]


def _users():
    User = get_user_model()
    return {
        name: User.objects.get(username=name)
        for name in ("demo_caseworker", "demo_caseworker2", "demo_supervisor", "demo_staff")
    }


def _ratings(rng: random.Random) -> dict[str, str]:
    ratings = {name: rng.choices([Rating.GOOD, Rating.FAIR], weights=[7, 3])[0] for name, _label in DIMENSIONS}
    roll = rng.random()
    if roll < 0.10:
        ratings[rng.choice(["hygiene", "living", "education", "health"])] = Rating.POOR
    elif roll < 0.13:
        ratings["guardianship"] = Rating.POOR
    elif roll < 0.145:
        ratings[rng.choice(["living", "health"])] = Rating.SERIOUS
    return ratings


def _visitor(child: Child, users: dict, townships: dict):
    if child.township_id == townships.get(CASEWORKER_TOWNSHIP):
        return users["demo_caseworker"]
    if child.township_id == townships.get(SECOND_TOWNSHIP):
        return users["demo_caseworker2"]
    return users["demo_staff"]


@transaction.atomic
def seed(children, *, today: datetime.date, seed: int = 2022) -> dict:
    """A visit history for the demo children; returns counts for the command's summary."""
    rng = random.Random(seed + 5)  # noqa: S311 -- demo data, not secrets
    users = _users()
    townships = dict(Township.objects.filter(code__in=[CASEWORKER_TOWNSHIP, SECOND_TOWNSHIP]).values_list("code", "id"))
    days = intervals()
    children = list(
        children.filter(status=Child.Status.ACTIVE)
        .order_by("pk")
        .prefetch_related("carers", "parent_situations", Prefetch("classifications"))
    )
    visits = []
    for child in children:
        if rng.random() < 0.12:
            continue  # registered but not yet visited
        visitor = _visitor(child, users, townships)
        # The latest visit's ratings first: how long ago it was follows its tier, about one in five overdue.
        latest_ratings = _ratings(rng)
        level = assess(latest_ratings, situation_of(child, today)).level
        interval = days[tier_of(risk_level=level, patrol=False, visited=True)]
        last = today - datetime.timedelta(days=1 + int(rng.random() * interval * 1.25))
        dates = [last]
        for _n in range(rng.randint(0, 3)):
            earlier = dates[-1] - datetime.timedelta(days=rng.randint(30, 120))
            if earlier > child.birth_date:
                dates.append(earlier)
        for day in reversed(dates):
            ratings = latest_ratings if day == last else _ratings(rng)
            assessment = assess(ratings, situation_of(child, day))
            tier = tier_of(risk_level=assessment.level, patrol=False, visited=True)
            recent = (today - day).days <= 20
            reviewer = (
                users["demo_supervisor"] if child.township_id == townships.get(SECOND_TOWNSHIP) else users["demo_staff"]
            )
            poor = [name for name, rating in ratings.items() if rating in (Rating.POOR, Rating.SERIOUS)]
            visit = Visit(
                child=child,
                visitor=visitor,
                kind=rng.choices(["routine", "care", "follow_up"], weights=[7, 2, 1])[0],
                visited_on=day,
                present=rng.choice([["child", "grandparent"], ["child", "mother"], ["child", "carer"], ["child"]]),
                problems="、".join(rng.sample(PROBLEMS, 1)) if poor else "",
                actions=rng.choice(ACTIONS) if poor else "",
                referrals=["workstation"] if poor and rng.random() < 0.4 else [],
                next_visit_due=latest_due(base=day, tier=tier, days=days),
                risk_level=assessment.level,
                risk_reasons=assessment.reasons,
                status=Visit.Status.SUBMITTED if recent else Visit.Status.ACCEPTED,
                reviewed_by=None if recent else reviewer,
                reviewed_at=None if recent else timezone.make_aware(datetime.datetime.combine(day, datetime.time(16))),
            )
            for name, rating in ratings.items():
                setattr(visit, f"{name}_rating", rating)
                if rating != Rating.GOOD or rng.random() < 0.3:
                    setattr(visit, f"{name}_note", rng.choice(NOTES[name]))
            visits.append(visit)
    Visit.objects.bulk_create(visits, batch_size=1000)
    run_nightly(today=today)  # schedules and patrol targets from each child's latest visit
    _walkthrough(children, users, townships, today)
    run_nightly(today=today)
    schedules = VisitSchedule.objects.filter(child__in=[c.pk for c in children])
    return {
        "visits": Visit.objects.filter(child__in=[c.pk for c in children]).count(),
        "overdue": schedules.filter(due_on__lt=today).count(),
        "patrol": schedules.filter(patrol=True).count(),
    }


def _walkthrough(children, users, townships, today):
    """The cases a demo shows: a mandatory report open and one handled, a returned visit, visits to review,
    a manual patrol target."""
    first = [c for c in children if c.township_id == townships.get(CASEWORKER_TOWNSHIP)]
    mine = set(users["demo_caseworker"].profile.villages.values_list("pk", flat=True))
    own = [c for c in first if c.village_id in mine] or first
    second = [c for c in children if c.township_id == townships.get(SECOND_TOWNSHIP)]
    base = {name + "_rating": Rating.GOOD for name, _label in DIMENSIONS}
    if own:
        record_visit(
            actor=users["demo_caseworker"],
            child=own[0],
            data={
                **base,
                "kind": "emergency",
                "visited_on": today,
                "present": ["child", "grandparent"],
                "guardianship_rating": Rating.SERIOUS,
                "guardianship_note": "继父酒后打骂，孩子手臂有淤青",
                "problems": "疑似家庭暴力",
                "actions": "已安排到祖父母家暂住，报告乡镇工作站",
                "referrals": ["police", "workstation"],
                "suspected_harm": True,
                "harm_description": "孩子手臂和背部有多处淤青，自述继父酒后打骂。",
            },
        )
    if len(own) > 1:
        visit = record_visit(
            actor=users["demo_caseworker"],
            child=own[1],
            data={
                **base,
                "visited_on": today - datetime.timedelta(days=12),
                "present": ["child"],
                "suspected_harm": True,
                "harm_description": "孩子连续三天独自在家，照料人外出未归。",
                "problems": "照料人外出未归",
                "actions": "联系村委会临时照看",
            },
        )
        handle_report(
            actor=users["demo_staff"],
            report=visit.mandatory_report,
            handling="已与派出所和村委会核实，照料人已返回，安排每周回访。",
        )
    if second:
        visit = record_visit(
            actor=users["demo_caseworker2"],
            child=second[0],
            data={
                **base,
                "visited_on": today - datetime.timedelta(days=3),
                "present": ["child"],
                "hygiene_rating": Rating.POOR,
            },
        )
        review_visit(
            actor=users["demo_supervisor"],
            visit=visit,
            accept=False,
            comment="卫生环境评为较差，但没有写明具体问题和措施，请补充后重新提交。",
        )
    for n, child in enumerate(second[2:5]):  # recent visits for the township supervisor to review
        record_visit(
            actor=users["demo_caseworker2"],
            child=child,
            data={
                **base,
                "visited_on": today - datetime.timedelta(days=n + 1),
                "present": ["child", "grandparent"],
                "mental_rating": Rating.FAIR,
                "mental_note": "想念外出务工的父母",
            },
        )
    calm = VisitSchedule.objects.filter(child__in=[c.pk for c in second[1:]], patrol=False).order_by("child").first()
    if calm is not None:  # a target by hand: one the rules did not already make one
        set_patrol(
            actor=users["demo_supervisor"],
            child=calm.child,
            patrol=True,
            reason="父亲服刑，母亲常年外出务工，由年迈祖母照料",
        )

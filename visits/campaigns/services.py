"""Every write of the care campaigns: one transaction each, audited."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .models import Campaign, CampaignItem, Handout, HandoutLine

Action = AuditEntry.Action
CAMPAIGN_FIELDS = ("name", "start_date", "end_date", "description")
ITEM_FIELDS = ("name", "unit", "kind")


def format_quantity(item: CampaignItem, quantity: Decimal) -> str:
    """ "583 份" for goods, "4,500.00 元" for cash."""
    if item.is_cash:
        return f"{quantity:,.2f} {item.unit}"
    return f"{quantity.normalize():f} {item.unit}"


@transaction.atomic
def save_campaign(*, actor, data: dict, items: list[dict], campaign: Campaign | None = None) -> Campaign:
    """Create a campaign or change one: its name, period and items.

    `items` are dicts with name, unit and kind, and "id" for an existing item; an existing item
    not in the list is removed, unless something was already handed out of it.
    """
    creating = campaign is None
    campaign = Campaign(created_by=actor) if creating else Campaign.objects.select_for_update().get(pk=campaign.pk)
    for name in CAMPAIGN_FIELDS:
        setattr(campaign, name, data[name])
    errors: dict[str, list[str]] = {}
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors["end_date"] = [_("结束日期不能早于开始日期。")]
    clash = Campaign.objects.filter(name=campaign.name).exclude(pk=campaign.pk)
    if clash.exists():
        errors["name"] = [_("已有同名的活动。")]
    if not items:
        errors["__all__"] = [_("请至少填写一种慰问物品或慰问金。")]
    names = [item["name"] for item in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        errors.setdefault("__all__", []).append(_("物品名称重复：%(n)s") % {"n": _("、").join(repeated)})
    if not creating:
        handed = Handout.objects.filter(campaign=campaign)
        outside = handed.exclude(handed_on__gte=campaign.start_date, handed_on__lte=campaign.end_date).count()
        if outside:
            errors.setdefault("end_date", []).append(
                _("有 %(n)d 条发放记录的日期不在新的活动期间内，请先核对这些记录。") % {"n": outside}
            )
    if errors:
        raise ValidationError(errors)
    campaign.full_clean(validate_constraints=False, validate_unique=False)
    campaign.save()

    kept = []
    for position, values in enumerate(items):
        item = campaign.items.get(pk=values["id"]) if values.get("id") else CampaignItem(campaign=campaign)
        if item.pk and item.kind != values["kind"] and item.lines.exists():
            raise ValidationError(_("“%(n)s”已有发放记录，不能再改变实物/慰问金类型。") % {"n": item.name})
        for name in ITEM_FIELDS:
            setattr(item, name, values[name])
        item.position = position
        item.save()
        kept.append(item.pk)
    removed = campaign.items.exclude(pk__in=kept)
    used = [item.name for item in removed if item.lines.exists()]
    if used:
        raise ValidationError(_("以下物品已有发放记录，不能删除：%(n)s") % {"n": _("、").join(used)})
    removed.delete()
    log_action(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=campaign,
        summary=(_("新建走访慰问活动：%(n)s") if creating else _("修改走访慰问活动：%(n)s")) % {"n": campaign.name},
        changes={
            str(_("活动期间")): [None, f"{campaign.start_date} — {campaign.end_date}"],
            str(_("慰问物品")): [None, _("、").join(f"{i.name}（{i.unit}）" for i in campaign.items.all())],
        },
    )
    return campaign


def _quantity_problems(item: CampaignItem, quantity: Decimal) -> str | None:
    if quantity < 0:
        return _("数量不能为负数。")
    if item.is_cash:
        if quantity != quantity.quantize(Decimal("0.01")):
            return _("慰问金最多保留两位小数（元、角、分）。")
    elif quantity != quantity.to_integral_value():
        return _("%(n)s按整%(u)s登记，不能有小数。") % {"n": item.name, "u": item.unit}
    return None


@transaction.atomic
def record_handout(
    *,
    actor,
    campaign: Campaign,
    child: Child,
    handed_on: datetime.date,
    quantities: dict[int, Decimal | None],
    visit=None,
    note: str = "",
) -> Handout:
    """What `child` received in `campaign` (item id -> quantity; empty or 0 means none). Replaces an earlier record."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if handed_on > today:
        errors["handed_on"] = [_("发放日期不能晚于今天。")]
    elif not campaign.is_open_on(handed_on):
        errors["handed_on"] = [
            _("发放日期应在活动期间（%(s)s 至 %(e)s）内。")
            % {"s": campaign.start_date.isoformat(), "e": campaign.end_date.isoformat()}
        ]
    items = {item.pk: item for item in campaign.items.all()}
    given: dict[int, Decimal] = {}
    for item_id, quantity in quantities.items():
        item = items.get(item_id)
        if item is None:
            raise ValidationError(_("物品不属于该活动。"))
        if quantity in (None, Decimal(0)):
            continue
        problem = _quantity_problems(item, quantity)
        if problem:
            errors[f"item_{item_id}"] = [problem]
        else:
            given[item_id] = quantity
    if not given and not errors:
        errors["__all__"] = [_("请至少填写一项发放的物品或慰问金。")]
    if visit is not None and visit.child_id != child.pk:
        errors["visit"] = [_("所选探访记录不是这名儿童的。")]
    if child.status != Child.Status.ACTIVE and handed_on > (child.closed_on or handed_on):
        errors["handed_on"] = [_("该儿童已于 %(d)s 销档。") % {"d": child.closed_on}]
    if errors:
        raise ValidationError(errors)

    handout = Handout.objects.select_for_update().filter(campaign=campaign, child=child).first()
    before = {}
    if handout is None:
        handout = Handout(campaign=campaign, child=child, recorded_by=actor)
    else:
        before = {line.item.name: format_quantity(line.item, line.quantity) for line in handout.lines.all()}
    handout.handed_on, handout.visit, handout.note = handed_on, visit, note
    handout.save()
    handout.lines.exclude(item_id__in=given).delete()
    for item_id, quantity in given.items():
        HandoutLine.objects.update_or_create(handout=handout, item_id=item_id, defaults={"quantity": quantity})
    after = {items[i].name: format_quantity(items[i], q) for i, q in given.items()}
    log_action(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=handout,
        child=child,
        summary=_("%(c)s：登记慰问发放") % {"c": campaign.name},
        changes={
            name: [before.get(name), after.get(name)]
            for name in [*after, *[n for n in before if n not in after]]
            if before.get(name) != after.get(name)
        },
    )
    return handout


@transaction.atomic
def remove_handout(*, actor, handout: Handout) -> None:
    """Take back a handout recorded by mistake (the audit trail keeps what it said)."""
    handout = Handout.objects.select_for_update().get(pk=handout.pk)
    lines = {line.item.name: format_quantity(line.item, line.quantity) for line in handout.lines.all()}
    log_action(
        actor=actor,
        action=Action.DELETE,
        obj=handout,
        child=handout.child,
        summary=_("%(c)s：撤销慰问发放记录") % {"c": handout.campaign.name},
        changes={name: [value, None] for name, value in lines.items()},
    )
    handout.delete()

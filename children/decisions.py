"""Two decisions about a child's file: closing it (销档, behind a confirmation page) and recording that
a likely duplicate is another child (不是重复)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.confirm import confirm_page, confirmed
from dingzhou_welfare.forms import form_errors_from

from . import services
from .access import get_child_for
from .forms import CloseChildForm, NotDuplicateForm
from .models import Child

CLOSE = "close_child"


def close_consequences(child: Child) -> list[str]:
    """What closing the file does, in the words the confirmation page shows."""
    lines = [_("%(name)s 的档案状态改为“已销档”，不再出现在探访清单和每月发放名单中。") % {"name": child.name}]
    for entry in child.classifications.open():
        lines.append(
            _("终止儿童类别：%(kind)s（%(start)s 起）。")
            % {"kind": entry.get_kind_display(), "start": entry.start_date}
        )
    lines.append(_("正在享受的保障按各项目的停发规则终止；待审核的保障申请退回。"))
    lines.append(_("操作记入审计记录。"))
    return lines


@login_required
def child_close(request, pk):
    """GET: the confirmation page (what closing does, the reason and date). POST: close, with its token."""
    child = get_child_for(request.user, pk, for_change=True)
    posted = request.method == "POST"
    form = CloseChildForm(request.POST if posted else (request.GET or None))
    warning = ""
    if posted and form.is_valid():
        if not confirmed(request, CLOSE, child.pk):
            warning = _("请在本页核对销档的后果后再确认。")
        else:
            try:
                services.close_child(actor=request.user, child=child, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已销档：未终止的类别和保障已一并终止，待审核的申请已退回。"))
                return redirect("children:detail", pk=child.pk)
    return confirm_page(
        request,
        step=CLOSE,
        key=child.pk,
        form=form,
        title=_("确认销档：%(name)s") % {"name": child.name},
        facts=[
            (_("儿童"), child.name),
            (_("乡镇 / 村"), f"{child.township.name}{' / ' + child.village.name if child.village else ''}"),
            (_("出生日期"), f"{child.birth_date:%Y-%m-%d}"),
        ],
        consequences=close_consequences(child),
        action=reverse("children:close", args=[child.pk]),
        button=_("确认销档"),
        back=reverse("children:detail", args=[child.pk]),
        status=400 if posted else 200,
        warning=warning,
    )


@login_required
@require_POST
def not_duplicate(request, pk, other_pk):
    """The two records are two children: the pair's likely-duplicate warning goes (audited on both files)."""
    child = get_child_for(request.user, pk, for_change=True)
    other = get_child_for(request.user, other_pk)
    form = NotDuplicateForm(request.POST)
    if form.is_valid():
        try:
            services.mark_not_duplicate(
                actor=request.user, child=child, other=other, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("已记录：%(a)s 与 %(b)s（档案 %(pk)s）不是重复档案。")
                % {"a": child.name, "b": other.name, "pk": other.pk},
            )
    else:
        messages.error(request, " ".join(form.errors["reason"]))
    return redirect(reverse("children:detail", args=[child.pk]) + "#duplicates")

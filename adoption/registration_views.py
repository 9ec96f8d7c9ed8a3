"""准予登记 behind a confirmation page: GET says what registering does, POST (with its token) does it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from dingzhou_welfare.confirm import confirm_page, confirmed
from dingzhou_welfare.forms import form_errors_from

from . import services
from .forms import RegisterForm
from .models import State
from .views import _case_for

REGISTER = "adoption_register"


def register_consequences(case) -> list[str]:
    child = case.child
    applicants = "、".join(a.name for a in case.applicants.all()) or "—"
    lines = [
        _("准予 %(applicants)s 收养 %(child)s，收养关系自登记之日起成立，发给收养登记证（编号自动生成）。")
        % {"applicants": applicants, "child": child.name},
        _("%(child)s 的档案销档（原因：被收养）。") % {"child": child.name},
    ]
    for entry in child.classifications.open():
        lines.append(_("终止儿童类别：%(kind)s。") % {"kind": entry.get_kind_display()})
    lines.append(_("其保障自登记的下一个月起停发；待审核的保障申请退回。"))
    lines.append(_("案件状态改为“已登记”，此后不能再修改或撤回。"))
    return lines


@login_required
def case_register(request, pk):
    """GET: the confirmation page (the date, the note, what registering does). POST: register, with its token."""
    case = _case_for(request.user, pk, for_change=True)
    posted = request.method == "POST"
    form = RegisterForm(request.POST if posted else (request.GET or None))
    warning = ""
    if case.state != State.DECISION:
        warning = _("案件当前为“%(s)s”，不能进行此操作。") % {"s": case.get_state_display()}
    elif posted and form.is_valid():
        if not confirmed(request, REGISTER, case.pk):
            warning = _("请在本页核对登记的后果后再确认。")
        else:
            data = form.cleaned_data
            try:
                services.register_adoption(
                    actor=request.user, case=case, registered_on=data["registered_on"], note=data["note"]
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已办理收养登记：儿童已销档，其类别和保障自下月起终止。"))
                return redirect("adoption:detail", pk=case.pk)
    return confirm_page(
        request,
        step=REGISTER,
        key=case.pk,
        form=form,
        title=_("确认准予登记：%(child)s") % {"child": case.child.name},
        facts=[
            (_("案件"), str(case)),
            (_("儿童"), case.child.name),
            (_("收养人"), "、".join(a.name for a in case.applicants.all()) or "—"),
        ],
        consequences=register_consequences(case) if case.state == State.DECISION else [],
        action=reverse("adoption:register", args=[case.pk]),
        button=_("确认准予登记"),
        back=reverse("adoption:detail", args=[case.pk]) + "#register",
        status=400 if posted else 200,
        warning=warning,
        allowed=case.state == State.DECISION,
    )

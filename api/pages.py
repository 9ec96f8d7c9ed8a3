"""The administrator's page for API clients: create one (its token shown once), revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import require_role
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import Role

from .models import ApiClient
from .services import create_client, revoke_client


class ClientForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("客户端名称"), max_length=100, help_text=gettext_lazy("如：省儿童福利信息系统")
    )
    note = forms.CharField(label=gettext_lazy("用途说明"), max_length=200, required=False)
    granted_personal_data = forms.BooleanField(
        label=gettext_lazy("可取得完整个人信息"),
        required=False,
        help_text=gettext_lazy("不勾选时，身份证号和银行账号均脱敏返回。每次调用都记入审计。"),
    )


@never_cache
@login_required
def client_list(request):
    """The clients, and the form for a new one; the new token appears on this response only."""
    require_role(request.user, Role.ADMINISTRATOR)
    form = ClientForm(request.POST or None)
    created = token = None
    if request.method == "POST" and form.is_valid():
        try:
            created, token = create_client(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            form = ClientForm()
    clients = ApiClient.objects.select_related("created_by", "revoked_by").order_by(
        F("revoked_at").desc(nulls_first=True), "name"
    )
    return render(request, "api/clients.html", {"form": form, "clients": clients, "created": created, "token": token})


@require_POST
@login_required
def client_revoke(request, pk):
    require_role(request.user, Role.ADMINISTRATOR)
    client = get_object_or_404(ApiClient, pk=pk)
    try:
        revoke_client(actor=request.user, client=client)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已吊销客户端“%(name)s”的令牌，此后用它调用接口均被拒绝。") % {"name": client.name})
    return redirect("api:clients")

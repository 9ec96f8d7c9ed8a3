from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Role, Township, Village
from .village_picker import VillagePicker


def form_errors_from(form, error: forms.ValidationError) -> None:
    """A service's ValidationError shown on the form: on its field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class StaffUserForm(forms.Form):
    """The administrator's form for a user's account, role and township scope."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    townships = forms.ModelMultipleChoiceField(
        label=_("负责乡镇"),
        queryset=Township.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("儿童主任和儿童督导员只能看到所选乡镇的儿童。"),
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("负责村（社区）"),
        queryset=Village.objects.select_related("township").order_by("township__code", "name"),
        required=False,
        widget=VillagePicker,
        help_text=_("仅儿童主任：只负责部分村时选择，须属于所选乡镇；不选则负责所选乡镇的全部村。"),
    )
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    password = forms.CharField(
        label=_("新密码"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("新建用户必填；修改用户时留空则不改密码。"),
    )

    def __init__(self, *args, user=None, actor=None, **kwargs):
        self.user = user
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        others = get_user_model().objects.filter(username=username)
        if self.user:
            others = others.exclude(pk=self.user.pk)
        if others.exists():
            raise forms.ValidationError(_("用户名已被使用。"))
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role")
        townships = data.get("townships") or []
        villages = data.get("villages") or []
        if role in (Role.CASEWORKER, Role.SUPERVISOR) and not townships:
            self.add_error("townships", _("儿童主任和儿童督导员须至少选择一个乡镇。"))
        if villages and role != Role.CASEWORKER:
            self.add_error("villages", _("只有儿童主任可以限定到村。"))
        outside = [v.name for v in villages if v.township not in townships]
        if outside:
            self.add_error("villages", _("以下村不属于所选乡镇：%(v)s") % {"v": _("、").join(outside)})
        if self.user is not None and self.actor is not None and self.user.pk == self.actor.pk:
            self._keep_own_access(data)
        password = data.get("password")
        if not self.user and not password:
            self.add_error("password", _("新建用户须设置密码。"))
        if password:
            probe = self.user or get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    def _keep_own_access(self, data) -> None:
        """Nobody changes their own role or scope (another administrator does, and a second person approves)."""
        profile = getattr(self.user, "profile", None)
        own = {
            "role": profile.role if profile else "",
            "townships": set(profile.townships.all()) if profile else set(),
            "villages": set(profile.villages.all()) if profile else set(),
        }
        for name in ("role", "townships", "villages"):
            wanted = data.get(name)
            wanted = wanted or "" if name == "role" else set(wanted or [])
            if name in data and wanted != own[name]:
                self.add_error(name, _("不能修改自己的角色或负责范围，请由另一位管理员修改。"))


class TokenForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("手机验证器应用中显示的6位数字；手机丢失时可输入一个恢复码。"),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()

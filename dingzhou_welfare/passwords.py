"""Password validators in the project's words.

Django 5.2 changed the minimum-length message, and its zh_Hans catalogue still has only the old
one, so the Chinese pages showed it in English.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码长度太短。密码必须包含至少 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码必须包含至少 %(n)d 个字符。") % {"n": self.min_length}

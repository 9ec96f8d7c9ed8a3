"""Django's createsuperuser, plus the administrator role, so the first account can open /users/.

README's production steps create the first account with it, interactively or with
`--noinput --username U --email E` and DJANGO_SUPERUSER_PASSWORD in the environment.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from dingzhou_welfare.services import make_administrator


class Command(createsuperuser.Command):
    help = "Create a superuser with the administrator role (系统管理员), who can then add users under /users/."

    def handle(self, *args, **options):
        database = options["database"]
        superusers = get_user_model()._default_manager.db_manager(database).filter(is_superuser=True)
        before = set(superusers.values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in superusers.exclude(pk__in=before):
            make_administrator(user=user)
            if options["verbosity"] >= 1:
                self.stdout.write(f"{user.get_username()}: 已授予系统管理员角色，可在 /users/ 添加其他用户。")

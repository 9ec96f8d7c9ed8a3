"""Django's model backend, reading the user's role and scope profile in the same query."""

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Every request reads the signed-in user, and almost every page then reads their profile
    (role and township scope, access.py): one query with a join instead of two."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

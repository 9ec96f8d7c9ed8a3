"""Settings for the test suite: the real settings with fast hashing and throwaway files."""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="dzw-media-")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Celery tasks run in-process in unit tests; queue tests start a real worker against REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
# WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT is missing; tests never collect.
STATIC_ROOT = tempfile.mkdtemp(prefix="dzw-static-")
# Tests run in one process, whose local-memory cache holds the tokens (dingzhou_welfare/versions.py).
KEEP_SIGNED_IN_USERS = True
# Database sessions in tests whatever REDIS_URL says, so pinned query counts are the same in CI.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Live-server threads (browser tests) close their connection after each request, so no idle one is left
# holding the test database when it is dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Two-factor sign-in off unless a test turns it on (tests/dingzhou_welfare/test_second_factor.py).
TWO_FACTOR_REQUIRED = False

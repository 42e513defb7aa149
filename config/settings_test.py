"""Test settings: the real settings with a fast hasher, in-memory email and synchronous tasks."""

import os

os.environ.setdefault("KEFU_HUEY_IMMEDIATE", "1")

from config.settings import *  # noqa: E402,F403
from config.settings import HUEY  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
LANGUAGE_CODE = "zh-hans"

# On PostgreSQL (the only database that replicates), a "replica" alias mirroring the test database
# for the read-routing tests (kefu/core/tests/test_dbrouter.py); unused unless a test sets
# KEFU_READ_REPLICA = "replica".
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
else:
    DATABASES.pop("replica", None)  # noqa: F405
KEFU_READ_REPLICA = None

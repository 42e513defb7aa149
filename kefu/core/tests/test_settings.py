"""Settings from the environment: typed readers that fail fast, the SQLite options, and a
production configuration that passes `manage.py check --deploy` without a warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", True), ("true", True), (" Yes ", True), ("ON", True),
    ("0", False), ("false", False), ("no", False), ("off", False), ("", False),
], ids=["one_case", "true_case", "yes_case", "on_case", "zero_case", "false_case", "no_case", "off_case",
        "empty_case"])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("KEFU_T", raw)
    assert env_bool("KEFU_T") is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "tru"], ids=["two_case", "maybe_case", "typo_case"])
def test_env_bool_rejects(monkeypatch, raw):
    monkeypatch.setenv("KEFU_T", raw)
    with pytest.raises(ImproperlyConfigured, match="KEFU_T must be a boolean"):
        env_bool("KEFU_T")


def test_env_bool_default(monkeypatch):
    monkeypatch.delenv("KEFU_T", raising=False)
    assert env_bool("KEFU_T", True) is True


def test_env_int(monkeypatch):
    monkeypatch.setenv("KEFU_T", "42")
    assert env_int("KEFU_T", 1) == 42
    monkeypatch.setenv("KEFU_T", " ")
    assert env_int("KEFU_T", 7) == 7
    monkeypatch.setenv("KEFU_T", "4.5")
    with pytest.raises(ImproperlyConfigured, match="KEFU_T must be an integer"):
        env_int("KEFU_T", 1)


def test_env_list(monkeypatch):
    monkeypatch.setenv("KEFU_T", " a.example.com, ,b.example.com ")
    assert env_list("KEFU_T") == ["a.example.com", "b.example.com"]
    monkeypatch.delenv("KEFU_T")
    assert env_list("KEFU_T", ["x"]) == ["x"]


def test_env_str_file_wins(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("KEFU_T", "from-env")
    monkeypatch.setenv("KEFU_T_FILE", str(secret))
    assert env_str("KEFU_T") == "from-file"
    monkeypatch.setenv("KEFU_T_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="KEFU_T_FILE"):
        env_str("KEFU_T")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite options")
def test_sqlite_options():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA busy_timeout=10000" in options["init_command"]
    assert "PRAGMA foreign_keys=ON" in options["init_command"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_pragmas_applied(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 10000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def _manage(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEFU_", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", KEFU_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True,
                          text=True, timeout=120)


PRODUCTION = {
    "KEFU_PRODUCTION": "1",
    "KEFU_ALLOWED_HOSTS": "kefu.example.com",
    "KEFU_PUBLIC_BASE_URL": "https://kefu.example.com",
    "KEFU_HTTPS": "1",  # alone: redirect, secure cookies, a year of HSTS, X-Forwarded-Proto trusted
    "KEFU_DEBUG": "0",
}


def test_check_deploy_passes_in_production(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                     KEFU_SECRET_KEY=secrets.token_urlsafe(50)[:50], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr
    # an explicit key is never written to disk
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("missing", ["KEFU_SECRET_KEY", "KEFU_ALLOWED_HOSTS", "KEFU_PUBLIC_BASE_URL"],
                         ids=["secret_case", "hosts_case", "public_url_case"])
def test_production_without_required_setting_fails_fast(tmp_path, missing):
    env = {**PRODUCTION, "KEFU_SECRET_KEY": secrets.token_urlsafe(50)}
    env.pop(missing)
    result = _manage(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set when KEFU_PRODUCTION=1" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_must_say_whether_it_serves_https(tmp_path):
    env = {**PRODUCTION, "KEFU_SECRET_KEY": secrets.token_urlsafe(50)}
    env.pop("KEFU_HTTPS")
    result = _manage(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert "KEFU_HTTPS must be set when KEFU_PRODUCTION=1 (1: served over HTTPS)" in result.stderr


def test_https_settings(tmp_path):
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
            "s.SPECTACULAR_SETTINGS.get('SERVE_PERMISSIONS'))")
    result = _manage(["shell", "-c", code], tmp_path, KEFU_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert result.stdout.strip().splitlines()[-1] == ("True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') "
                                     "['rest_framework.permissions.IsAuthenticated']")


def test_production_with_debug_fails_fast(tmp_path):
    env = {**PRODUCTION, "KEFU_SECRET_KEY": secrets.token_urlsafe(50), "KEFU_DEBUG": "1"}
    result = _manage(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert "KEFU_DEBUG must be off when KEFU_PRODUCTION=1" in result.stderr


def test_bad_boolean_fails_at_start(tmp_path):
    result = _manage(["check"], tmp_path, KEFU_DEBUG="perhaps")
    assert result.returncode != 0
    assert "KEFU_DEBUG must be a boolean" in result.stderr

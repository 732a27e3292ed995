"""The settings module switches on each environment variable and on nothing else."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests import process_support
from tests.conftest import REPO

# Variables that would leak the caller's configuration into the child process.
CONTROLLED = ("DATABASE_URL", "REDIS_URL", "CATCHMIND_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")


SETTINGS = (
    "{'db': s.DATABASES['default'], 'layer': s.CHANNEL_LAYERS['default'],"
    " 'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}"
)


def settings_in_child(tmp_path, **env: str) -> dict:
    """Import the settings in a fresh interpreter, as a server process would."""
    return process_support.settings_in_child(tmp_path, SETTINGS, unset=CONTROLLED, **env)


def test_no_environment_means_embedded_defaults(tmp_path):
    s = settings_in_child(tmp_path)
    assert s["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["db"]["NAME"] == str(tmp_path / "db.sqlite3")
    assert s["db"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["db"]["OPTIONS"]["init_command"]
    assert s["db"]["OPTIONS"]["timeout"] > 0
    assert s["layer"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    # One hub channel carries every room of the process: not the layer's default of 100.
    assert s["layer"]["CONFIG"]["capacity"] == 1000
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["debug"] is True


def test_database_url_switches_to_postgres(tmp_path):
    s = settings_in_child(tmp_path, DATABASE_URL="postgres://game:s%40cret@db.example:6543/cm")
    assert s["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert (s["db"]["NAME"], s["db"]["USER"], s["db"]["PASSWORD"]) == ("cm", "game", "s@cret")
    assert (s["db"]["HOST"], s["db"]["PORT"]) == ("db.example", "6543")
    assert s["layer"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_redis_url_switches_channel_layer_and_cache(tmp_path):
    s = settings_in_child(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert s["layer"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert s["layer"]["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/3"]
    assert s["layer"]["CONFIG"]["capacity"] == 1000
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["db"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "not supported"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"CATCHMIND_ENV": "staging"}, "CATCHMIND_ENV"),
    ],
)
def test_bad_values_fail_at_start_with_the_variable_name(tmp_path, env, message):
    with pytest.raises(RuntimeError, match=message):
        settings_in_child(tmp_path, **env)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        settings_in_child(tmp_path, CATCHMIND_ENV="production", ALLOWED_HOSTS="game.example")


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    with pytest.raises(RuntimeError, match="ALLOWED_HOSTS must be set"):
        settings_in_child(tmp_path, CATCHMIND_ENV="production", SECRET_KEY="x" * 60)


def test_production_is_not_debug(tmp_path):
    s = settings_in_child(
        tmp_path,
        CATCHMIND_ENV="production",
        SECRET_KEY="k" * 20 + "ey-" * 20,
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert s["debug"] is False
    assert s["hosts"] == ["a.example", "b.example"]


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    env.update(
        CATCHMIND_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="game.example",
        CATCHMIND_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_development_key_is_generated_once_and_kept(tmp_path):
    settings_in_child(tmp_path)
    first = (tmp_path / "secret_key").read_text()
    settings_in_child(tmp_path)
    assert (tmp_path / "secret_key").read_text() == first
    assert len(first) >= 50

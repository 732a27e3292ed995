"""Fixtures shared by several test modules (registered in tests/conftest.py). None is
autouse: a module asks for them by name or with ``pytest.mark.usefixtures``.

Imports of the site's code stay inside the fixtures: this module loads with the conftest.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, REPO
from tests.process_support import free_port, wait_until_up

# --------------------------------------------------------------------------------------
# Websocket games in this process (channels' test communicator)
# --------------------------------------------------------------------------------------


@pytest.fixture
async def close_thread_connections():
    """A channel layer of this test's event loop (the Redis layer's locks belong to one loop).
    Afterwards, close the consumers' database thread connection: it outlives the test, and
    the next test that may not use the database would trip over it."""
    from asgiref.sync import sync_to_async
    from channels.layers import channel_layers
    from django.db import connections

    channel_layers.backends.clear()
    yield
    await sync_to_async(connections.close_all)()
    channel_layers.backends.clear()


@pytest.fixture
def fresh_clock_and_cache():
    """The game clock frozen (tests move it) and, with the local-memory cache, no rate limit
    left over from an earlier test."""
    from django.core.cache import cache

    from game import clock

    clock.reset()
    clock.freeze()
    if "locmem" in cache.__class__.__module__:
        cache.clear()
    yield
    clock.reset()


# --------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------


@pytest.fixture
def providers(settings):
    """The four sign-in providers configured, their servers answered by the fakes of
    tests/accounts_support.py for the whole test."""
    from tests.accounts_support import FakeProviders, provider_settings

    settings.SOCIALACCOUNT_PROVIDERS = provider_settings()
    with FakeProviders() as fake:
        yield fake


# --------------------------------------------------------------------------------------
# Gallery
# --------------------------------------------------------------------------------------


@pytest.fixture
def gallery_media(settings, tmp_path):
    """Pictures in this test's own MEDIA_ROOT, drawings saved at once (no worker thread)."""
    settings.MEDIA_ROOT = tmp_path
    settings.GALLERY_SAVE = "sync"
    return tmp_path


# --------------------------------------------------------------------------------------
# Several processes on PostgreSQL (+ Redis): tests marked ``services``
# --------------------------------------------------------------------------------------


def migrate(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", *args, "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
    )


@pytest.fixture
def database_url():
    """A PostgreSQL database of its own, created (empty) for this test and dropped after it."""
    import psycopg

    name = f"catchmind_test_{secrets.token_hex(4)}"
    parts = urlsplit(POSTGRES_URL)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def servers(database_url, tmp_path: Path):
    """Two Daphne processes on one migrated PostgreSQL database and Redis: their ports.

    Nothing is shared between them but the database and Redis, as in production behind a
    load balancer without sticky sessions (DESIGN §2)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        # Fresh keys in Redis: nothing of an earlier run can leak into this one.
        "CATCHMIND_CHANNEL_PREFIX": f"cm-test-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "CATCHMIND_DATA_DIR": str(tmp_path),
        "CATCHMIND_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrate(env)
    daphne = Path(sys.executable).with_name("daphne")
    processes, ports = [], []
    try:
        for _ in range(2):
            port = free_port()
            log = tmp_path / f"daphne-{port}.log"
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            str(daphne),
                            "-b",
                            "127.0.0.1",
                            "-p",
                            str(port),
                            "--application-close-timeout",
                            "1",
                            "catchmind.asgi:application",
                        ],
                        cwd=REPO,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=out,
                    )
                )
            ports.append(port)
        for process, port in zip(processes, ports, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}", process, tmp_path / f"daphne-{port}.log")
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(1)
            except subprocess.TimeoutExpired:
                process.kill()

"""Shared fixtures and the rule that CI never skips what it must check.

Tests marked ``services`` (PostgreSQL + Redis), ``browser`` (Debian's chromium),
``shared_data`` (../shared/quickdraw) or ``training`` (torch & co. from the ``train`` extra)
skip on a developer machine that lacks the thing, but fail under ``CI=true``: a green CI run
must mean those paths really ran.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Live Daphne + Playwright fixtures for tests marked `browser`; fixtures several modules share.
pytest_plugins = ["tests.browser_fixtures", "tests.shared_fixtures"]

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

POSTGRES_URL = os.environ.get(
    "CATCHMIND_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/catchmind"
)
REDIS_URL = os.environ.get("CATCHMIND_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CHROMIUM = os.environ.get("CATCHMIND_CHROMIUM", "/usr/bin/chromium")
#: What ``pip install -e ".[train]"`` adds and game/ai/training.py imports.
TRAIN_EXTRA = ("torch", "onnx", "matplotlib", "tqdm")


def quickdraw_dir() -> Path:
    return Path(os.environ.get("CATCHMIND_QUICKDRAW_DIR") or REPO.parent / "shared" / "quickdraw")


def require(condition: bool, reason: str) -> None:
    """Skip on a developer machine, fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def missing_train_extra() -> list[str]:
    """Packages of the ``train`` extra that are not installed (found without importing torch,
    which takes seconds)."""
    return [name for name in TRAIN_EXTRA if importlib.util.find_spec(name) is None]


def services_available() -> bool:
    return _reachable(POSTGRES_URL, 5432) and _reachable(REDIS_URL, 6379)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test starts from the migrated database, whatever ran before it.

    A ``django_db(transaction=True)`` test ends by flushing every table, which also empties
    the rows the data migrations loaded (the builtin word packs: the Quick, Draw! category of
    every word). The next transactional test then ran without them: e.g. the AI player found
    no category for the room's words and never guessed, but only when it ran after the game
    tests. Django's ``serialized_rollback`` reloads the migrated rows before each such test.
    """
    from pytest_django.fixtures import validate_django_db

    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and "transactional_db" in getattr(item, "fixturenames", ()):
            marker = pytest.mark.django_db(transaction=True).mark
        if marker is None:
            continue
        transaction, reset_sequences, databases, serialized, available_apps = validate_django_db(
            marker
        )
        if (transaction or reset_sequences) and not serialized:
            item.add_marker(
                pytest.mark.django_db(
                    transaction=transaction,
                    reset_sequences=reset_sequences,
                    databases=databases,
                    serialized_rollback=True,
                    available_apps=available_apps,
                ),
                append=False,
            )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("services"):
        require(_reachable(POSTGRES_URL, 5432), f"PostgreSQL at {POSTGRES_URL}")
        require(_reachable(REDIS_URL, 6379), f"Redis at {REDIS_URL}")
    if item.get_closest_marker("browser"):
        require(
            shutil.which(CHROMIUM) is not None, f"chromium at {CHROMIUM} (apt-get install chromium)"
        )
    if item.get_closest_marker("shared_data"):
        require(
            (quickdraw_dir() / "simplified").is_dir(), f"Quick, Draw! data in {quickdraw_dir()}"
        )
    if item.get_closest_marker("training"):
        missing = missing_train_extra()
        require(
            not missing,
            f'the train extra ({", ".join(missing)} missing): pip install -e ".[train]"',
        )


@pytest.fixture(autouse=True)
def _gallery_saves_end_with_their_test():
    """A turn that ends saves its drawing in a worker thread (gallery.saving); wait for it
    so that no test's drawing lands in the next test's database or MEDIA_ROOT."""
    yield
    from gallery import saving

    saving.drain()

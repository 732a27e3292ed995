"""Fixtures for the browser tests: a real Daphne on the test database, and Playwright pages.

Why a subprocess and not an in-process live server: the game runs on Daphne in production
(HTTP and websockets in one ASGI process, background wake-ups at deadlines), so the browser
tests drive exactly that. The subprocess uses the test database pytest-django created: on
SQLite that is a file (``TEST NAME`` in catchmind/env.py), on PostgreSQL ``test_<name>``. With
``REDIS_URL`` set, Daphne uses Redis like CI's second run does.

The tests themselves take no database fixture: a transaction held open by pytest would lock
SQLite against the server, and a flush (``transactional_db``) would also wipe what the
migrations loaded (word packs, content types). Instead the rows the server committed (rooms and
everything under them, drawings, sessions) are deleted after each test module, and browser
tests run after every other test (see ``pytest_collection_modifyitems``). When only browser
tests are selected, :func:`browser_database` creates the test database itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.process_support import free_port, wait_until_up

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CATCHMIND_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
#: Playwright's default timeouts are 30 s; a broken page should fail fast instead.
TIMEOUT_MS = 8000


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their server commits real rows, which other tests must not see."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the item, so fixtures can tell that a test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _database_url() -> str:
    """The test database as a DATABASE_URL for the server process."""
    from django.db import connection

    sd = connection.settings_dict
    if sd["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(sd['NAME']).resolve()}"
    auth = quote(sd["USER"] or "")
    if sd.get("PASSWORD"):
        auth += ":" + quote(sd["PASSWORD"])
    host = sd["HOST"] or "127.0.0.1"
    port = sd["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{quote(sd['NAME'])}"


def _is_test_database(connection) -> bool:
    return connection.settings_dict["NAME"] == connection.creation._get_test_db_name()


def ink_counter(canvas_id: str) -> str:
    """A page function counting the pixels of canvas ``canvas_id`` that are not white."""
    return f"""() => {{
  const c = document.getElementById('{canvas_id}');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
  return n;
}}"""


@pytest.fixture(scope="session")
def browser_database(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test database, also when no other selected test asked pytest-django for one."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        created = None
        if not _is_test_database(connection):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


#: What a game leaves behind; deleting these cascades to players, turns, guesses, likes...
SERVER_ROWS = ("gallery.Drawing", "game.Room", "sessions.Session")


def _delete_server_rows() -> None:
    from django.apps import apps
    from django.db import connection

    for label in SERVER_ROWS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model.objects.all().delete()
    connection.close()


@pytest.fixture(scope="module")
def daphne_server(browser_database, django_db_blocker) -> Iterator[str]:
    """Base URL of a Daphne serving the project on the test database."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="daphne-", suffix=".log")[1])
    media = tempfile.mkdtemp(prefix="browser-media-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Pictures of finished turns go to a throw-away folder, not var/media.
        "MEDIA_ROOT": media,
        "DJANGO_SETTINGS_MODULE": "catchmind.settings",
        "CATCHMIND_ENV": "development",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
    }
    daphne = Path(sys.executable).with_name("daphne")
    command = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "catchmind.asgi:application"]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        text = log.read_text()
        if re.search(r"Traceback|ERROR", text):
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"daphne-{port}.log").write_text(text)
        log.unlink(missing_ok=True)
        shutil.rmtree(media, ignore_errors=True)
        with django_db_blocker.unblock():
            _delete_server_rows()


def _in_thread(function) -> None:
    """Run database work in a fresh thread: Playwright's sync API keeps an event loop
    running in the test's thread, where Django refuses database calls."""
    from django.db import connection

    errors: list[BaseException] = []

    def run() -> None:
        try:
            function()
        except BaseException as exc:  # re-raised in the test's thread below
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


ADMIN_USER = "browser-admin"
ADMIN_PASSWORD = "a-long-test-password-1"


@pytest.fixture
def admin_login(browser_database, django_db_blocker) -> Iterator[tuple[str, str]]:
    """A superuser's name and password, for checking the admin in the browser."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    with django_db_blocker.unblock():
        _in_thread(lambda: users.create_superuser(ADMIN_USER, "admin@example.com", ADMIN_PASSWORD))
    yield ADMIN_USER, ADMIN_PASSWORD
    with django_db_blocker.unblock():
        _in_thread(lambda: users.filter(username=ADMIN_USER).delete())


@pytest.fixture
def browser():
    """One Chromium per test (it starts in well under a second). Per test, not per module:
    Playwright's sync API keeps an event loop running in this thread while it is open, and
    Django refuses database calls then, which the cleanup after a module makes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Pages:
    """Opens pages in fresh browser contexts (one context = one player with own cookies) and
    records what every page logged, for the CSP and error checks."""

    DESKTOP = {"viewport": {"width": 1280, "height": 800}}
    PHONE = {
        "viewport": {"width": 390, "height": 760},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
        ),
    }

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.pages = []
        self.console: list[str] = []
        self.failed: list[str] = []
        self.dialogs: list[str] = []

    def new(self, *, phone: bool = False, locale: str = "ko-KR", clock_skew_ms: int = 0, **options):
        """A page in a new context. ``clock_skew_ms`` sets the page's clock that far off the
        real time (a phone with a wrong clock)."""
        settings = {**(self.PHONE if phone else self.DESKTOP), "locale": locale, **options}
        context = self.browser.new_context(base_url=self.base_url, **settings)
        context.set_default_timeout(TIMEOUT_MS)
        if clock_skew_ms:
            context.add_init_script(
                f"(() => {{ const now = Date.now.bind(Date); Date.now = () => now() + {int(clock_skew_ms)}; }})()"
            )
        page = context.new_page()
        label = f"page{len(self.pages)}"
        page.on("console", lambda msg: self.console.append(f"{label} {msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console.append(f"{label} pageerror: {exc}"))
        page.on("response", lambda r: self._on_response(label, r))

        def on_dialog(dialog):
            self.dialogs.append(f"{label}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _on_response(self, label: str, response) -> None:
        # Chromium asks for /favicon.ico on pages without an icon link (the admin's).
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{label} {response.status} {response.url}")

    def errors(self) -> list[str]:
        """Console and page errors (CSP violations are console errors) and failed requests.
        Chromium's own "Failed to load resource" lines are replaced by the URL list."""
        console = [
            line
            for line in self.console
            if (" error:" in line or "pageerror" in line) and "Failed to load resource" not in line
        ]
        return console + self.failed

    def screenshot_all(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(self.pages):
            # A crashed page cannot be photographed; the others still can.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"), full_page=True)
        if self.console:
            (ARTIFACTS / f"{name}-console.txt").write_text("\n".join(self.console))

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(request, daphne_server, browser) -> Iterator[Pages]:
    """Pages of a test; screenshots of all of them land in test-artifacts/ when it fails."""
    opened = Pages(browser, daphne_server)
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        opened.screenshot_all(re.sub(r"[^\w.-]+", "_", request.node.name))
    opened.close()

"""Helpers for tests that run the site in other processes: the settings as a fresh
interpreter reads them, and HTTP/websocket clients of a real Daphne server."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import AsyncExitStack
from http.cookies import SimpleCookie
from pathlib import Path

from tests.conftest import REPO

WAIT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Wait until the Daphne ``proc`` at ``url`` answers /healthz; its ``log`` in the error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


def settings_in_child(tmp_path, expression: str, *, unset=(), **env: str):
    """The JSON value of ``expression`` (``s`` is ``django.conf.settings``) in a fresh
    interpreter, as a server process would import the settings. ``unset`` names variables of
    this process's environment that must not leak into the child. A failure at start-up
    raises ``RuntimeError`` with the child's last line of error output."""
    child_env = {k: v for k, v in os.environ.items() if k not in unset}
    child_env.update(
        {"CATCHMIND_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "catchmind.settings"}
    )
    child_env.update(env)
    code = (
        "import json; from django.conf import settings as s;"
        f"print(json.dumps({expression}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=child_env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout)


class Browser:
    """Cookies and CSRF like a browser, against one of the servers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers, method=method
        )
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
            return json.loads(response.read())


class Client:
    """A guest with a nickname, playing over a real websocket."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.browser = Browser(port)
        self.socket = None
        self.id: int | None = None
        self.unread: list[dict] = []

    def sign_in(self) -> None:
        self.browser.request("GET", "/api/me")
        self.browser.request("POST", "/api/nickname", {"nickname": self.name})

    async def connect(self, stack: AsyncExitStack, code: str) -> None:
        from websockets.asyncio.client import connect

        port = self.browser.port
        self.socket = await stack.enter_async_context(
            connect(
                f"ws://127.0.0.1:{port}/ws/rooms/{code}/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={self.browser.cookies['sessionid']}"},
            )
        )
        snapshot = await self.expect("snapshot")
        self.id = snapshot["you"]["player_id"]

    async def send(self, type_: str, **fields) -> None:
        await self.socket.send(json.dumps({"type": type_, **fields}))

    async def expect(self, type_: str, where=lambda m: True) -> dict:
        for index, message in enumerate(self.unread):
            if message["type"] == type_ and where(message):
                return self.unread.pop(index)
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), WAIT))
            if message["type"] == type_ and where(message):
                return message
            self.unread.append(message)

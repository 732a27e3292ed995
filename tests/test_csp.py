"""The Content Security Policy header: no inline scripts anywhere, websockets allowed."""

from __future__ import annotations

import pytest

from catchmind.middleware import build_policy


def _directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_policy_forbids_inline_scripts_and_allows_same_host_sockets():
    d = _directives(build_policy("game.example"))
    assert d["script-src"] == "'self'"
    assert "unsafe-inline" not in d["script-src"]
    assert "'self'" in d["connect-src"]
    assert "ws://game.example" in d["connect-src"]
    assert "wss://game.example" in d["connect-src"]
    assert d["object-src"] == "'none'"
    assert d["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_header_on_pages_and_admin(client):
    for url in ("/healthz", "/admin/login/"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url

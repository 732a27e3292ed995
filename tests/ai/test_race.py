"""Across processes on PostgreSQL + Redis, a room never has two AI calls in flight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import REDIS_URL, REPO
from tests.shared_fixtures import migrate

pytestmark = pytest.mark.services

ATTEMPTS = 80


def _python(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def race_database(database_url):
    """The environment of processes on a fresh PostgreSQL database with the game's tables."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "RACE_REDIS_URL": REDIS_URL,
        "CATCHMIND_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    migrate(env, "game")
    return env


def test_two_processes_never_run_two_ai_calls_for_one_room(race_database):
    import redis

    env = race_database
    made = _python(["-m", "tests.ai.race_worker", "setup"], env)
    assert made.returncode == 0, made.stderr
    ids = json.loads(made.stdout.strip().splitlines()[-1])
    key = f"catchmind-test:ai-race:{uuid.uuid4().hex}"
    args = ["-m", "tests.ai.race_worker", "race", str(ids["room"]), str(ids["turn"])]
    workers = [
        subprocess.Popen(
            [sys.executable, *args, str(ATTEMPTS), key],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180) for w in workers]
    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
    calls = [json.loads(out.strip().splitlines()[-1])["calls"] for out, _ in outputs]

    r = redis.Redis.from_url(REDIS_URL)
    try:
        seen = [int(x) for x in r.lrange(f"{key}:seen", 0, -1)]
    finally:
        r.delete(f"{key}:seen", f"{key}:in")
    # Both processes really played, and many calls ran...
    assert all(n > 0 for n in calls), calls
    assert len(seen) == sum(calls) >= ATTEMPTS // 2
    # ...yet never two at once.
    assert max(seen) == 1

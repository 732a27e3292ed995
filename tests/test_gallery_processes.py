"""Several processes saving the same turn at the same moment make one drawing (PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.shared_fixtures import migrate

pytestmark = pytest.mark.services

PROCESSES = 4

SETUP = """
import django; django.setup()
from tests.gallery_support import finished_turn
print(finished_turn().pk)
"""

# Every process waits for the same wall-clock moment, then saves the turn.
SAVE = """
import sys, time; import django; django.setup()
from gallery.saving import save_drawing
turn_id, start = int(sys.argv[1]), float(sys.argv[2])
time.sleep(max(start - time.time(), 0))
print(save_drawing(turn_id).pk)
"""

COUNT = """
import django; django.setup()
from gallery.models import Drawing
print(Drawing.objects.count())
"""


def test_processes_racing_to_save_one_turn_make_one_drawing(database_url, tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CATCHMIND_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "catchmind.settings",
        "CATCHMIND_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)

    def python(code: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    migrate(env)
    out, err = python(SETUP).communicate(timeout=60)
    assert not err.strip() or "Traceback" not in err, err
    turn_id = out.strip().splitlines()[-1]

    start = time.time() + 3  # time for every interpreter to start and import Django
    savers = [python(SAVE, turn_id, str(start)) for _ in range(PROCESSES)]
    results = [saver.communicate(timeout=60) for saver in savers]

    assert all(saver.returncode == 0 for saver in savers), [err for _out, err in results]
    drawing_ids = {out.strip().splitlines()[-1] for out, _err in results}
    assert len(drawing_ids) == 1  # every process got the same drawing back
    assert python(COUNT).communicate(timeout=60)[0].strip() == "1"
    files = sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())
    assert len(files) == 2, files  # one PNG and one thumbnail: losers wrote nothing

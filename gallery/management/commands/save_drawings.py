"""Save the drawings of ended turns that have none yet.

Turns are saved by a worker thread of the process where they ended (gallery.saving); a
process that stopped in between leaves its last turns unsaved. Running this (after a
restart, or daily) saves them; it is idempotent and safe to run while games go on.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gallery.saving import save_drawing
from game.models import Turn


class Command(BaseCommand):
    help = "Save the drawings of ended turns that have no drawing yet."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0, help="at most this many turns")

    def handle(self, *args, limit: int = 0, verbosity: int = 1, **options):
        turns = (
            Turn.objects.filter(ended_at__isnull=False, started_at__isnull=False, drawing=None)
            .exclude(word="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if limit:
            turns = turns[:limit]
        saved = 0
        for turn_id in turns.iterator():
            if save_drawing(turn_id) is not None:
                saved += 1
        if verbosity:
            self.stdout.write(f"save_drawings: {saved} drawing(s) saved")

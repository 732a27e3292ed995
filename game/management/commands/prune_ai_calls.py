"""Delete AI call records older than N days (the admin's totals only look 30 days back)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from game.ai.records import AICall


class Command(BaseCommand):
    help = "Delete AI call records (game.AICall) older than --days days (default 30)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        cutoff = timezone.now() - dt.timedelta(days=days)
        deleted, _ = AICall.objects.filter(created__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} AI call records older than {days} days")

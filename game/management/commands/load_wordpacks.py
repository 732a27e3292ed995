"""``manage.py load_wordpacks [--file F ...]``: (re)load word packs, idempotently.

Without ``--file`` the builtin packs are loaded (the data migration does the same on a new
database); use it after upgrading to pick up corrected words. With ``--file`` a pack in the
same JSON format is loaded as an operator pack.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from game.models import Word, WordPack
from game.wordpack_import import ImportResult, PackError, import_builtin_packs, import_pack


class Command(BaseCommand):
    help = "Load the builtin word packs, or packs from JSON files (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file", action="append", default=[], help="a word pack JSON file (repeatable)"
        )

    def handle(self, *args, **options) -> None:
        results: list[ImportResult] = []
        try:
            if not options["file"]:
                results = import_builtin_packs(pack_model=WordPack, word_model=Word)
            for name in options["file"]:
                path = Path(name)
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except OSError as exc:
                    raise CommandError(f"{path}: cannot read: {exc.strerror}") from None
                except ValueError as exc:
                    raise CommandError(f"{path}: not valid JSON: {exc}") from None
                try:
                    results.append(
                        import_pack(data, pack_model=WordPack, word_model=Word, builtin=False)
                    )
                except PackError as exc:
                    raise CommandError(f"{path}: {exc}") from None
        except PackError as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            self.stdout.write(
                f"{result.slug}: {result.created} added, {result.updated} updated, "
                f"{result.removed} removed"
            )

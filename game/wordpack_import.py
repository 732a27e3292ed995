"""Loading word packs (game/wordpacks JSON format) into the database.

Used by the data migration (with the historical models) and by ``manage.py load_wordpacks``
(with the real ones), so both behave the same: validate first, then make the pack's rows
equal the file (words added, changed and removed), which makes a second run a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from game.wordpacks import BUILTIN_LANGUAGES, load_builtin_pack, validate_pack


class PackError(ValueError):
    pass


@dataclass(frozen=True)
class ImportResult:
    slug: str
    created: int
    updated: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def import_pack(data: Any, *, pack_model, word_model, builtin: bool) -> ImportResult:
    errors = validate_pack(data)
    if errors:
        shown = "\n  ".join(errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise PackError(f"invalid word pack:\n  {shown}{more}")
    with transaction.atomic():
        pack, _ = pack_model.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "language": data["language"],
                "description": data["description"],
                "builtin": builtin,
            },
        )
        existing = {word.text: word for word in word_model.objects.filter(pack=pack)}
        created = updated = 0
        for entry in data["words"]:
            values = {
                "language": data["language"],
                "category": entry["category"],
                "synonyms": list(entry["synonyms"]),
                "difficulty": entry["difficulty"],
            }
            word = existing.pop(entry["word"], None)
            if word is None:
                word_model.objects.create(pack=pack, text=entry["word"], **values)
                created += 1
            elif any(getattr(word, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(word, key, value)
                word.save()
                updated += 1
        removed = len(existing)
        if existing:
            word_model.objects.filter(pk__in=[word.pk for word in existing.values()]).delete()
    return ImportResult(pack.slug, created, updated, removed)


def import_builtin_packs(*, pack_model, word_model) -> list[ImportResult]:
    return [
        import_pack(
            load_builtin_pack(language), pack_model=pack_model, word_model=word_model, builtin=True
        )
        for language in BUILTIN_LANGUAGES
    ]

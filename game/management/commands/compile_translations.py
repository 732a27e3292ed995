"""Compile the project's .po files into .mo files without GNU gettext.

Django's ``compilemessages`` needs ``msgfmt`` from GNU gettext, which a fresh machine (or a
slim container) often lacks; the .mo files are build products and not committed. This command
does the same job with the pure-python ``polib``, so ``make run`` and ``make test`` work
everywhere. Fuzzy and untranslated entries are left out, exactly as msgfmt does by default.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def locale_dirs() -> list[Path]:
    """Where Django looks for translations: LOCALE_PATHS and each project app's locale/."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # Installed packages (Django, allauth) ship their own compiled catalogues; a
        # virtualenv inside the project folder must not count as the project.
        if "site-packages" in path.parts or not path.is_relative_to(base):
            continue
        if (path / "locale").is_dir():
            dirs.append(path / "locale")
    return [d for d in dirs if d.is_dir()]


class Command(BaseCommand):
    help = "Compile .po files to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Compile even when the .mo file is newer."
        )

    def handle(self, *args, force: bool = False, verbosity: int = 1, **options):
        compiled = 0
        for directory in locale_dirs():
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if (
                    not force
                    and mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
                if verbosity > 1:
                    self.stdout.write(f"compiled {mo_path}")
        if verbosity:
            self.stdout.write(f"compile_translations: {compiled} catalogue(s) compiled")

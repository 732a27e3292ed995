"""The project's Korean catalogue is complete and well-formed, and compiles without gettext."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
KO = REPO / "locale" / "ko" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def test_every_korean_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(KO))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(KO)).translated_entries():
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ), entry.msgid


def test_compile_translations_writes_mo_files_python_can_read(tmp_path):
    target = tmp_path / "locale" / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(KO, target / "django.po")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("compile_translations", verbosity=0)
    with (target / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Create a room") == "방 만들기"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_both_catalogues_exist(lang):
    assert (REPO / "locale" / lang / "LC_MESSAGES" / "django.po").is_file()

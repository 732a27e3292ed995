"""Transactional tests do not leak an emptied database into the next one (tests/conftest.py).

Each ``django_db(transaction=True)`` test ends with a flush of every table, which also drops
what the data migrations loaded. The AI player's game test failed only when it ran after the
game tests for that reason: the room's words had lost their Quick, Draw! categories, so the
local model had nothing to rank. Whichever of these two tests runs second (in any order,
after any other transactional test) checks that the migrated rows came back.
"""

from __future__ import annotations

import pytest

from game.models import Room, Word, WordPack
from game.words import custom_candidates

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("run", ["first", "second"])
def test_every_transactional_test_starts_with_the_builtin_word_packs(run):
    assert WordPack.objects.filter(builtin=True).exists()
    # What the AI player needs: a custom word known to a builtin pack has its category.
    room = Room(language="ko", custom_words=["고양이"], custom_words_only=True)
    assert [c.category for c in custom_candidates(room)] == ["cat"]
    # As the game tests' rooms do, leave the tables changed: the next test must not care.
    Word.objects.all().delete()

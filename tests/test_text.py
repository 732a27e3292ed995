"""The one rule for printable plain text (catchmind/text.py)."""

from __future__ import annotations

import unicodedata

import pytest

from catchmind.text import drop_unprintable, has_unprintable, tidy

UNPRINTABLE = {
    "control (NUL)": "a\x00b",
    "control (newline)": "a\nb",
    "control (DEL)": "a\x7fb",
    "format (zero-width space)": "사\u200b과",
    "format (zero-width joiner)": "a\u200db",
    "format (right-to-left override)": "\u202eabc",
    "format (byte order mark)": "\ufeffabc",
    "surrogate": "a\ud800b",
    "private use": "a\ue000b",
    "unassigned": "a\u0378b",
}


def test_the_cases_are_in_the_categories_they_claim():
    assert unicodedata.category("\x00") == "Cc"
    assert unicodedata.category("\u200b") == "Cf"
    assert unicodedata.category("\u200d") == "Cf"
    assert unicodedata.category("\ud800") == "Cs"
    assert unicodedata.category("\ue000") == "Co"
    assert unicodedata.category("\u0378") == "Cn"


@pytest.mark.parametrize("text", UNPRINTABLE.values(), ids=UNPRINTABLE.keys())
def test_unprintable_characters_are_found(text):
    assert has_unprintable(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "사과",
        "고양이 그림",
        "ㅅㄱ",
        "Hello, world!",
        "apple pie 3.14",
        "🍎",
        "👍🏽",  # emoji with a skin-tone modifier (Sk), no joiner
        "café",
        "Ｆｕｌｌ　ｗｉｄｔｈ",  # full-width letters and the ideographic space (Zs)
        "a\u00a0b",  # no-break space (Zs)
    ],
)
def test_plain_korean_english_and_emoji_pass(text):
    assert not has_unprintable(text)


def test_an_emoji_sequence_built_with_a_joiner_is_refused():
    # 👨‍👩‍👧 joins three emoji with U+200D (Cf); the rule keeps every format character out.
    assert has_unprintable("👨\u200d👩\u200d👧")


def test_drop_unprintable_keeps_everything_else_in_order():
    assert drop_unprintable("\u202e김\u200b철\x00수 🍎\ue000") == "김철수 🍎"
    assert drop_unprintable("Kim\nLee") == "KimLee"
    assert drop_unprintable("plain") == "plain"


def test_tidy_composes_collapses_and_strips():
    decomposed = unicodedata.normalize("NFD", "사과")
    assert len(decomposed) == 4  # 사 = ᄉ + ᅡ, 과 = ᄀ + ᅪ
    assert tidy(f"  {decomposed}\t\n  파이  ") == "사과 파이"
    assert tidy("a\u3000\u00a0b") == "a b"
    assert tidy("   ") == ""


def test_tidy_turns_whitespace_controls_into_spaces_so_they_pass_afterwards():
    tidied = tidy("line one\nline two\r\n")
    assert tidied == "line one line two"
    assert not has_unprintable(tidied)
    # A control that is not whitespace survives tidy and is still refused.
    assert has_unprintable(tidy("a\x00b"))

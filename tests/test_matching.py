"""Rules of answer matching, closeness and hints (game/matching.py). Pure tests, no database."""

from __future__ import annotations

import random

import pytest

from game.matching import (
    MIN_CLOSE_UNITS,
    Verdict,
    _one_edit_apart,
    edit_distance,
    hint,
    hint_reveal_times,
    hint_steps,
    initial_consonants,
    korean_endings,
    match_guess,
    normalize,
    reveals_answer,
    to_jamo,
)

CORRECT, CLOSE, WRONG = Verdict.CORRECT, Verdict.CLOSE, Verdict.WRONG


# --- normalization -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("사과", "사과"),
        ("사 과", "사과"),
        ("  사과!!  ", "사과"),
        ("사과?", "사과"),
        ("Hot-Dog", "hotdog"),
        ("ＴＶ", "tv"),  # full-width letters from a CJK IME
        ("사\u200b과", "사과"),  # zero-width space
        ("사\u3164과", "사과"),  # Hangul filler is a "letter" but invisible
        ("\u1109\u1161\u1100\u116a", "사과"),  # decomposed (NFD) Hangul, as macOS sends it
        ("Straße", "strasse"),  # case folding, not just lower()
        ("🍎사과🍎", "사과"),
    ],
)
def test_normalize_ignores_case_spacing_punctuation_and_unicode_form(text, expected):
    assert normalize(text, "ko") == expected


# --- Korean: correct ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "guess",
    [
        "사과",
        "사과를",
        "사과요",
        "사과!",
        "사과 입니다",
        "사과입니다",
        "사과예요",
        "사과이에요",
        "사과에요",  # common misspelling, accepted on purpose
        "사과인가?",
        "사과인가요",
        "사과일까",
        "사과다",
        "사과임",
        "사과는",
        "사과가",
        "사과도",
        "사과야",
        "사과냐?",
        "사과죠?",
        "사과 같아요",
        "사과인 것 같아요",
        "사과 맞아?",
        "사과가 맞나요",
        "사관가?",  # 사과 + 인가, copula fused into the last syllable
        "사괄까",  # 사과 + 일까
        "사괌",  # 사과 + 임
        "사과ㅋㅋㅋ",
        "사과?ㅠㅠ",
        "  사 과  ",
    ],
)
def test_trailing_particle_is_accepted(guess):
    assert match_guess(guess, "사과", lang="ko") is CORRECT


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("가방이", "가방"),
        ("가방을", "가방"),
        ("가방은", "가방"),
        ("가방이에요", "가방"),
        ("가방이야", "가방"),
        ("가방입니다", "가방"),
        ("가방임", "가방"),
        ("가방인가", "가방"),
        ("책이요", "책"),
    ],
)
def test_consonant_final_word_takes_consonant_endings(guess, answer):
    assert match_guess(guess, answer) is CORRECT


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("가방", "가방"),  # ends in 방, not a particle
        ("가방이", "가방"),
        ("바나나", "바나나"),  # ends in 나
        ("바나나야", "바나나"),
        ("고양이", "고양이"),  # ends in 이, which is also the subject particle
        ("고양이가", "고양이"),
        ("고양인가", "고양이"),
        ("고양임", "고양이"),
        ("기타", "기타"),  # guitar; ends in 타
        ("기타요", "기타"),
        ("다리", "다리"),
        ("모기", "모기"),
        ("도도", "도도"),  # a word made of the particle 도
        ("요요", "요요"),  # a word made of the ending 요
    ],
)
def test_word_ending_in_particle_like_syllable_still_matches(guess, answer):
    assert match_guess(guess, answer) is CORRECT


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("고양", "고양이"),  # the answer itself is never cut
        ("가", "가방"),
        ("바나", "바나나"),
        ("기", "기타"),
        ("사", "사과"),
    ],
)
def test_answer_is_never_stripped_to_accept_a_shorter_guess(guess, answer):
    assert match_guess(guess, answer) is not CORRECT


@pytest.mark.parametrize(
    "guess",
    [
        "사과 아님",  # "not an apple"
        "사과 아니야",
        "사과랑 배",  # one message must not shotgun several answers
        "사과나 배",
        "사과하고 배",
        "빨간 사과",  # only trailing endings, never leading words
        "사과를를",  # only one ending chain
        "사과사과",
    ],
)
def test_negations_lists_and_extra_words_are_not_accepted(guess):
    assert match_guess(guess, "사과") is not CORRECT


def test_synonyms_are_accepted_with_endings():
    synonyms = ["핸드폰", "휴대전화", "스마트폰"]
    assert match_guess("핸드폰이요", "휴대폰", synonyms) is CORRECT
    assert match_guess("스마트폰인가", "휴대폰", synonyms) is CORRECT
    assert match_guess("전화기", "휴대폰", synonyms) is WRONG


def test_latin_synonym_in_korean_pack_takes_particles():
    synonyms = ["티비", "TV"]
    assert match_guess("TV", "텔레비전", synonyms) is CORRECT
    assert match_guess("tv를", "텔레비전", synonyms) is CORRECT
    assert match_guess("ＴＶ요", "텔레비전", synonyms) is CORRECT


def test_no_ending_turns_one_pack_word_into_another():
    # A guard for the ending list itself: none of these is an ending.
    endings = korean_endings()
    for not_an_ending in ("미", "끼리", "어", "나", "랑", "하고", "아니야", "아님", "의"):
        assert not_an_ending not in endings


# --- Korean: close -----------------------------------------------------------------------


def test_jamo_decomposition_splits_compound_vowels_and_final_clusters():
    assert to_jamo("사과") == "ㅅㅏㄱㅗㅏ"
    assert to_jamo("닭") == "ㄷㅏㄹㄱ"
    assert to_jamo("의자") == "ㅇㅡㅣㅈㅏ"
    assert to_jamo("까치") == "ㄲㅏㅊㅣ"  # tense consonants are one key


def test_saga_is_close_to_sagwa():
    assert edit_distance(to_jamo("사가"), to_jamo("사과")) == 1
    assert match_guess("사가", "사과") is CLOSE


def test_saja_is_not_close_to_sagwa():
    assert edit_distance(to_jamo("사자"), to_jamo("사과")) == 2
    assert match_guess("사자", "사과") is WRONG


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("사가", "사과"),  # missing ㅗ of ㅘ
        ("사고", "사과"),  # missing ㅏ of ㅘ
        ("사꽈", "사과"),  # ㄱ → ㄲ
        ("고야이", "고양이"),  # one missing key, syllables regrouped by the IME
        ("가바", "가방"),
        ("바난", "바나나"),
        ("코끼라", "코끼리"),
        ("휴대본", "휴대폰"),
        ("헬리곱터", "헬리콥터"),
    ],
)
def test_close_guess_on_jamo(guess, answer):
    assert match_guess(guess, answer) is CLOSE


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("사가를", "사과"),
        ("사고가", "사과"),
        ("가바요", "가방"),
        ("고야이에요", "고양이"),
    ],
)
def test_close_check_applies_after_particle_stripping(guess, answer):
    assert match_guess(guess, answer) is CLOSE


def test_wrong_particle_on_the_exact_answer_is_close():
    assert match_guess("사과을", "사과") is CLOSE


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("논", "눈"),  # 3 jamo: one edit makes another word, not a typo
        ("손", "소"),
        ("배", "해"),
        ("사자", "사과"),
        ("수박", "사과"),
        ("고양", "고양이"),
    ],
)
def test_short_or_distant_guesses_are_not_close(guess, answer):
    assert match_guess(guess, answer) is WRONG


def test_close_is_computed_against_synonyms():
    assert match_guess("핸드본", "휴대폰", ["핸드폰"]) is CLOSE


def test_correct_guess_is_never_reported_close():
    # 사과 is one edit from 사괴 but the guess is the synonym itself.
    assert match_guess("사괴", "사과", ["사괴"]) is CORRECT


def test_known_pack_word_is_wrong_not_close():
    vocabulary = frozenset({"사과", "사고", "휴대폰"})
    assert match_guess("사고", "사과") is CLOSE
    assert match_guess("사고", "사과", vocabulary=vocabulary) is WRONG
    assert match_guess("사가", "사과", vocabulary=vocabulary) is CLOSE


# --- English -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("apple", "apple"),
        ("Apple", "apple"),
        ("APPLE!", "apple"),
        ("apples", "apple"),
        ("an apple", "apple"),
        ("the apples", "apple"),
        ("a box", "box"),
        ("boxes", "box"),
        ("cherries", "cherry"),
        ("knives", "knife"),
        ("leaves", "leaf"),
        ("mice", "mouse"),
        ("teeth", "tooth"),
        ("feet", "foot"),
        ("drum", "drums"),
        ("grape", "grapes"),
        ("match", "matches"),
        ("hot dogs", "hot dog"),
        ("hotdog", "hot dog"),
        ("hot-dog", "hot dog"),
        ("t shirt", "t-shirt"),
        ("tshirts", "t-shirt"),
        ("eiffel tower", "The Eiffel Tower"),
        ("the eiffel tower", "Eiffel Tower"),
    ],
)
def test_english_plural_and_article_accepted(guess, answer):
    assert match_guess(guess, answer, lang="en") is CORRECT


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("bu", "bus"),  # "bus" is not the plural of "bu"
        ("cactu", "cactus"),
        ("glas", "glass"),
        ("a", "apple"),
        ("the", "apple"),
        ("apple pie", "apple"),
    ],
)
def test_english_plural_rules_do_not_accept_fragments(guess, answer):
    assert match_guess(guess, answer, lang="en") is not CORRECT


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("aple", "apple"),
        ("appel", "apple"),  # swapped neighbours
        ("applr", "apple"),
        ("aples", "apple"),
        ("giraffee", "giraffe"),
        ("helicoptr", "helicopter"),
        ("a hot dgo", "hot dog"),
    ],
)
def test_english_close_is_one_letter_edit(guess, answer):
    assert match_guess(guess, answer, lang="en") is CLOSE


@pytest.mark.parametrize(
    ("guess", "answer"),
    [
        ("hat", "cat"),  # three letters: too short for close
        ("bat", "cat"),
        ("cow", "owl"),
        ("applz pie", "apple"),
        ("banana", "apple"),
    ],
)
def test_english_short_or_distant_words_are_not_close(guess, answer):
    assert match_guess(guess, answer, lang="en") is WRONG


def test_english_known_word_is_wrong_not_close():
    assert match_guess("bear", "pear", lang="en") is CLOSE
    vocabulary = frozenset({"pear", "bear", "beard"})
    assert match_guess("bear", "pear", lang="en", vocabulary=vocabulary) is WRONG
    assert match_guess("bears", "pear", lang="en", vocabulary=vocabulary) is WRONG
    assert match_guess("paer", "pear", lang="en", vocabulary=vocabulary) is CLOSE


def test_english_synonyms():
    synonyms = ["mobile phone", "phone", "smartphone"]
    assert match_guess("a mobile phone", "cell phone", synonyms, lang="en") is CORRECT
    assert match_guess("phones", "cell phone", synonyms, lang="en") is CORRECT
    assert match_guess("smartphon", "cell phone", synonyms, lang="en") is CLOSE


def test_empty_guess_is_wrong():
    assert match_guess("", "사과") is WRONG
    assert match_guess("!!!", "apple", lang="en") is WRONG
    assert match_guess("ㅋㅋㅋ", "사과") is WRONG


# --- drawer chat -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "사과",
        "사과를 그리고 있어요",
        "빨간사과",
        "사 과",
        "사.과",
        "힌트: 사과!",
    ],
)
def test_drawer_cannot_chat_the_answer(message):
    assert reveals_answer(message, "사과", (), "ko")


@pytest.mark.parametrize("message", ["사가", "사고 조심", "이건 사가야", "사꽈"])
def test_drawer_cannot_chat_close_variant(message):
    assert reveals_answer(message, "사과", (), "ko")


def test_drawer_cannot_chat_a_synonym():
    assert reveals_answer("핸드폰 그리는 중", "휴대폰", ["핸드폰", "스마트폰"], "ko")
    assert reveals_answer("this is a tv", "텔레비전", ["티비", "TV"], "ko")


@pytest.mark.parametrize(
    "message",
    ["안녕하세요", "사각형 그려요", "잘 봐주세요", "사랑해요", "ㅋㅋㅋ", ""],
)
def test_drawer_may_chat_unrelated_words(message):
    assert not reveals_answer(message, "사과", (), "ko")


@pytest.mark.parametrize(
    "message",
    ["apple", "I love apples!", "an aple", "a p p l e", "APPLE", "appel"],
)
def test_drawer_cannot_chat_english_answer_or_close_variant(message):
    assert reveals_answer(message, "apple", (), "en")


@pytest.mark.parametrize("message", ["pineapple juice", "good luck", "grapple"])
def test_drawer_may_chat_words_that_merely_contain_english_answer(message):
    assert not reveals_answer(message, "apple", (), "en")


def test_drawer_may_say_a_different_known_word():
    vocabulary = frozenset({"pear", "bear"})
    assert reveals_answer("a bear", "pear", (), "en")
    assert not reveals_answer("a bear", "pear", (), "en", vocabulary=vocabulary)
    assert reveals_answer("pearr", "pear", (), "en", vocabulary=vocabulary)


def test_multi_word_english_answer_is_caught_across_spaces():
    assert reveals_answer("it's a hot dog", "hot dog", (), "en")
    assert reveals_answer("hotdogs!", "hot dog", (), "en")


# --- 초성 and hints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("사과", "ㅅㄱ"),
        ("고양이", "ㄱㅇㅇ"),
        ("에펠 탑", "ㅇㅍ ㅌ"),
        ("까치", "ㄲㅊ"),
        ("TV", "TV"),
    ],
)
def test_initial_consonants(word, expected):
    assert initial_consonants(word) == expected


@pytest.mark.parametrize("answer", ["사과", "고양이", "에펠탑", "만리장성", "소", "휴대폰"])
def test_korean_hint_starts_with_initial_consonants(answer):
    steps = hint_steps(answer, "ko", seed=7)
    assert steps[0] == "_" * len(answer)
    assert steps[1] == initial_consonants(answer)


def test_sagwa_hint_schedule():
    steps = hint_steps("사과", "ko", seed=1)
    assert steps[:2] == ["__", "ㅅㄱ"]
    assert len(steps) == 3
    assert steps[2] in ("사ㄱ", "ㅅ과")


def _revealed_syllables(mask: str, answer: str) -> int:
    return sum(1 for shown, real in zip(mask, answer, strict=True) if shown == real)


@pytest.mark.parametrize(
    "answer", ["사과", "고양이", "에펠탑", "만리장성", "소", "휴대폰", "롤러코스터", "돛단배"]
)
@pytest.mark.parametrize("seed", [0, 1, 2, "round-42"])
def test_korean_hint_never_reveals_more_than_half_the_syllables(answer, seed):
    for mask in hint_steps(answer, "ko", seed):
        assert _revealed_syllables(mask, answer) <= len(answer) // 2


@pytest.mark.parametrize(
    "answer", ["apple", "cat", "hot dog", "t-shirt", "The Great Wall of China", "ox"]
)
@pytest.mark.parametrize("seed", [0, 1, 2, "round-42"])
def test_latin_hint_never_reveals_more_than_half_the_letters(answer, seed):
    letters = sum(char.isalnum() for char in answer)
    steps = hint_steps(answer, "en", seed)
    assert len(steps) == 1 + letters // 2
    for mask in steps:
        assert len(mask) == len(answer)
        assert sum(char.isalnum() for char in mask) <= letters // 2


def test_latin_hint_keeps_spaces_and_hyphens_visible():
    assert hint_steps("hot dog", "en", 0)[0] == "___ ___"
    assert hint_steps("t-shirt", "en", 0)[0] == "_-_____"
    for mask in hint_steps("t-shirt", "en", 0):
        assert mask[1] == "-"


def test_each_hint_level_reveals_one_more_thing():
    steps = hint_steps("helicopter", "en", seed=3)
    for before, after in zip(steps, steps[1:], strict=False):
        assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
        assert after.count("_") == before.count("_") - 1


def test_hints_are_deterministic_given_a_seed():
    assert hint_steps("롤러코스터", "ko", "turn-9") == hint_steps("롤러코스터", "ko", "turn-9")
    assert hint_steps("helicopter", "en", 5) == hint_steps("helicopter", "en", 5)
    orders = {tuple(hint_steps("helicopter", "en", seed)) for seed in range(20)}
    assert len(orders) > 1  # the seed actually matters


def test_hint_level_is_clamped():
    steps = hint_steps("사과", "ko", 0)
    assert hint("사과", 0, "ko", 0) == steps[0]
    assert hint("사과", 99, "ko", 0) == steps[-1]
    assert hint("사과", -1, "ko", 0) == steps[0]


def test_hint_reveal_times_are_spread_over_the_turn():
    times = hint_reveal_times("사과", 90.0, "ko")
    assert times == [0.0, 30.0, 60.0]
    times = hint_reveal_times("helicopter", 80.0, "en")
    assert times[0] == 0.0 and all(0 < t < 80 for t in times[1:])
    assert times == sorted(times)


# --- properties --------------------------------------------------------------------------


def test_edit_distance_basics():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("ab", "ba") == 1  # a swap is one edit
    assert edit_distance("", "abc") == 3
    assert edit_distance("abcdef", "a", limit=1) == 2


def test_min_close_units_is_four():
    assert MIN_CLOSE_UNITS == 4


def test_fused_copula_is_not_applied_to_one_syllable_words():
    # 배 + 임 would fuse to 뱀 (snake): a different word, not "it's a pear".
    assert match_guess("뱀", "배") is WRONG
    assert match_guess("배임", "배") is CORRECT
    assert match_guess("배인가요", "배") is CORRECT


@pytest.mark.parametrize(
    ("message", "reveals"),
    [
        ("차가 빨라요", True),
        ("빨간 차!", True),
        ("차를 그려요", True),
        ("차례대로 그릴게요", False),  # 차 inside another word
        ("자동차", True),
        ("자 동 차", True),
    ],
)
def test_one_syllable_synonym_is_caught_as_a_word_not_as_a_substring(message, reveals):
    assert reveals_answer(message, "자동차", ["차", "승용차"], "ko") is reveals


def test_linear_one_edit_check_agrees_with_edit_distance():
    rng = random.Random(7)
    for _ in range(20000):
        a = "".join(rng.choice("abc") for _ in range(rng.randrange(6)))
        b = "".join(rng.choice("abc") for _ in range(rng.randrange(6)))
        assert _one_edit_apart(a, b) is (edit_distance(a, b) == 1), (a, b)

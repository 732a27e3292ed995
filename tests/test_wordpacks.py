"""The built-in word packs (game/wordpacks): complete, valid, and unambiguous to guess."""

from __future__ import annotations

import copy
import unicodedata

import pytest

from game.matching import Verdict, hint_steps, match_guess, normalize, reveals_answer
from game.wordpacks import (
    BUILTIN_LANGUAGES,
    load_builtin_pack,
    load_categories,
    pack_vocabulary,
    validate_pack,
)
from tests.conftest import quickdraw_dir, require

# Homonyms: the same everyday word names two things. Accepting it on both turns is right
# (a player who sees a leg and types 다리 is correct; so is one who sees a bridge), and the
# display words stay distinct so the drawer and the dataset label are unambiguous.
# (guess text, category of the entry it comes from, category it is also correct for)
HOMONYMS = {
    "ko": {
        ("다리", "leg", "bridge"),  # 교량 is shown, 다리 accepted
        ("다리", "bridge", "leg"),
        ("칼", "knife", "sword"),  # 검 is shown, 칼 accepted
        ("칼", "sword", "knife"),
    },
    "en": {
        ("bat", "bat", "baseball bat"),
        ("bat", "baseball bat", "bat"),
        ("phone", "cell phone", "telephone"),
        ("phone", "telephone", "cell phone"),
    },
}

# Display words that are one keystroke edit from another entry (its word or a synonym). They
# are different real things, not typos, so the game passes the pack vocabulary to
# match_guess and such a guess is WRONG, not CLOSE (asserted below). Listed so that a pack
# edit that adds a new near-collision is noticed and judged.
KNOWN_CLOSE_PAIRS = {
    "ko": {
        ("개미", "거미"),
        ("거미", "검"),
        ("고양이", "양동이"),
        ("교량", "달"),  # 달 ~ 다리 (bridge's synonym)
        ("기차", "기타"),
        ("다리", "달"),
        ("덤불", "아령"),  # 덤불 ~ 덤벨
        ("도끼", "토끼"),
        ("마이크", "오토바이"),  # 마이크 ~ 바이크
        ("모기", "스테이크"),  # 모기 ~ 고기
        ("벤치", "펜치"),
        ("사각형", "삼각형"),
        ("소파", "온수 욕조"),  # 소파 ~ 스파
        ("슬리퍼", "오리"),  # 오리 ~ 쪼리
        ("아이스바", "하프"),  # 하프 ~ 하드
        ("연못", "호스"),  # 호스 ~ 호수
    },
    "en": {
        ("ant", "pants"),
        ("bat", "bathtub"),  # bat ~ bath
        ("bat", "sailboat"),  # bat ~ boat
        ("beach", "bench"),
        ("beach", "shoe"),  # shore ~ shoe
        ("beach", "shorts"),  # shore ~ shorts
        ("bear", "beard"),
        ("bear", "ear"),
        ("bear", "pear"),
        ("bear", "string bean"),  # bear ~ bean
        ("book", "shoe"),  # book ~ boot
        ("brain", "rain"),
        ("brain", "train"),
        ("bread", "leaf"),  # leaf ~ loaf
        ("bucket", "jail"),  # jail ~ pail
        ("bucket", "nail"),  # nail ~ pail
        ("bus", "bush"),
        ("bush", "paintbrush"),  # bush ~ brush
        ("cake", "rake"),
        ("car", "postcard"),  # car ~ card
        ("carrot", "parrot"),
        ("castle", "cow"),  # castle ~ cattle
        ("cat", "jacket"),  # cat ~ coat
        ("cooler", "stove"),  # cooler ~ cooker
        ("duck", "hockey puck"),  # duck ~ puck
        ("ear", "pear"),
        ("eyeglasses", "grass"),  # grass ~ glasses
        ("foot", "shoe"),  # foot ~ boot
        ("garden hose", "horse"),  # horse ~ hose
        ("garden hose", "house"),
        ("garden hose", "nose"),
        ("harp", "rabbit"),  # harp ~ hare
        ("horse", "house"),
        ("horse", "pond"),  # pond ~ pony
        ("house", "mouse"),
        ("house plant", "pants"),  # pants ~ plant
        ("jacket", "tennis racquet"),  # jacket ~ racket
        ("jail", "nail"),
        ("matches", "wristwatch"),  # matches ~ watches
        ("nail", "snail"),
        ("paint can", "pants"),  # pants ~ paint
        ("pants", "underwear"),  # pants ~ panties
        ("pear", "peas"),
        ("rain", "train"),
        ("shorts", "t-shirt"),  # shorts ~ shirt
        ("stairs", "star"),
    },
}


def _pack(lang: str) -> dict:
    return load_builtin_pack(lang)


# --- structure ---------------------------------------------------------------------------


def test_committed_category_list_has_345_unique_names():
    categories = load_categories()
    assert len(categories) == 345
    assert len(set(categories)) == 345
    assert all(name == name.strip() and name for name in categories)


@pytest.mark.shared_data
def test_committed_category_list_matches_the_shared_dataset():
    path = quickdraw_dir() / "categories.txt"
    require(path.exists(), f"Quick, Draw! categories at {path}")
    shared = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert tuple(shared) == load_categories()
    for lang in BUILTIN_LANGUAGES:
        covered = [entry["category"] for entry in _pack(lang)["words"]]
        assert sorted(covered) == sorted(shared), lang


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_builtin_pack_validates(lang):
    assert validate_pack(_pack(lang), require_all_categories=True) == []


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_builtin_pack_covers_every_category_exactly_once(lang):
    covered = [entry["category"] for entry in _pack(lang)["words"]]
    assert len(covered) == len(set(covered)) == 345
    assert set(covered) == set(load_categories())


@pytest.mark.parametrize(("lang", "slug"), [("ko", "quickdraw-ko"), ("en", "quickdraw-en")])
def test_builtin_pack_metadata(lang, slug):
    pack = _pack(lang)
    assert pack["slug"] == slug
    assert pack["language"] == lang
    assert pack["name"].strip() and pack["description"].strip()


def test_load_builtin_pack_returns_a_fresh_copy():
    pack = _pack("ko")
    pack["words"].clear()
    assert len(_pack("ko")["words"]) == 345


def test_unknown_language_has_no_builtin_pack():
    with pytest.raises(ValueError):
        load_builtin_pack("fr")


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_every_difficulty_is_used_and_easy_words_dominate(lang):
    counts = {1: 0, 2: 0, 3: 0}
    for entry in _pack(lang)["words"]:
        counts[entry["difficulty"]] += 1
    assert all(counts.values())
    assert counts[1] > counts[2] > counts[3]


# --- content -----------------------------------------------------------------------------


def _entry(lang: str, category: str) -> dict:
    return next(entry for entry in _pack(lang)["words"] if entry["category"] == category)


@pytest.mark.parametrize(
    ("category", "word", "synonym"),
    [
        ("The Eiffel Tower", "Eiffel Tower", None),
        ("The Great Wall of China", "Great Wall of China", "Great Wall"),
        ("The Mona Lisa", "Mona Lisa", None),
        ("teddy-bear", "teddy bear", None),
        ("see saw", "seesaw", None),
        ("cell phone", "cell phone", "smartphone"),
        ("couch", "couch", "sofa"),
    ],
)
def test_english_words_are_natural(category, word, synonym):
    entry = _entry("en", category)
    assert entry["word"] == word
    if synonym:
        assert synonym in entry["synonyms"]
    assert match_guess(f"the {category}", entry["word"], entry["synonyms"], "en") is Verdict.CORRECT


@pytest.mark.parametrize(
    ("category", "word", "synonyms"),
    [
        ("apple", "사과", []),
        ("cat", "고양이", []),
        ("The Eiffel Tower", "에펠탑", []),
        ("cell phone", "휴대폰", ["핸드폰", "휴대전화", "스마트폰"]),
        ("television", "텔레비전", ["티비", "TV"]),
        ("computer", "컴퓨터", []),
        ("backpack", "가방", []),
        ("banana", "바나나", []),
        ("guitar", "기타", []),
    ],
)
def test_korean_words_are_what_a_korean_player_would_guess(category, word, synonyms):
    entry = _entry("ko", category)
    assert entry["word"] == word
    assert set(synonyms) <= set(entry["synonyms"])


def test_korean_display_words_are_written_in_hangul():
    for entry in _pack("ko")["words"]:
        for char in entry["word"]:
            assert char == " " or unicodedata.name(char).startswith("HANGUL SYLLABLE"), entry


# --- matching against the real packs -----------------------------------------------------


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_every_word_and_synonym_matches_itself(lang):
    for entry in _pack(lang)["words"]:
        for text in (entry["word"], *entry["synonyms"]):
            verdict = match_guess(text, entry["word"], entry["synonyms"], lang)
            assert verdict is Verdict.CORRECT, (text, entry)


def test_every_korean_word_matches_with_a_polite_ending():
    for entry in _pack("ko")["words"]:
        for guess in (entry["word"] + " 입니다!", entry["word"] + "인가요?", entry["word"] + "요"):
            verdict = match_guess(guess, entry["word"], entry["synonyms"], "ko")
            assert verdict is Verdict.CORRECT, (guess, entry)


@pytest.fixture(scope="module")
def cross_verdicts() -> dict[str, dict[tuple[str, str, str], Verdict]]:
    """Every word and synonym of a pack guessed on every other entry's turn, without
    vocabulary: {lang: {(text, source category, other category): verdict}} (non-WRONG only).

    Computed once: the three rules below read it."""
    result: dict[str, dict[tuple[str, str, str], Verdict]] = {}
    for lang in BUILTIN_LANGUAGES:
        entries = _pack(lang)["words"]
        found: dict[tuple[str, str, str], Verdict] = {}
        for source in entries:
            for text in (source["word"], *source["synonyms"]):
                for other in entries:
                    if other is source:
                        continue
                    verdict = match_guess(text, other["word"], other["synonyms"], lang)
                    if verdict is not Verdict.WRONG:
                        found[(text, source["category"], other["category"])] = verdict
        result[lang] = found
    return result


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_no_word_of_a_pack_is_correct_for_another_entry_except_homonyms(lang, cross_verdicts):
    found = {key for key, verdict in cross_verdicts[lang].items() if verdict is Verdict.CORRECT}
    assert found == HOMONYMS[lang]


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_near_collisions_between_pack_words_are_known(lang, cross_verdicts):
    words = {entry["category"]: entry["word"] for entry in _pack(lang)["words"]}
    found = {
        tuple(sorted((text, words[other])))
        for (text, source, other), verdict in cross_verdicts[lang].items()
        if verdict is Verdict.CLOSE and text == words[source]
    }
    assert found == KNOWN_CLOSE_PAIRS[lang]


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_with_the_pack_vocabulary_no_pack_word_is_close_to_another(lang, cross_verdicts):
    # The vocabulary can only turn CLOSE into WRONG, so checking the CLOSE cases is enough.
    pack = _pack(lang)
    vocabulary = pack_vocabulary(pack)
    entries = {entry["category"]: entry for entry in pack["words"]}
    for (text, _source, other), verdict in cross_verdicts[lang].items():
        if verdict is Verdict.CLOSE:
            entry = entries[other]
            again = match_guess(text, entry["word"], entry["synonyms"], lang, vocabulary)
            assert again is Verdict.WRONG, (text, entry["word"])


def test_vocabulary_keeps_real_typos_close():
    pack = _pack("ko")
    vocabulary = pack_vocabulary(pack)
    assert match_guess("사가", "사과", (), "ko", vocabulary) is Verdict.CLOSE
    assert match_guess("거미", "개미", (), "ko", vocabulary) is Verdict.WRONG
    en = _pack("en")
    assert match_guess("bear", "pear", (), "en", pack_vocabulary(en)) is Verdict.WRONG
    assert match_guess("paer", "pear", (), "en", pack_vocabulary(en)) is Verdict.CLOSE


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_drawer_saying_the_word_is_always_caught(lang):
    for entry in _pack(lang)["words"]:
        message = f"{entry['word']}!"
        assert reveals_answer(message, entry["word"], entry["synonyms"], lang), entry


@pytest.mark.parametrize("lang", BUILTIN_LANGUAGES)
def test_hints_for_every_word_reveal_at_most_half(lang):
    for entry in _pack(lang)["words"]:
        word = entry["word"]
        units = [char for char in word if normalize(char)]
        for mask in hint_steps(word, lang, seed=entry["category"]):
            assert len(mask) == len(word)
            revealed = sum(
                1
                for shown, real in zip(mask, word, strict=True)
                if shown == real and normalize(real)
            )
            assert revealed <= len(units) // 2, (word, mask)


# --- validator ---------------------------------------------------------------------------


def _tiny_pack() -> dict:
    return {
        "name": "Test",
        "slug": "test-pack",
        "language": "ko",
        "description": "for tests",
        "words": [
            {"category": "apple", "word": "사과", "synonyms": [], "difficulty": 1},
            {"category": "cat", "word": "고양이", "synonyms": ["냥이"], "difficulty": 1},
        ],
    }


def test_a_small_valid_pack_passes():
    assert validate_pack(_tiny_pack()) == []


def test_require_all_categories_reports_missing_ones():
    errors = validate_pack(_tiny_pack(), require_all_categories=True)
    assert len(errors) == 1 and "343 categories not covered" in errors[0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["words"][0].pop("difficulty"), "missing difficulty"),
        (lambda p: p["words"][0].pop("synonyms"), "missing synonyms"),
        (lambda p: p["words"][0].update(category="unicorn"), "unknown category"),
        (lambda p: p["words"][1].update(category="apple"), "already used"),
        (lambda p: p["words"][1].update(word="사 과"), "duplicates"),
        (lambda p: p["words"][0].update(word=""), "1–30 characters"),
        (lambda p: p["words"][0].update(word="가" * 31), "1–30 characters"),
        (lambda p: p["words"][0].update(word="사\x00과"), "control"),
        (lambda p: p["words"][0].update(word="사\u200b과"), "control"),
        (lambda p: p["words"][0].update(word=" 사과"), "whitespace"),
        (lambda p: p["words"][0].update(word="!!"), "no letters"),
        (lambda p: p["words"][0].update(difficulty=4), "difficulty"),
        (lambda p: p["words"][0].update(difficulty=True), "difficulty"),
        (lambda p: p["words"][0].update(difficulty="1"), "difficulty"),
        (lambda p: p["words"][0].update(synonyms="냥이"), "must be a list"),
        (lambda p: p["words"][1].update(synonyms=["고양 이"]), "repeats"),
        (lambda p: p["words"][1].update(synonyms=[7]), "must be a string"),
        (lambda p: p.update(slug="Quick Draw"), "slug"),
        (lambda p: p.update(language="korean"), "language"),
        (lambda p: p.update(name=""), "name"),
        (lambda p: p.update(words=[]), "non-empty list"),
        (lambda p: p["words"].append("사과"), "must be an object"),
    ],
)
def test_validator_reports_each_problem(mutate, message):
    pack = copy.deepcopy(_tiny_pack())
    mutate(pack)
    errors = validate_pack(pack)
    assert any(message in error for error in errors), errors


def test_validator_rejects_non_objects():
    assert validate_pack([]) == ["pack: must be a JSON object"]


def test_validator_accepts_an_explicit_category_list():
    pack = _tiny_pack()
    assert validate_pack(pack, categories=["apple", "cat"], require_all_categories=True) == []
    assert validate_pack(pack, categories=["apple"]) != []


def test_pack_vocabulary_holds_words_and_synonyms():
    vocabulary = pack_vocabulary(_tiny_pack())
    assert vocabulary == frozenset({"사과", "고양이", "냥이"})

"""Answer matching, closeness and hints for Catchmind.

Pure Python (no Django) so the rules, the AI player, the tests and any worker process can
call it cheaply and get the same result everywhere.

The model
=========
Every comparison happens on *normalized* text (:func:`normalize`): Unicode NFC, full-width
ASCII folded to ASCII, case-folded, and everything that is not a letter or a digit removed
(spaces, punctuation, emoji, zero-width characters, Hangul fillers). "사과 입니다!" and
"사과입니다" are the same guess; so are "Hot-Dog" and "hotdog".

A guess is checked against the answer and its listed synonyms (the *targets*):

* **Korean** (``lang="ko"``): the guess is correct when it is a target followed by at most
  one trailing particle/ending chain from a fixed list (사과를, 사과요, 사과예요, 사과인가,
  사관가, 사과 같아요, 사과 맞아?, 사과ㅋㅋ …). Matching is *anchored on the target*: we never
  strip syllables from the answer and never strip from the middle of the guess, so words that
  end in a particle-looking syllable (가방, 바나나, 고양이, 기타) are never broken. The
  allowed endings depend on whether the target ends in a vowel or a consonant (사과가 /
  가방이), with the common misspellings 사과에요 and 사과이에요 accepted deliberately.
  Negations (아니야, 아님) and listing particles (랑, 나, 하고) are deliberately *not*
  endings: "사과 아님" means "not an apple", and "사과랑배" would let one message shotgun
  several answers.
* **English** (``lang="en"``): leading articles (a/an/the) are ignored and the last word of
  the target may be pluralised or singularised (apples, boxes, cherries, knives, leaves,
  mice, teeth; "drums" also accepts "drum").

A wrong guess is **close** when it is exactly one edit away from a target (insert, delete,
substitute or swap two neighbours; Damerau/OSA distance 1), measured on *keystroke units*:
Hangul is decomposed into the jamo a player types on the standard 두벌식 keyboard, with
compound vowels and final clusters split into their parts (ㅘ = ㅗ+ㅏ, ㄺ = ㄹ+ㄱ) while tense
consonants stay one unit (ㄲ is one shifted key). So 사가 (ㅅㅏㄱㅏ) is close to 사과
(ㅅㅏㄱㅗㅏ), while 사자 (ㅅㅏㅈㅏ) is two edits away and not close. Latin words are measured
on letters. Closeness needs a target of at least :data:`MIN_CLOSE_UNITS` units, because one
edit in a two- or three-unit word (눈/논, cat/hat) is a different word rather than a typo. A
guess that is itself a known word of the pack (the optional ``vocabulary``) is never close:
"bear" on a "pear" turn is a wrong idea, not a typo, and saying "close" would mislead.

Hints
=====
See :func:`hint_steps` for the reveal schedule and :func:`hint_reveal_times` for when each
level is shown during a turn.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "MIN_CLOSE_UNITS",
    "Verdict",
    "edit_distance",
    "hint",
    "hint_reveal_times",
    "hint_steps",
    "initial_consonants",
    "is_hangul_syllable",
    "korean_endings",
    "match_guess",
    "normalize",
    "reveals_answer",
    "to_jamo",
]

#: A target must be at least this many keystroke units long (jamo for Hangul, letters
#: otherwise) before a one-edit guess is reported as close.
MIN_CLOSE_UNITS = 4


class Verdict(StrEnum):
    """Outcome of one guess. String values so it serialises straight into JSON events."""

    CORRECT = "correct"
    CLOSE = "close"
    WRONG = "wrong"


# --------------------------------------------------------------------------------------
# Hangul
# --------------------------------------------------------------------------------------

_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = (
    "",
    "ㄱ",
    "ㄲ",
    "ㄳ",
    "ㄴ",
    "ㄵ",
    "ㄶ",
    "ㄷ",
    "ㄹ",
    "ㄺ",
    "ㄻ",
    "ㄼ",
    "ㄽ",
    "ㄾ",
    "ㄿ",
    "ㅀ",
    "ㅁ",
    "ㅂ",
    "ㅄ",
    "ㅅ",
    "ㅆ",
    "ㅇ",
    "ㅈ",
    "ㅊ",
    "ㅋ",
    "ㅌ",
    "ㅍ",
    "ㅎ",
)
# Compound vowels and final clusters are typed as two keys on 두벌식, so they count as two
# units. Tense consonants (ㄲ ㄸ ㅃ ㅆ ㅉ) and ㅒ/ㅖ are single shifted keys and stay whole.
_SPLIT = {
    "ㅘ": "ㅗㅏ",
    "ㅙ": "ㅗㅐ",
    "ㅚ": "ㅗㅣ",
    "ㅝ": "ㅜㅓ",
    "ㅞ": "ㅜㅔ",
    "ㅟ": "ㅜㅣ",
    "ㅢ": "ㅡㅣ",
    "ㄳ": "ㄱㅅ",
    "ㄵ": "ㄴㅈ",
    "ㄶ": "ㄴㅎ",
    "ㄺ": "ㄹㄱ",
    "ㄻ": "ㄹㅁ",
    "ㄼ": "ㄹㅂ",
    "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ",
    "ㄿ": "ㄹㅍ",
    "ㅀ": "ㄹㅎ",
    "ㅄ": "ㅂㅅ",
}
# Invisible "letters" (category Lo) that could smuggle spacing into a guess or hide an answer.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def is_hangul_syllable(char: str) -> bool:
    """True for a precomposed Hangul syllable (가–힣)."""
    return len(char) == 1 and _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def _split_syllable(char: str) -> tuple[int, int, int]:
    index = ord(char) - _SYLLABLE_FIRST
    return index // 588, (index % 588) // 28, index % 28


def _join_syllable(initial: int, medial: int, final: int) -> str:
    return chr(_SYLLABLE_FIRST + initial * 588 + medial * 28 + final)


@lru_cache(maxsize=8192)
def to_jamo(text: str) -> str:
    """Decompose Hangul into keystroke units; other characters pass through unchanged.

    Uses compatibility jamo (ㄱ, ㅏ) for initials and finals alike, because a 두벌식 typist
    presses the same key for both: a missing or extra key then costs exactly one edit however
    the IME happens to regroup the syllables (고양이 → 고야이 is one edit).
    """
    out: list[str] = []
    for char in text:
        if is_hangul_syllable(char):
            initial, medial, final = _split_syllable(char)
            parts = (_INITIALS[initial], _MEDIALS[medial], _FINALS[final])
            out.extend(_SPLIT.get(part, part) for part in parts)
        else:
            out.append(_SPLIT.get(char, char))
    return "".join(out)


def initial_consonants(word: str) -> str:
    """초성 of a word: each Hangul syllable becomes its initial consonant (사과 → ㅅㄱ).

    Everything else (spaces, Latin letters, digits) is kept as is, so multi-word answers keep
    their shape (에펠 탑 → ㅇㅍ ㅌ).
    """
    return "".join(
        _INITIALS[_split_syllable(char)[0]] if is_hangul_syllable(char) else char for char in word
    )


# --------------------------------------------------------------------------------------
# Normalization and distance
# --------------------------------------------------------------------------------------


def _fold_width(char: str) -> str:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII, as typed by CJK IMEs
        return chr(code - 0xFEE0)
    if code == 0x3000:  # ideographic space
        return " "
    return char


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN" and char not in _INVISIBLE_LETTERS


def _prepare(text: str) -> str:
    """NFC + width folding + case folding, keeping separators (used before tokenizing)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(_fold_width(char) for char in text).casefold()


def _tokens(text: str) -> list[str]:
    """Split prepared text into words: runs of letters/digits, also split where the script
    changes between Hangul and anything else ("tv를" → "tv", "를")."""
    tokens: list[str] = []
    current: list[str] = []
    current_hangul: bool | None = None
    for char in _prepare(text):
        if not _is_word_char(char):
            if current:
                tokens.append("".join(current))
                current = []
            current_hangul = None
            continue
        hangul = is_hangul_syllable(char) or "\u3131" <= char <= "\u318e"
        if current and hangul != current_hangul:
            tokens.append("".join(current))
            current = []
        current.append(char)
        current_hangul = hangul
    if current:
        tokens.append("".join(current))
    return tokens


@lru_cache(maxsize=8192)
def normalize(text: str, lang: str = "ko") -> str:
    """Canonical form of a guess or answer: NFC, case-folded, letters and digits only.

    Spacing and punctuation carry no meaning in a guess (players type "사과 입니다!",
    "hot-dog", "ＴＶ"), so they are removed entirely. ``lang`` is accepted for symmetry with
    the other functions; normalization itself is the same for every language, which keeps a
    Latin synonym in a Korean pack ("TV") working.
    """
    del lang  # same rules for every language, see docstring
    return "".join(char for char in _prepare(text) if _is_word_char(char))


def edit_distance(a: Sequence[str], b: Sequence[str], limit: int | None = None) -> int:
    """Optimal-string-alignment (restricted Damerau–Levenshtein) distance.

    Swapping two neighbouring keys is one typo, hence Damerau rather than plain Levenshtein.
    With ``limit``, returns ``limit + 1`` as soon as the distance is known to exceed it.
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def _one_edit_apart(a: str, b: str) -> bool:
    """Linear-time ``edit_distance(a, b) == 1`` (the hot path of every guess)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # one insertion
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:  # one substitution
        return True
    # one swap of neighbours
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def _close_units(a: str, b: str) -> bool:
    """a and b differ by exactly one keystroke-unit edit."""
    return _one_edit_apart(to_jamo(a), to_jamo(b))


def _close_eligible(target: str) -> bool:
    return len(to_jamo(target)) >= MIN_CLOSE_UNITS


# --------------------------------------------------------------------------------------
# Korean endings
# --------------------------------------------------------------------------------------

# Endings after a vowel-final noun (사과). Case/topic particles plus the polite 요.
_PARTICLES_AFTER_VOWEL = ("가", "를", "는", "도", "요", "는요", "도요")
# Endings after a consonant-final noun (가방).
_PARTICLES_AFTER_CONSONANT = ("이", "을", "은", "도", "요", "이요", "은요", "도요")
# The copula 이다 in the forms players use to answer or to ask. Full forms work after any
# noun (사과이에요 is the uncontracted spelling, 가방이에요 the standard one).
_COPULA_FULL = (
    "이다",
    "이야",
    "이에요",
    "이예요",  # common misspelling of 이에요
    "입니다",
    "입니까",
    "이요",
    "임",
    "임요",
    "인가",
    "인가요",
    "인감",
    "인가봐",
    "인가봐요",
    "일까",
    "일까요",
    "이지",
    "이죠",
    "이지요",
    "이네",
    "이네요",
    "이냐",
    "이니",
    "인데",
    "인데요",
    "인듯",
    "인듯요",
    "인듯함",
    "인듯하다",
    "일걸",
    "일걸요",
    "이겠지",
    "이겠죠",
    "이잖아",
    "이잖아요",
    "인거야",
    "인거지",
    "인거죠",
    "인거임",
    "인것같아",
    "인것같아요",
    "인거같아",
    "인거같아요",
    "인것같다",
    "인것같음",
    "인거같음",
    "인것같습니다",
)
# After a vowel the copula's 이 is usually dropped (사과다, 사과예요) or fused into the last
# syllable as a final consonant (사과인가 → 사관가, 사과임 → 사괌). 사과에요 is a very common
# misspelling of 사과예요 and accepted on purpose.
_COPULA_CONTRACTED_EXTRA = ("예요", "에요")
# "It looks like X", "X, right?": hedged guesses are still guesses.
_HEDGES = (
    "같아",
    "같아요",
    "같애",
    "같애요",
    "같다",
    "같음",
    "같은데",
    "같은데요",
    "같네",
    "같네요",
    "같습니다",
    "맞아",
    "맞아요",
    "맞지",
    "맞죠",
    "맞나",
    "맞나요",
    "맞냐",
    "맞니",
    "맞음",
    "맞습니까",
    "맞는듯",
)
# Trailing laughter/crying jamo ("사과ㅋㅋ", "사과ㅠㅠ") are chat noise, not part of the guess.
_NOISE_JAMO = frozenset("ㅋㅎㅠㅜ")


def _contract(form: str) -> tuple[str, str] | None:
    """Split a full copula form into (final consonant to fuse, rest) or (drop 이, rest)."""
    head, rest = form[0], form[1:]
    if head == "이":
        return ("", rest) if rest else None
    if is_hangul_syllable(head):
        initial, medial, final = _split_syllable(head)
        if _INITIALS[initial] == "ㅇ" and _MEDIALS[medial] == "ㅣ" and final:
            return (_FINALS[final], rest)
    return None


@lru_cache(maxsize=1)
def _ending_tables() -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]]]:
    after_vowel = {*_PARTICLES_AFTER_VOWEL, *_COPULA_FULL, *_COPULA_CONTRACTED_EXTRA, *_HEDGES}
    after_consonant = {*_PARTICLES_AFTER_CONSONANT, *_COPULA_FULL, *_HEDGES}
    after_vowel.update("가" + hedge for hedge in _HEDGES if hedge.startswith("맞"))
    after_consonant.update("이" + hedge for hedge in _HEDGES if hedge.startswith("맞"))
    fused: dict[str, set[str]] = {}
    for form in _COPULA_FULL:
        split = _contract(form)
        if split is None:
            continue
        final, rest = split
        if final:
            fused.setdefault(final, set()).add(rest)
        else:
            after_vowel.add(rest)
    return (
        frozenset(after_vowel),
        frozenset(after_consonant),
        {final: frozenset(rests) for final, rests in fused.items()},
    )


@lru_cache(maxsize=1)
def korean_endings() -> frozenset[str]:
    """Every trailing ending accepted after some Korean answer (normalized, no spaces).

    Exposed so word-pack checks can make sure no pack word is another word plus an ending.
    """
    after_vowel, after_consonant, _fused = _ending_tables()
    return after_vowel | after_consonant


def _strip_noise(guess: str) -> str:
    end = len(guess)
    while end > 0 and guess[end - 1] in _NOISE_JAMO:
        end -= 1
    return guess[:end] if end else guess


def _korean_correct(guess: str, target: str) -> bool:
    """guess == target + one accepted ending chain (target is never cut)."""
    if guess == target:
        return True
    if len(guess) < len(target) or not guess.startswith(target[:-1]):
        return False  # every accepted form starts with the answer (its last syllable fused)
    after_vowel, after_consonant, fused = _ending_tables()
    last = target[-1]
    if is_hangul_syllable(last):
        has_final = _split_syllable(last)[2] != 0
        endings = after_consonant if has_final else after_vowel
    else:  # "TV" and friends: pronunciation unknown, accept both sets
        has_final = False
        endings = korean_endings()
    if guess.startswith(target) and guess[len(target) :] in endings:
        return True
    # Fused copula: 사과 + 인가 → 사관가, 사과 + 임 → 사괌. Only for words of two or more
    # syllables: on one syllable the fused form is usually another word (배 + 임 = 뱀).
    if len(target) >= 2 and is_hangul_syllable(last) and not has_final:
        fused_syllable = guess[len(target) - 1]
        if not is_hangul_syllable(fused_syllable):
            return False
        initial, medial, final = _split_syllable(fused_syllable)
        if (initial, medial) != _split_syllable(last)[:2] or not final:
            return False
        rest = guess[len(target) :]
        return rest in fused.get(_FINALS[final], frozenset())
    return False


@lru_cache(maxsize=4096)
def _korean_stems(guess: str) -> frozenset[str]:
    """The guess plus every way of removing one trailing ending (for closeness only)."""
    stems = {guess}
    _after_vowel, _after_consonant, fused = _ending_tables()
    for ending in korean_endings():
        if len(guess) > len(ending) and guess.endswith(ending):
            stems.add(guess[: -len(ending)])
    for final, rests in fused.items():
        for rest in rests:
            cut = len(guess) - len(rest) - 1
            if cut < 0 or not guess.endswith(rest):
                continue
            syllable = guess[cut]
            if is_hangul_syllable(syllable):
                initial, medial, fin = _split_syllable(syllable)
                if _FINALS[fin] == final:
                    stems.add(guess[:cut] + _join_syllable(initial, medial, 0))
    return frozenset(stems)


# --------------------------------------------------------------------------------------
# English articles and plurals
# --------------------------------------------------------------------------------------

_ARTICLES = frozenset({"a", "an", "the"})
_IRREGULAR_PLURALS = {
    "cactus": ("cacti", "cactuses"),
    "child": ("children",),
    "die": ("dice",),
    "foot": ("feet",),
    "goose": ("geese",),
    "man": ("men",),
    "mouse": ("mice",),
    "octopus": ("octopi", "octopuses"),
    "ox": ("oxen",),
    "person": ("people",),
    "sheep": ("sheep",),
    "fish": ("fish", "fishes"),
    "tooth": ("teeth",),
    "woman": ("women",),
}
_IRREGULAR_SINGULARS = {
    plural: singular for singular, plurals in _IRREGULAR_PLURALS.items() for plural in plurals
}
_VOWELS = frozenset("aeiou")


def _english_variants(word: str) -> set[str]:
    """Singular and plural spellings a player may use for ``word`` (simple English rules)."""
    variants = {word}
    if not word.isalpha():
        return variants
    variants.update(_IRREGULAR_PLURALS.get(word, ()))
    if word in _IRREGULAR_SINGULARS:
        variants.add(_IRREGULAR_SINGULARS[word])
    # Plurals of a singular word.
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        variants.add(word + "es")
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        variants.add(word[:-1] + "ies")
    if word.endswith("fe"):
        variants.add(word[:-2] + "ves")
    elif word.endswith("f") and not word.endswith("ff"):
        variants.add(word[:-1] + "ves")
    variants.add(word + "s")
    # Singulars of a word that is already plural ("drums", "grapes", "matches", "leaves").
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        variants.add(word[:-1])
        if word.endswith("ies"):
            variants.add(word[:-3] + "y")
        elif word.endswith("ves"):
            variants.update((word[:-3] + "f", word[:-3] + "fe"))
        elif word.endswith(("ches", "shes", "xes", "sses", "zes", "oes")):
            variants.add(word[:-2])
    return variants


def _strip_articles(tokens: list[str]) -> list[str]:
    start = 0
    while start < len(tokens) - 1 and tokens[start] in _ARTICLES:
        start += 1
    return tokens[start:]


@lru_cache(maxsize=4096)
def _english_forms(text: str) -> frozenset[str]:
    """All accepted normalized spellings of an English target."""
    tokens = _strip_articles(_tokens(text))
    if not tokens:
        return frozenset()
    head = "".join(tokens[:-1])
    return frozenset(head + variant for variant in _english_variants(tokens[-1]))


@lru_cache(maxsize=4096)
def _english_guess(text: str) -> str:
    return "".join(_strip_articles(_tokens(text)))


def _english_singulars(word: str) -> set[str]:
    """Possible singular readings of a guess (to recognise "bears" as the known word "bear")."""
    out = {word}
    if word in _IRREGULAR_SINGULARS:
        out.add(_IRREGULAR_SINGULARS[word])
    if word.endswith("s"):
        out.add(word[:-1])
    if word.endswith("es"):
        out.add(word[:-2])
    if word.endswith("ies"):
        out.add(word[:-3] + "y")
    if word.endswith("ves"):
        out.update((word[:-3] + "f", word[:-3] + "fe"))
    return out


# --------------------------------------------------------------------------------------
# Targets and vocabulary
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _targets(answer: str, synonyms: tuple[str, ...], lang: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for text in (answer, *synonyms):
        key = _english_guess(text) if lang == "en" else normalize(text, lang)
        if key:
            seen.setdefault(key, None)
    return tuple(seen)


@lru_cache(maxsize=64)
def _vocabulary_keys(vocabulary: frozenset[str], lang: str) -> frozenset[str]:
    keys: set[str] = set()
    for word in vocabulary:
        if lang == "en":
            keys.update(_english_forms(word))
        else:
            keys.add(normalize(word, lang))
    keys.discard("")
    return frozenset(keys)


def _known_word(candidates: Iterable[str], vocabulary: Iterable[str], lang: str) -> bool:
    if not vocabulary:
        return False
    frozen = vocabulary if isinstance(vocabulary, frozenset) else frozenset(vocabulary)
    keys = _vocabulary_keys(frozen, lang)
    return any(candidate in keys for candidate in candidates)


# --------------------------------------------------------------------------------------
# Public rules
# --------------------------------------------------------------------------------------


def match_guess(
    guess: str,
    answer: str,
    synonyms: Iterable[str] = (),
    lang: str = "ko",
    vocabulary: Iterable[str] = (),
) -> Verdict:
    """Judge one chat guess against the turn's answer.

    ``synonyms`` are the entry's accepted alternatives (핸드폰 for 휴대폰). ``vocabulary`` is
    optional: every word and synonym of the room's pack (pass a ``frozenset`` so the
    normalized form is cached). A guess that is itself a known word is never CLOSE, see the
    module docstring. A correct guess is never reported as close.
    """
    synonyms = tuple(synonyms)
    targets = _targets(answer, synonyms, lang)
    if not targets:
        return Verdict.WRONG
    if lang == "en":
        guess_key = _english_guess(guess)
        if not guess_key:
            return Verdict.WRONG
        all_forms = {form for text in (answer, *synonyms) for form in _english_forms(text)}
        if guess_key in all_forms:
            return Verdict.CORRECT
        if _known_word(_english_singulars(guess_key), vocabulary, lang):
            return Verdict.WRONG
        for text in (answer, *synonyms):
            forms = _english_forms(text)
            base = _english_guess(text)
            if base and _close_eligible(base) and any(_close_units(guess_key, f) for f in forms):
                return Verdict.CLOSE
        return Verdict.WRONG

    guess_key = normalize(guess, lang)
    if not guess_key:
        return Verdict.WRONG
    if lang == "ko":
        guess_key = _strip_noise(guess_key)
        if any(_korean_correct(guess_key, target) for target in targets):
            return Verdict.CORRECT
        stems = _korean_stems(guess_key)
    else:
        if guess_key in targets:
            return Verdict.CORRECT
        stems = frozenset({guess_key})
    if _known_word(stems, vocabulary, lang):
        return Verdict.WRONG
    for target in targets:
        if not _close_eligible(target):
            continue
        for stem in stems:
            # Distance 0 can only come from a stripped ending that is wrong for this word
            # (사과을): the player typed the answer, so tell them they are close.
            if stem == target or _close_units(stem, target):
                return Verdict.CLOSE
    return Verdict.WRONG


def _has_hangul(text: str) -> bool:
    return any(is_hangul_syllable(char) or "\u3131" <= char <= "\u318e" for char in text)


def reveals_answer(
    message: str,
    answer: str,
    synonyms: Iterable[str] = (),
    lang: str = "ko",
    vocabulary: Iterable[str] = (),
) -> bool:
    """True if a chat message from the drawer would give the answer away.

    The message reveals the answer when, after normalization, it contains a target (answer or
    synonym) or a close variant of one (one keystroke-unit edit, targets of
    :data:`MIN_CLOSE_UNITS`+ units, known pack words excepted as in :func:`match_guess`).

    * Hangul targets are searched as substrings of the whole message with spacing removed,
      because Korean attaches particles and writes compounds without spaces (사과를, 빨간사과,
      "사 과"). Close variants are searched on whole-syllable windows so that an unrelated
      word sharing a few jamo (사각형 while the answer is 사과) is not blocked.
    * One-syllable Hangul targets (차, 해) are searched as words, optionally followed by an
      accepted ending (차가, 해를), because as substrings they hide in everyday words.
    * Latin targets are searched as runs of whole words ("the hot dog", "h o t d o g"), so
      that "pineapple" does not block "apple" and "category" does not block "cat"; plurals
      count in English rooms.

    Erring on the side of blocking is deliberate: a blocked drawer rephrases, a leaked answer
    spoils the turn.
    """
    synonyms = tuple(synonyms)
    texts = [text for text in (answer, *synonyms) if normalize(text, lang)]
    if not texts:
        return False
    joined = normalize(message, lang)
    if not joined:
        return False
    tokens = _tokens(message)
    for text in texts:
        target = normalize(text, lang)
        if _has_hangul(target) and len(target) == 1:
            # One syllable (차, 해, 개) is inside too many innocent words (차례, 해봐, 두 개)
            # for a substring rule: look for it as a word, with or without an ending.
            if any(_korean_correct(_strip_noise(token), target) for token in tokens):
                return True
        elif _has_hangul(target):
            if target in joined:
                return True
            if _close_eligible(target) and _hangul_close_window(joined, target, vocabulary, lang):
                return True
        else:
            if _latin_span_reveals(tokens, text, lang, vocabulary):
                return True
    return False


def _hangul_close_window(joined: str, target: str, vocabulary: Iterable[str], lang: str) -> bool:
    target_units = to_jamo(target)
    for size in (len(target) - 1, len(target), len(target) + 1):
        if size <= 0:
            continue
        for start in range(0, len(joined) - size + 1):
            window = joined[start : start + size]
            if _one_edit_apart(to_jamo(window), target_units) and not _known_word(
                (window,), vocabulary, lang
            ):
                return True
    return False


def _latin_span_reveals(tokens: list[str], text: str, lang: str, vocabulary: Iterable[str]) -> bool:
    if lang == "en":
        forms = _english_forms(text)
        base = _english_guess(text)
    else:
        base = normalize(text, lang)
        forms = {base}
    if not forms:
        return False
    eligible = _close_eligible(base)
    longest = max(len(form) for form in forms) + 1
    for start in range(len(tokens)):
        span = ""
        for token in tokens[start:]:
            span += token
            if len(span) > longest:
                break
            if span in forms:
                return True
            if not eligible or _known_word(_english_singulars(span), vocabulary, lang):
                continue
            if any(_close_units(span, form) for form in forms):
                return True
    return False


# --------------------------------------------------------------------------------------
# Hints
# --------------------------------------------------------------------------------------

_MASK = "_"


def _maskable(char: str) -> bool:
    return _is_word_char(char)


def hint_steps(answer: str, lang: str = "ko", seed: int | str | None = None) -> list[str]:
    """All hint masks for ``answer``, from no hint (index 0) to the most revealing one.

    Schedule:

    * Level 0 shows only the shape: every letter or syllable is ``_``; spaces, hyphens and
      other punctuation are always visible ("hot dog" → "___ ___", "사과" → "__").
    * Korean (the answer contains Hangul): level 1 shows the initial consonants (초성) of
      every syllable ("ㅅㄱ", "ㅇㅍㅌ"). Each further level reveals one whole syllable, in a
      seeded random order, until half of the syllables (rounded down) are revealed: 사과 →
      "__", "ㅅㄱ", "사ㄱ" (or "ㅅ과"). A one-syllable word only ever gets its 초성.
    * Other scripts: each level reveals one more letter, in a seeded random order, until
      ``floor(letters / 2)`` are visible: apple → "_____", then two levels of one letter each.

    So a hint never shows more than half of the word. The order depends only on ``answer``
    and ``seed`` (``random.Random(seed)``; string seeds hash the same in every process), so
    pass something stable per turn, e.g. the round id; ``None`` falls back to the answer.
    ``lang`` is accepted for API symmetry; the script of the answer decides the schedule.
    """
    del lang  # the answer's script decides, see docstring
    rng = random.Random(answer if seed is None else seed)
    chars = list(unicodedata.normalize("NFC", answer))
    positions = [index for index, char in enumerate(chars) if _maskable(char)]
    current = [(_MASK if _maskable(char) else char) for char in chars]
    steps = ["".join(current)]
    if not positions:
        return steps
    if any(is_hangul_syllable(chars[index]) for index in positions):
        current = [
            initial_consonants(char) if is_hangul_syllable(char) else current[index]
            for index, char in enumerate(chars)
        ]
        steps.append("".join(current))
    order = rng.sample(positions, len(positions))
    for index in order[: len(positions) // 2]:
        current[index] = chars[index]
        steps.append("".join(current))
    return steps


def hint(answer: str, level: int, lang: str = "ko", seed: int | str | None = None) -> str:
    """The hint mask at ``level`` (clamped to the available levels, see :func:`hint_steps`)."""
    steps = hint_steps(answer, lang, seed)
    return steps[max(0, min(level, len(steps) - 1))]


def hint_reveal_times(answer: str, duration: float, lang: str = "ko") -> list[float]:
    """Seconds after the turn starts at which each hint level appears.

    Level 0 is shown at 0. The n further levels are spread evenly over the turn: level i at
    ``duration * i / (n + 1)``, so the last hint still leaves time to use it (사과 in an
    80 s turn: 초성 at 26.7 s, one syllable at 53.3 s).
    """
    levels = len(hint_steps(answer, lang)) - 1
    return [0.0] + [duration * i / (levels + 1) for i in range(1, levels + 1)]

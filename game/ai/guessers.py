"""Guesser backends of the AI player (DESIGN §5).

Every backend follows one protocol, :class:`Guesser`: given the turn's drawing (game ops) and
the candidate words (``{word: Quick, Draw! category or None}``), it returns a
:class:`GuessResult` with at most ``k`` ranked guesses and their confidences. A backend never
raises and never blocks the event loop: CPU work runs in a thread pool, network calls are
async, and every failure becomes an outcome (``timeout``, ``error``, ``refused``) with no
guesses, so the caller can record it and stay silent.

Backends:

``local``
    The ONNX sketch model (:mod:`game.ai.sketch`), offline, about a millisecond per guess.
    It only knows Quick, Draw! categories: words without a category are never guessed.
``openai``
    Any OpenAI-compatible chat-completions server through the official ``openai`` SDK
    (``AsyncOpenAI``; OpenAI itself, Ollama, vLLM, fine-tuned ``ft:...`` ids). The drawing
    is rendered in colour by the shared renderer and sent as a PNG data URL; the answer is a
    strict JSON schema whose ``enum`` is exactly the candidate words.

:func:`get_guesser` builds (and caches) a backend from the settings.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from django.conf import settings

log = logging.getLogger(__name__)

LOCAL = "local"
OPENAI = "openai"
BACKENDS = (LOCAL, OPENAI)
#: Backends that cost money per call and therefore have a budget.
PAID_BACKENDS = frozenset({OPENAI})

#: Guesses a backend returns at most (the "thinking" top-3).
TOP_K = 3

Candidates = Mapping[str, str | None]


class Outcome(StrEnum):
    """How one AI call ended. Stored in :class:`game.ai.records.AICall`."""

    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"
    REFUSED = "refused"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True)
class Guess:
    word: str
    confidence: float

    def as_json(self) -> dict[str, Any]:
        return {"word": self.word, "confidence": round(self.confidence, 4)}


@dataclass
class GuessResult:
    """What one call of a backend produced; ``guesses`` are best first."""

    backend: str
    model: str
    outcome: Outcome = Outcome.OK
    guesses: list[Guess] = field(default_factory=list)
    latency_ms: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


@runtime_checkable
class Guesser(Protocol):
    """A way for the AI player to look at a drawing."""

    backend: str
    model: str

    async def guess(
        self, ops: Sequence[Any], candidates: Candidates, k: int = TOP_K
    ) -> GuessResult: ...


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

#: One small pool for the AI's CPU work (rendering, the ONNX model) in this process, so it
#: neither runs on the event loop nor competes with Django's database thread.
_POOL_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def cpu_pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="catchmind-ai")
    return _POOL


async def run_cpu(fn, *args):
    """Run ``fn(*args)`` in the AI thread pool and await the result."""
    return await asyncio.get_running_loop().run_in_executor(cpu_pool(), fn, *args)


def clean_guesses(raw: Any, candidates: Candidates, k: int = TOP_K) -> list[Guess]:
    """Keep only well-formed guesses of candidate words: deduplicated, confidence clamped to
    [0, 1], best first, at most ``k``. Anything else in ``raw`` is dropped silently."""
    if not isinstance(raw, list):
        return []
    best: dict[str, float] = {}
    for item in raw:
        if not isinstance(item, dict):
            continue
        word, conf = item.get("word"), item.get("confidence")
        if not isinstance(word, str) or word not in candidates:
            continue
        if isinstance(conf, bool) or not isinstance(conf, int | float) or not math.isfinite(conf):
            continue
        conf = min(max(float(conf), 0.0), 1.0)
        if conf > best.get(word, -1.0):
            best[word] = conf
    ranked = sorted(best.items(), key=lambda item: -item[1])
    return [Guess(word, conf) for word, conf in ranked[: max(k, 0)]]


# ---------------------------------------------------------------------------------------------
# local: the ONNX sketch model
# ---------------------------------------------------------------------------------------------


class LocalGuesser:
    """The shipped sketch model. ``model_path``/``labels_path`` default to the packaged files
    (loaded once per process); other paths load a private copy (tests, experiments)."""

    backend = LOCAL

    def __init__(self, model_path: Path | str | None = None, labels_path: Path | str | None = None):
        self._paths = (model_path, labels_path)
        self._model = None
        self._lock = threading.Lock()
        self.model = Path(model_path).name if model_path else "sketch.onnx"

    def _load(self):
        from game.ai.sketch import LABELS_PATH, MODEL_PATH, SketchModel

        model_path, labels_path = self._paths
        if model_path is None and labels_path is None:
            return SketchModel.get()
        with self._lock:
            if self._model is None:
                self._model = SketchModel(model_path or MODEL_PATH, labels_path or LABELS_PATH)
            return self._model

    def _rank(self, ops: Sequence[Any], candidates: dict[str, str], k: int) -> list[Guess]:
        return [Guess(w, c) for w, c in self._load().rank(ops, candidates, k)]

    async def guess(
        self, ops: Sequence[Any], candidates: Candidates, k: int = TOP_K
    ) -> GuessResult:
        known = {word: cat for word, cat in candidates.items() if cat}
        result = GuessResult(backend=self.backend, model=self.model)
        start = time.perf_counter()
        try:
            if known and ops:
                result.guesses = await run_cpu(self._rank, list(ops), known, k)
        except Exception as exc:  # a broken model file must not break the turn
            log.warning("local AI guesser failed: %s", exc, exc_info=True)
            result.outcome, result.detail = Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:500]
        result.latency_ms = int((time.perf_counter() - start) * 1000)
        return result


# ---------------------------------------------------------------------------------------------
# openai: any OpenAI-compatible vision model with structured output
# ---------------------------------------------------------------------------------------------

SYSTEM_PROMPT = (
    "You are the AI player in Catchmind, a multiplayer drawing-and-guessing game like "
    "Pictionary, Catch-Mind and Quick, Draw!. The image is a quick doodle that a person is "
    "drawing right now on a small canvas with a mouse or a finger, so it is rough and may be "
    "unfinished; colours are often a hint. Guess what it shows. You may only answer with words "
    "from the allowed list (the JSON schema's enum), spelled exactly as given. Give at most 3 "
    "guesses, most likely first, each with your confidence between 0 and 1. If nothing "
    "recognisable is drawn yet, give low confidences."
)

#: Width of the PNG sent to the model; height follows the board's 4:3 aspect.
IMAGE_WIDTH = 512


def response_schema(words: Sequence[str]) -> dict[str, Any]:
    """The strict structured-output format: up to three ``{word, confidence}`` guesses whose
    words are constrained to the candidate words."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "catchmind_guesses",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {
                    "guesses": {
                        "type": "array",
                        "description": "At most 3 guesses, most likely first.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "word": {"type": "string", "enum": list(words)},
                                "confidence": {
                                    "type": "number",
                                    "description": "Probability between 0 and 1.",
                                },
                            },
                            "required": ["word", "confidence"],
                            "additionalProperties": False,
                        },
                    }
                },
                "required": ["guesses"],
                "additionalProperties": False,
            },
        },
    }


def png_data_url(ops: Sequence[Any], width: int = IMAGE_WIDTH) -> str:
    from game.ai.render import render_png

    return "data:image/png;base64," + base64.b64encode(render_png(ops, width)).decode("ascii")


class OpenAIGuesser:
    """A vision chat model behind the official ``openai`` SDK.

    ``timeout`` bounds each HTTP attempt (the SDK's own timeout) and ``max_retries`` (0 or 1)
    the SDK's retries; an outer deadline of ``timeout * (retries + 1) + 1`` seconds guarantees
    the call ends whatever the server does.
    """

    backend = OPENAI

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 4.0,
        max_retries: int = 1,
        image_width: int = IMAGE_WIDTH,
    ):
        self.api_key = api_key
        self.model = model
        self.base_url = base_url or None
        self.timeout = float(timeout)
        self.max_retries = min(max(int(max_retries), 0), 1)
        self.image_width = image_width
        # An httpx client belongs to one event loop: keep one SDK client per loop.
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def client(self):
        from openai import AsyncOpenAI

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = AsyncOpenAI(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
            self._clients[loop] = client
        return client

    def messages(self, data_url: str) -> list[dict[str, Any]]:
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is being drawn?"},
                    {"type": "image_url", "image_url": {"url": data_url, "detail": "low"}},
                ],
            },
        ]

    async def guess(
        self, ops: Sequence[Any], candidates: Candidates, k: int = TOP_K
    ) -> GuessResult:
        result = GuessResult(backend=self.backend, model=self.model)
        words = list(dict.fromkeys(candidates))
        if not words or not ops:
            return result
        start = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout * (self.max_retries + 1) + 1.0):
                data_url = await run_cpu(png_data_url, list(ops), self.image_width)
                response = await self.client().chat.completions.create(
                    model=self.model,
                    messages=self.messages(data_url),
                    response_format=response_schema(words),
                )
            self._read(response, candidates, k, result)
        except Exception as exc:
            self._fail(exc, result)
        result.latency_ms = int((time.perf_counter() - start) * 1000)
        return result

    @staticmethod
    def _read(response: Any, candidates: Candidates, k: int, result: GuessResult) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None:
            result.prompt_tokens = getattr(usage, "prompt_tokens", None)
            result.completion_tokens = getattr(usage, "completion_tokens", None)
        choices = getattr(response, "choices", None) or []
        if not choices:
            result.outcome, result.detail = Outcome.ERROR, "no choices in the answer"
            return
        message = choices[0].message
        refusal = getattr(message, "refusal", None)
        if refusal:
            result.outcome, result.detail = Outcome.REFUSED, str(refusal)[:500]
            return
        try:
            payload = json.loads(message.content or "")
        except (TypeError, ValueError):
            result.outcome = Outcome.ERROR
            result.detail = f"malformed JSON: {str(message.content)[:200]!r}"
            return
        if not isinstance(payload, dict) or not isinstance(payload.get("guesses"), list):
            result.outcome, result.detail = Outcome.ERROR, "answer does not follow the schema"
            return
        result.guesses = clean_guesses(payload["guesses"], candidates, k)
        dropped = len(payload["guesses"]) - len(result.guesses)
        if dropped > 0:
            result.detail = f"dropped {dropped} guess(es) outside the candidates or malformed"

    @staticmethod
    def _fail(exc: BaseException, result: GuessResult) -> None:
        import openai

        if isinstance(exc, TimeoutError | openai.APITimeoutError):
            result.outcome, result.detail = Outcome.TIMEOUT, "no answer in time"
        elif isinstance(exc, openai.APIStatusError):
            result.outcome, result.detail = Outcome.ERROR, f"HTTP {exc.status_code}"
        else:
            result.outcome, result.detail = Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:500]
        log.warning("openai AI guesser: %s (%s)", result.outcome, result.detail)


# ---------------------------------------------------------------------------------------------
# Choosing a backend
# ---------------------------------------------------------------------------------------------

_CACHE: dict[tuple, Guesser] = {}
_CACHE_LOCK = threading.Lock()


def openai_configured() -> bool:
    return bool(getattr(settings, "OPENAI_API_KEY", ""))


def effective_backend(requested: str | None = None) -> str:
    """The backend a room really uses: the room's override, else the site's setting; a paid
    backend without an API key falls back to ``local``."""
    name = (requested or getattr(settings, "CATCHMIND_AI_BACKEND", LOCAL) or LOCAL).lower()
    if name not in BACKENDS:
        name = LOCAL
    if name == OPENAI and not openai_configured():
        return LOCAL
    return name


def get_guesser(backend: str | None = None) -> Guesser:
    """The guesser for ``backend`` (see :func:`effective_backend`), built from the settings
    and reused while the settings stay the same."""
    name = effective_backend(backend)
    if name == OPENAI:
        key = (
            OPENAI,
            settings.OPENAI_API_KEY,
            settings.OPENAI_BASE_URL,
            settings.CATCHMIND_AI_OPENAI_MODEL,
            settings.CATCHMIND_AI_TIMEOUT,
            settings.CATCHMIND_AI_MAX_RETRIES,
        )
    else:
        key = (LOCAL,)
    with _CACHE_LOCK:
        guesser = _CACHE.get(key)
        if guesser is None:
            if name == OPENAI:
                guesser = OpenAIGuesser(
                    api_key=settings.OPENAI_API_KEY,
                    base_url=settings.OPENAI_BASE_URL or None,
                    model=settings.CATCHMIND_AI_OPENAI_MODEL,
                    timeout=settings.CATCHMIND_AI_TIMEOUT,
                    max_retries=settings.CATCHMIND_AI_MAX_RETRIES,
                )
            else:
                guesser = LocalGuesser()
            _CACHE[key] = guesser
        return guesser

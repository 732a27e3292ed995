"""The local sketch recognizer: ONNX model + numpy, no torch, no network.

:class:`SketchModel` loads ``model/sketch.onnx`` and ``model/labels.json`` once per process
(:meth:`SketchModel.get`, a thread-safe lazy singleton) and runs a single-threaded
onnxruntime session, so a guess costs about a millisecond of one core and never competes
with the game loop for more. Its input comes from :func:`game.ai.render.render_ink`, the same
function training used.

The module also holds the Quick, Draw! data helpers that evaluation and training share (the
stable key_id validation split, ndjson reading, the metrics), because they must not need torch.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from game.ai.render import MODEL_SIZE, quickdraw_to_ops, render_ink

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_PATH = MODEL_DIR / "sketch.onnx"
LABELS_PATH = MODEL_DIR / "labels.json"

#: Categories with at least this many training drawings count as "well covered".
WELL_COVERED_MIN = 300
#: Share of drawings (by key_id hash) held out for validation; never trained on.
VALIDATION_FRACTION = 0.15
#: Share of the *training* drawings set aside (another hash) to compare training recipes, so
#: that choosing a recipe never looks at the validation split.
DEV_FRACTION = 0.15
FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def normalise_label(name: str) -> str:
    """Category names compare case- and space-insensitively ("the eiffel tower ")."""
    return " ".join(str(name).split()).casefold()


def prior_weights(meta: Mapping[str, Any]) -> np.ndarray | None:
    """Per-label factors that give the network's scores back the data's class frequencies.

    Training drew each category in proportion to count ** ``sampling_power`` (softened class
    balance, so the 330 sparse categories get enough gradient), which left the network with a
    flatter prior than the drawings have. Only the prior changed, so by Bayes' rule
    multiplying by count ** (1 - power) and renormalising restores it: a drawing is then
    guessed as what people who draw like that most often meant. None when there is nothing
    to correct (older labels.json, or a run that sampled in proportion to the data).
    """
    power = meta.get("sampling_power")
    counts = meta.get("train_counts") or {}
    if power is None or float(power) >= 1.0 or not counts:
        return None
    n = np.array([max(int(counts.get(label, 0)), 1) for label in meta["labels"]], np.float64)
    weights = n ** (1.0 - float(power))
    return (weights / weights.mean()).astype(np.float32)


class SketchModel:
    """Probabilities over Quick, Draw! categories for a drawing given as game ops."""

    _instance: SketchModel | None = None
    _lock = threading.Lock()

    def __init__(
        self,
        model_path: Path | str = MODEL_PATH,
        labels_path: Path | str = LABELS_PATH,
        data_prior: bool = True,
    ):
        import onnxruntime as ort  # imported here so importing this module stays cheap

        meta = json.loads(Path(labels_path).read_text(encoding="utf-8"))
        self.labels: list[str] = list(meta["labels"])
        self.input_size: int = int(meta.get("input_size", MODEL_SIZE))
        self.train_counts: dict[str, int] = dict(meta.get("train_counts", {}))
        self._prior = prior_weights(meta) if data_prior else None
        self._index = {normalise_label(name): i for i, name in enumerate(self.labels)}
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name

    @classmethod
    def get(cls) -> SketchModel:
        """The process-wide model, loaded on first use."""
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    cls._instance = cls()
        return cls._instance

    def index_of(self, category: str) -> int | None:
        """Label index of a category name, or None when the model does not know it."""
        return self._index.get(normalise_label(category))

    def predict_images(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (B, labels) for ink images (B, size, size).

        A small ensemble of two renders: the image and its mirror image (the model was
        trained with mirroring), averaged. One batched run, so it costs well under a
        millisecond more and evens out the model's left/right quirks.
        """
        x = np.ascontiguousarray(images, dtype=np.float32)[:, None, :, :]
        both = np.concatenate([x, x[:, :, :, ::-1]])
        probs = self._session.run(None, {self._input: both})[0]
        probs = (probs[: len(x)] + probs[len(x) :]) / 2.0
        if self._prior is not None:
            probs = probs * self._prior
            probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def predict(self, ops: Iterable[Any]) -> np.ndarray:
        """Probabilities over :attr:`labels` for a drawing.

        A drawing without ink carries no information: the result is uniform (1/N each).
        """
        img = render_ink(ops, self.input_size)
        if not img.any():
            return np.full(len(self.labels), 1.0 / len(self.labels), dtype=np.float32)
        return self.predict_images(img[None])[0]

    def predict_batch(self, drawings: Sequence[Iterable[Any]]) -> np.ndarray:
        """:meth:`predict` for many drawings at once (evaluation)."""
        if not drawings:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        imgs = np.stack([render_ink(ops, self.input_size) for ops in drawings])
        probs = self.predict_images(imgs)
        blank = ~imgs.reshape(len(imgs), -1).any(axis=1)
        probs[blank] = 1.0 / len(self.labels)
        return probs

    def rank(
        self,
        ops: Iterable[Any],
        candidates: Mapping[str, str] | Sequence[str],
        k: int = 3,
    ) -> list[tuple[str, float]]:
        """The k most likely candidates with probabilities renormalised over the candidates.

        ``candidates`` maps the room's words to categories (``{"고양이": "cat"}``) or is a
        list of category names. Candidates whose category the model does not know are
        dropped; when several words share a category they share its probability. A drawing
        without ink, or no known candidate, gives an empty list.
        """
        pairs = (
            list(candidates.items())
            if isinstance(candidates, Mapping)
            else [(c, c) for c in candidates]
        )
        known = [(word, idx) for word, cat in pairs if (idx := self.index_of(cat)) is not None]
        if not known or k <= 0:
            return []
        img = render_ink(ops, self.input_size)
        if not img.any():
            return []
        probs = self.predict_images(img[None])[0].astype(np.float64)
        share: dict[int, int] = {}
        for _, idx in known:
            share[idx] = share.get(idx, 0) + 1
        total = float(sum(probs[idx] for idx in share))
        if total <= 0 or not math.isfinite(total):
            scores = [(word, 1.0 / len(known)) for word, _ in known]
        else:
            scores = [(word, float(probs[idx] / total / share[idx])) for word, idx in known]
        scores.sort(key=lambda item: -item[1])
        return scores[:k]


# ---------------------------------------------------------------------------------------------
# Quick, Draw! data and evaluation (shared by training and ``evaluate_guesser``)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    """One Quick, Draw! simplified drawing."""

    word: str
    key_id: str
    strokes: list


def is_validation(key_id: str, fraction: float = VALIDATION_FRACTION) -> bool:
    """Stable hash split: the same drawing is always on the same side, on any machine."""
    return _hash_share(f"catchmind-val:{key_id}") < fraction


def is_dev(key_id: str, fraction: float = DEV_FRACTION) -> bool:
    """The recipe-comparison part of the training split (independent of the validation hash)."""
    return not is_validation(key_id) and _in_dev_cut(key_id, fraction)


def _in_dev_cut(key_id: str, fraction: float = DEV_FRACTION) -> bool:
    return _hash_share(f"catchmind-dev:{key_id}") < fraction


def _hash_share(text: str) -> float:
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_split(key_id: str, split: str) -> bool:
    """Whether a drawing belongs to ``split``: "all"; "train" / "val" (the model's split);
    "fit" / "dev" (the training split cut again, for comparing recipes without "val")."""
    if split == "all":
        return True
    if split in ("train", "val"):
        return is_validation(key_id) == (split == "val")
    if split in ("fit", "dev"):
        return not is_validation(key_id) and _in_dev_cut(key_id) == (split == "dev")
    raise ValueError(f"unknown split {split!r} (one of all, train, val, fit, dev)")


def ndjson_files(data_dir: Path | str) -> list[Path]:
    """The ``*.ndjson`` files of a folder (or of its ``simplified/`` subfolder)."""
    root = Path(data_dir)
    if (root / "simplified").is_dir():
        root = root / "simplified"
    return sorted(root.glob("*.ndjson"))


def iter_drawings(files: Iterable[Path], split: str = "all") -> Iterator[Drawing]:
    """Drawings of the given files in ``split`` (see :func:`in_split`).

    Lines that are not valid drawings are skipped (foreign folders may be messy).
    """
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                    word, key_id, strokes = row["word"], str(row["key_id"]), row["drawing"]
                except (ValueError, KeyError, TypeError):
                    continue
                if not isinstance(strokes, list) or not strokes:
                    continue
                if not in_split(key_id, split):
                    continue
                yield Drawing(word=word, key_id=key_id, strokes=strokes)


def partial(strokes: list, fraction: float) -> list:
    """The first ceil(fraction * n) strokes (at least one): a drawing in progress."""
    k = max(1, math.ceil(fraction * len(strokes) - 1e-9))
    return strokes[:k]


def evaluate(
    model: SketchModel,
    drawings: Sequence[Drawing],
    well_covered: set[str],
    fractions: Sequence[float] = FRACTIONS,
    latency_samples: int = 300,
    batch: int = 256,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> dict[str, Any]:
    """Top-1/top-3 accuracy per stroke fraction and bucket, plus single-guess latency.

    Returns ``{"n": ..., "by_fraction": {"1.0": {"all": {"top1", "top3", "n"},
    "well_covered": ..., "sparse": ...}, ...}, "per_category_top1": {category: top-1 at the
    largest fraction}, "macro_top1": their mean, "latency_ms": {"median", "p95"}}``.
    """
    labels = [model.index_of(d.word) for d in drawings]
    if any(idx is None for idx in labels):
        unknown = sorted({d.word for d, idx in zip(drawings, labels, strict=True) if idx is None})
        raise ValueError(f"unknown categories: {', '.join(unknown[:10])}")
    y = np.array(labels, dtype=np.int64)
    bucket = np.array([normalise_label(d.word) in well_covered for d in drawings])
    result: dict[str, Any] = {"n": len(drawings), "by_fraction": {}}
    steps = [(f, i) for f in fractions for i in range(0, len(drawings), batch)]
    iterator: Iterable = progress(steps) if progress else steps
    hits: dict[float, list[np.ndarray]] = {f: [] for f in fractions}
    for f, i in iterator:
        chunk = drawings[i : i + batch]
        probs = model.predict_batch([quickdraw_to_ops(partial(d.strokes, f)) for d in chunk])
        top3 = np.argsort(-probs, axis=1)[:, :3]
        truth = y[i : i + batch, None]
        hits[f].append(np.stack([top3[:, 0] == truth[:, 0], (top3 == truth).any(axis=1)], 1))
    last = max(fractions) if fractions else None
    for f in fractions:
        h = np.concatenate(hits[f]) if hits[f] else np.zeros((0, 2), dtype=bool)
        if f == last:
            result["per_category_top1"] = {
                model.labels[c]: float(h[y == c, 0].mean()) for c in np.unique(y)
            }
            # Every category counts once: the game's words are about equally likely.
            per = list(result["per_category_top1"].values())
            result["macro_top1"] = float(np.mean(per)) if per else float("nan")
        row = {}
        for name, mask in (("all", np.ones(len(y), bool)), ("well_covered", bucket)):
            row[name] = _acc(h[mask])
        row["sparse"] = _acc(h[~bucket])
        result["by_fraction"][str(f)] = row
    result["latency_ms"] = measure_latency(model, drawings[:latency_samples])
    return result


def _acc(hits: np.ndarray) -> dict[str, float]:
    n = int(len(hits))
    if n == 0:
        return {"n": 0, "top1": float("nan"), "top3": float("nan")}
    return {"n": n, "top1": float(hits[:, 0].mean()), "top3": float(hits[:, 1].mean())}


def measure_latency(model: SketchModel, drawings: Sequence[Drawing]) -> dict[str, float]:
    """Wall time of one guess (render + model) per drawing, in ms, after a warm-up."""
    ops_list = [quickdraw_to_ops(d.strokes, chunk=8) for d in drawings]
    if not ops_list:
        return {"median": float("nan"), "p95": float("nan"), "n": 0}
    for ops in ops_list[:10]:
        model.predict(ops)
    times = []
    for ops in ops_list:
        t0 = time.perf_counter()
        model.predict(ops)
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return {
        "median": float(statistics.median(times)),
        "p95": float(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]),
        "n": len(times),
    }

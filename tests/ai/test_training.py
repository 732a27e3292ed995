"""Training the local sketch model (game/ai/training.py): tiny real runs, seconds each.

The runs use a synthetic Quick, Draw!-style folder (polygons, zigzags, suns drawn by
:func:`synthetic_strokes`) rather than the shared data: the tests then run wherever torch is
installed, the key_ids are known in advance, and a run of an 8-channel CNN on ~150 drawings takes
about half a second. What is checked is the recipe's contract (the issue: deterministic with a
seed, a held-out split by drawing id that is never trained on, labels + card + plots next to
the model), not the accuracy of such a model.

Tests that train are marked ``training``: they skip without the ``train`` extra on a developer
machine and fail under ``CI=true`` (tests/conftest.py). Every run writes into ``tmp_path``;
:func:`tiny_config` refuses anything else so that no test can replace the shipped model or
docs/ai-model.md.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from game.ai.render import quickdraw_to_ops
from game.ai.sketch import SketchModel, in_split, iter_drawings, ndjson_files

if TYPE_CHECKING:
    from game.ai.training import Config

REPO = Path(__file__).resolve().parents[2]
CATEGORIES = ("circle", "square", "triangle", "zigzag", "sun")
PER_CATEGORY = 30
ATTRIBUTION = "Quick, Draw! dataset by Google, CC BY 4.0"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Seconds, not minutes: one or two optimiser steps of a narrow network on one thread.
TINY: dict[str, Any] = {
    "epochs": 1,
    "samples_per_epoch": 128,
    "batch_size": 128,
    "width": 8,
    "threads": 1,
    "progress": False,
}


# ---------------------------------------------------------------------------------------------
# A tiny data folder
# ---------------------------------------------------------------------------------------------


def _polygon(sides: int, radius: float, turn: float, cx: float = 128, cy: float = 128) -> list:
    angles = [turn + 2 * math.pi * i / sides for i in range(sides + 1)]
    return [
        [round(cx + radius * math.cos(a)) for a in angles],
        [round(cy + radius * math.sin(a)) for a in angles],
    ]


def synthetic_strokes(category: str, rng: np.random.Generator) -> list:
    """A Quick, Draw!-style drawing (0-255 coordinates) of one of :data:`CATEGORIES`, varied
    in size and rotation so that no two drawings are the same."""
    radius, turn = float(rng.uniform(50, 120)), float(rng.uniform(0, 2 * math.pi))
    if category == "circle":
        return [_polygon(20, radius, turn)]
    if category == "square":
        return [_polygon(4, radius, turn)]
    if category == "triangle":
        return [_polygon(3, radius, turn)]
    if category == "zigzag":
        teeth = int(rng.integers(3, 7))
        xs = [round(20 + 215 * k / teeth) for k in range(teeth + 1)]
        return [[xs, [round(128 + (-1) ** k * radius / 2) for k in range(teeth + 1)]]]
    rays = [
        [[128, round(128 + radius * math.cos(a))], [128, round(128 + radius * math.sin(a))]]
        for a in (turn + 2 * math.pi * k / 8 for k in range(8))
    ]
    return [_polygon(16, radius / 2, turn), *rays]


def write_quickdraw_folder(root: Path) -> Path:
    """``root`` with one ``<category>.ndjson`` per category and a ``categories.txt``, like the
    shared data; key_ids are ``<category>-<n>``."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for category in CATEGORIES:
        rows = [
            {
                "word": category,
                "key_id": f"{category}-{n}",
                "drawing": synthetic_strokes(category, rng),
            }
            for n in range(PER_CATEGORY)
        ]
        (root / f"{category}.ndjson").write_text(
            "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
        )
    (root / "categories.txt").write_text("\n".join(CATEGORIES) + "\n", encoding="utf-8")
    return root


def key_ids(data: Path, split: str) -> set[str]:
    return {d.key_id for d in iter_drawings(ndjson_files(data), split)}


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = write_quickdraw_folder(tmp_path_factory.mktemp("quickdraw"))
    # The tests below need drawings on every side of both cuts.
    for split in ("train", "val", "fit", "dev"):
        assert key_ids(data, split), f"the tiny folder has no {split!r} drawing"
    return data


# ---------------------------------------------------------------------------------------------
# Tiny runs
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def training() -> Iterator[ModuleType]:
    """game.ai.training, imported only once the ``training`` marker found torch.

    A run seeds the process-wide random generators and sets torch's thread count and
    deterministic mode; they are put back afterwards, so that the game's own use of
    ``random`` in later tests does not replay a fixed sequence.
    """
    import torch

    from game.ai import training

    py_state, np_state = random.getstate(), np.random.get_state()
    torch_state, threads = torch.get_rng_state(), torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    yield training
    random.setstate(py_state)
    np.random.set_state(np_state)
    torch.set_rng_state(torch_state)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)


def tiny_config(training: ModuleType, data: Path, where: Path, **overrides: Any) -> Config:
    """A :data:`TINY` run with its model in ``where/model`` and its card and plots in
    ``where/docs`` (unless overridden); never anywhere in the repository."""
    values = {**TINY, "data": data, "out": where / "model", "docs": where / "docs", **overrides}
    cfg = training.Config(**values)
    for target in (cfg.out, cfg.docs):
        assert not Path(target).resolve().is_relative_to(REPO), f"a test run would write {target}"
    return cfg


@dataclass
class Run:
    cfg: Config
    metrics: dict[str, Any]
    log: list[str] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return Path(self.cfg.out)

    @property
    def docs(self) -> Path:
        return Path(self.cfg.docs)


@pytest.fixture
def train_tiny(training: ModuleType, tiny_data: Path, tmp_path: Path) -> Callable[..., Run]:
    """``train_tiny(name, **config)``: a real training run into ``tmp_path / name``."""

    def run(name: str = "run", **overrides: Any) -> Run:
        cfg = tiny_config(training, tiny_data, tmp_path / name, **overrides)
        lines: list[str] = []
        metrics = training.train(cfg, log=lines.append)
        return Run(cfg, metrics, lines)

    return run


@pytest.fixture
def trained_key_ids(training: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """What a run hands to its training dataset (``given``) and which of those it actually
    rendered into batches (``rendered``): the only way drawings reach the optimiser."""
    seen: dict[str, set[str]] = {"given": set(), "rendered": set()}

    class Recording(training.AugmentedDrawings):
        def __init__(self, drawings, *args, **kwargs):
            super().__init__(drawings, *args, **kwargs)
            seen["given"].update(d.key_id for d in drawings)

        def __getitem__(self, i: int):
            seen["rendered"].add(self.drawings[i].key_id)
            return super().__getitem__(i)

    monkeypatch.setattr(training, "AugmentedDrawings", Recording)
    yield seen


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------


def _curves(run: Run) -> list[dict[str, float]]:
    """The learning curves without wall-clock times."""
    stored = json.loads((run.out / "metrics.json").read_text(encoding="utf-8"))
    return [{k: v for k, v in h.items() if k != "elapsed_s"} for h in stored["history"]]


@pytest.mark.training
def test_the_same_seed_trains_a_byte_identical_model_and_another_seed_does_not(train_tiny):
    first = train_tiny("first", seed=7, epochs=2)
    again = train_tiny("again", seed=7, epochs=2)
    other = train_tiny("other", seed=8, epochs=2)

    model = (first.out / "sketch.onnx").read_bytes()
    assert (again.out / "sketch.onnx").read_bytes() == model
    assert (again.out / "labels.json").read_bytes() == (first.out / "labels.json").read_bytes()
    assert _curves(again) == _curves(first)
    assert (other.out / "sketch.onnx").read_bytes() != model


@pytest.mark.training
def test_rendering_in_a_worker_process_is_deterministic_too(train_tiny):
    """The shipped model was trained with --workers 1: batches rendered in another process
    must come out the same on every run of the same seed."""
    first = train_tiny("first", seed=3, workers=1)
    again = train_tiny("again", seed=3, workers=1)
    assert (again.out / "sketch.onnx").read_bytes() == (first.out / "sketch.onnx").read_bytes()


# ---------------------------------------------------------------------------------------------
# The held-out split
# ---------------------------------------------------------------------------------------------


@pytest.mark.training
def test_a_dev_run_reports_the_shipped_models_well_covered_categories(
    train_tiny, training, tiny_data, monkeypatch
):
    """Buckets come from the whole training split, not from the smaller "fit" part, or a
    dev run's "well covered" figure would describe other categories than the shipped one's."""
    train_counts = Counter(d.word for d in iter_drawings(ndjson_files(tiny_data), "train"))
    fit_counts = Counter(d.word for d in iter_drawings(ndjson_files(tiny_data), "fit"))
    threshold = min(train_counts.values())
    assert min(fit_counts.values()) < threshold  # else this test could not tell them apart
    monkeypatch.setattr(training, "WELL_COVERED_MIN", threshold)

    run = train_tiny(holdout="dev")

    assert run.metrics["well_covered"] == sorted(train_counts)


@pytest.mark.training
@pytest.mark.parametrize(
    ("holdout", "trained_split", "held_split", "never"),
    [("val", "train", "val", {"val"}), ("dev", "fit", "dev", {"dev", "val"})],
)
def test_held_out_drawings_are_never_trained_on(
    train_tiny, trained_key_ids, tiny_data, holdout, trained_split, held_split, never
):
    run = train_tiny(holdout=holdout)

    for split in never:
        assert not trained_key_ids["given"] & key_ids(tiny_data, split), split
    # It does train on the whole of its own split, and only on drawings it was given.
    assert trained_key_ids["given"] == key_ids(tiny_data, trained_split)
    assert trained_key_ids["rendered"] and trained_key_ids["rendered"] <= trained_key_ids["given"]
    # ... and reports on exactly the held-out split.
    assert run.metrics["n_train"] == len(key_ids(tiny_data, trained_split))
    assert run.metrics["n_val"] == len(key_ids(tiny_data, held_split))


def test_the_split_follows_the_drawing_id_not_its_place_in_the_file(tiny_data, tmp_path):
    """Reordered, merged or re-downloaded files keep every drawing on its side."""
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    lines = [line for path in ndjson_files(tiny_data) for line in path.read_text().splitlines()]
    (shuffled / "all.ndjson").write_text("\n".join(reversed(lines)) + "\n")
    for split in ("train", "val", "fit", "dev"):
        assert key_ids(shuffled, split) == key_ids(tiny_data, split)
        assert all(in_split(k, split) for k in key_ids(shuffled, split))


# ---------------------------------------------------------------------------------------------
# What a run writes
# ---------------------------------------------------------------------------------------------


@pytest.mark.training
def test_a_run_writes_labels_metrics_card_and_plots_and_the_model_guesses(train_tiny):
    run = train_tiny(epochs=2)

    meta = json.loads((run.out / "labels.json").read_text(encoding="utf-8"))
    assert meta["labels"] == list(CATEGORIES)  # in categories.txt's order
    assert meta["input_size"] == run.cfg.size
    assert meta["attribution"] == ATTRIBUTION
    assert meta["seed"] == run.cfg.seed and meta["epochs"] == 2

    stored = json.loads((run.out / "metrics.json").read_text(encoding="utf-8"))
    assert [h["epoch"] for h in stored["history"]] == [1, 2]
    assert set(stored["validation"]["by_fraction"]) == {"0.25", "0.5", "0.75", "1.0"}
    assert stored["validation"]["n_val"] == run.metrics["n_val"] > 0

    card = (run.docs / "ai-model.md").read_text(encoding="utf-8")
    assert ATTRIBUTION in card
    assert "img/sketch-learning-curves.png" in card and "img/sketch-partial-accuracy.png" in card
    for plot in ("sketch-learning-curves.png", "sketch-partial-accuracy.png"):
        assert (run.docs / "img" / plot).read_bytes().startswith(PNG_MAGIC), plot

    model = SketchModel(run.out / "sketch.onnx", run.out / "labels.json")
    probs = model.predict(quickdraw_to_ops([_polygon(4, 100, 0.3)]))
    assert probs.shape == (len(CATEGORIES),)
    assert np.all(probs >= 0) and abs(float(probs.sum()) - 1.0) < 1e-4


@pytest.mark.training
def test_a_dev_run_keeps_its_card_and_plots_with_its_model(
    train_tiny, training, tmp_path, monkeypatch
):
    """Left at the default docs folder, a recipe comparison must not rewrite the shipped
    model's card (the default is redirected here to a folder of this test)."""
    shipped_docs = tmp_path / "shipped-docs"
    monkeypatch.setattr(training, "DEFAULT_DOCS", shipped_docs)

    run = train_tiny(holdout="dev", docs=shipped_docs)

    assert (run.out / "ai-model.md").is_file()
    assert (run.out / "img" / "sketch-learning-curves.png").is_file()
    assert not shipped_docs.exists()


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


@pytest.mark.training
def test_a_dev_run_refuses_the_shipped_model_folder(training, tiny_data, tmp_path, monkeypatch):
    """A recipe comparison trained on less data must never replace the shipped model."""
    with pytest.raises(ValueError, match="own --out folder"):
        training._splits(training.Config(data=tiny_data, holdout="dev"))
    with pytest.raises(ValueError, match="own --out folder"):
        training._splits(
            training.Config(data=tiny_data, out=training.DEFAULT_OUT / "x" / "..", holdout="dev")
        )
    # The whole run stops before writing anything (the default redirected to this test).
    shipped = tmp_path / "shipped-model"
    monkeypatch.setattr(training, "DEFAULT_OUT", shipped)
    cfg = tiny_config(training, tiny_data, tmp_path, out=shipped, holdout="dev")
    with pytest.raises(ValueError, match="own --out folder"):
        training.train(cfg, log=lambda _: None)
    assert not shipped.exists() and not cfg.docs.exists()


@pytest.mark.training
@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"precision": "fp16"}, r"--precision must be auto, bf16 or fp32, not 'fp16'"),
        ({"holdout": "test"}, r"--holdout must be 'val' or 'dev', not 'test'"),
    ],
)
def test_a_bad_precision_or_holdout_is_a_clear_error_before_any_work(
    training, tiny_data, tmp_path, option, message
):
    cfg = tiny_config(training, tiny_data, tmp_path, **option)
    with pytest.raises(ValueError, match=message):
        training.train(cfg, log=lambda _: None)
    assert not cfg.out.exists() and not cfg.docs.exists()


# ---------------------------------------------------------------------------------------------
# Precision
# ---------------------------------------------------------------------------------------------


@pytest.mark.training
@pytest.mark.parametrize(
    "recipe", [{"members": 2, "head": 4}, {"ema_decay": 0.9}], ids=["ensemble", "ema"]
)
def test_the_compared_recipes_export_a_model_that_guesses(train_tiny, recipe):
    """The variants the model card compares stay runnable, so its comparison can be redone."""
    run = train_tiny(**recipe)
    model = SketchModel(run.out / "sketch.onnx", run.out / "labels.json")
    probs = model.predict(quickdraw_to_ops(synthetic_strokes("circle", np.random.default_rng(1))))
    assert probs.shape == (len(CATEGORIES),) and abs(float(probs.sum()) - 1.0) < 1e-4


@pytest.mark.training
def test_fp32_trains_too(train_tiny):
    """The path of every CPU without native bfloat16."""
    run = train_tiny(precision="fp32")

    assert "float32 arithmetic" in run.log[0]
    stored = json.loads((run.out / "metrics.json").read_text(encoding="utf-8"))
    assert stored["precision"] == "float32"
    assert (run.out / "sketch.onnx").is_file()


@pytest.mark.training
def test_without_native_bf16_auto_means_fp32_and_bf16_is_refused(training, monkeypatch):
    import torch

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert training._use_bf16("auto") is False
    assert training._use_bf16("fp32") is False
    with pytest.raises(ValueError, match="no native bfloat16"):
        training._use_bf16("bf16")


# ---------------------------------------------------------------------------------------------
# The management command
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": 0}, "--epochs must be >= 1"),
        ({"samples_per_epoch": 64}, "--samples-per-epoch must be >= 128"),
        ({"size": 30}, "--size must be a multiple of 8"),
        ({"width": 0}, "--width must be from 1 to 256"),
        ({"ema": 1.0}, r"--ema must be in \[0, 1\)"),
        ({"epochs": 0, "threads": 0}, "--epochs must be >= 1; --threads must be >= 1"),
    ],
)
def test_train_command_rejects_bad_numbers(tiny_data, tmp_path, options, message):
    """Checked before torch is imported, so these need no train extra."""
    with pytest.raises(CommandError, match=message):
        call_command("train_sketch_model", data=str(tiny_data), out=str(tmp_path), **options)


def test_train_command_rejects_a_folder_without_drawings(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        call_command("train_sketch_model", data=str(tmp_path / "missing"), out=str(tmp_path))
    with pytest.raises(CommandError, match="no .ndjson"):
        call_command("train_sketch_model", data=str(tmp_path), out=str(tmp_path))


@pytest.mark.training
def test_train_command_trains_into_its_out_and_docs_folders(tiny_data, tmp_path):
    stdout = io.StringIO()
    call_command(
        "train_sketch_model",
        data=str(tiny_data),
        out=str(tmp_path / "model"),
        docs=str(tmp_path / "docs"),
        epochs=1,
        samples_per_epoch=128,
        width=8,
        threads=1,
        no_progress=True,
        stdout=stdout,
    )
    assert "validation top-1" in stdout.getvalue()
    assert {p.name for p in (tmp_path / "model").iterdir()} >= {
        "sketch.onnx",
        "labels.json",
        "metrics.json",
    }
    assert (tmp_path / "docs" / "ai-model.md").is_file()
    assert (tmp_path / "docs" / "img" / "sketch-partial-accuracy.png").is_file()

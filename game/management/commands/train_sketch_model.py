"""``python manage.py train_sketch_model --data DIR``: train and export the local sketch model.

The torch code lives in :mod:`game.ai.training` and is imported only here, inside
``handle``, so running the game never needs torch (install the ``train`` extra to train).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Train the local sketch recognizer on Quick, Draw! simplified ndjson files and write "
        "game/ai/model/sketch.onnx, labels.json, docs/ai-model.md and docs/img/ plots."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from game.ai.sketch import MODEL_DIR

        parser.add_argument("--data", required=True, type=Path, help="Quick, Draw! folder")
        parser.add_argument("--epochs", type=int, default=60)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder")
        parser.add_argument("--docs", type=Path, default=None, help="model card folder")
        parser.add_argument("--samples-per-epoch", type=int, default=12800)
        parser.add_argument("--width", type=int, default=32, help="channels of the first block")
        parser.add_argument("--size", type=int, default=32, help="model input side in pixels")
        parser.add_argument("--threads", type=int, default=2, help="torch threads")
        parser.add_argument(
            "--workers", type=int, default=0, help="processes rendering training batches"
        )
        parser.add_argument(
            "--holdout",
            choices=("val", "dev"),
            default="val",
            help="val: the shipped model, reported on validation; dev: compare recipes on a "
            "part of the training split (needs its own --out)",
        )
        parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto")
        parser.add_argument(
            "--ema", type=float, default=0.0, help="weight averaging decay per step (0 = off)"
        )
        parser.add_argument("--members", type=int, default=1, help="networks averaged (ensemble)")
        parser.add_argument(
            "--head",
            type=int,
            default=0,
            help="1x1-conv channels before the linear layer (0 = none)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--report-only",
            action="store_true",
            help="do not train: re-evaluate the model in --out and rewrite metrics, plots, card",
        )

    def handle(self, *args, **opts) -> None:
        from game.ai.sketch import ndjson_files

        data = Path(opts["data"])
        if not data.is_dir():
            raise CommandError(f"--data {data} is not a directory")
        if not ndjson_files(data):
            raise CommandError(f"no .ndjson files in {data} (or {data}/simplified)")
        problems = _argument_problems(opts)
        if problems:
            raise CommandError("; ".join(problems))
        try:
            from game.ai import training
        except ImportError as exc:
            raise CommandError(
                f"training needs the 'train' extra (torch, onnx, matplotlib, tqdm): {exc}"
            ) from exc
        cfg = training.Config(
            data=data,
            out=Path(opts["out"]),
            docs=Path(opts["docs"]) if opts["docs"] else training.DEFAULT_DOCS,
            epochs=opts["epochs"],
            seed=opts["seed"],
            samples_per_epoch=opts["samples_per_epoch"],
            width=opts["width"],
            size=opts["size"],
            threads=opts["threads"],
            workers=opts["workers"],
            holdout=opts["holdout"],
            precision=opts["precision"],
            ema_decay=opts["ema"],
            members=opts["members"],
            head=opts["head"],
            progress=not opts["no_progress"],
            command="python manage.py " + shlex.join(sys.argv[1:]),
        )
        try:
            if opts["report_only"]:
                metrics = training.rebuild_reports(cfg)
            else:
                metrics = training.train(cfg, log=self.stdout.write)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        full = metrics["by_fraction"]["1.0"]
        self.stdout.write(
            self.style.SUCCESS(
                f"validation top-1 {full['all']['top1']:.3f} top-3 {full['all']['top3']:.3f}; "
                f"model in {cfg.out}"
            )
        )


def _argument_problems(opts: dict) -> list[str]:
    """Checked before torch is imported, so a typo fails fast and clearly."""
    checks = [
        (opts["epochs"] >= 1, "--epochs must be >= 1"),
        (opts["samples_per_epoch"] >= 128, "--samples-per-epoch must be >= 128 (one batch)"),
        (
            16 <= opts["size"] <= 128 and opts["size"] % 8 == 0,
            "--size must be a multiple of 8 from 16 to 128",
        ),
        (1 <= opts["width"] <= 256, "--width must be from 1 to 256"),
        (opts["threads"] >= 1, "--threads must be >= 1"),
        (opts["workers"] >= 0, "--workers must be >= 0"),
        (0.0 <= opts["ema"] < 1.0, "--ema must be in [0, 1)"),
        (1 <= opts["members"] <= 8, "--members must be from 1 to 8"),
        (0 <= opts["head"] <= 1024, "--head must be from 0 to 1024"),
    ]
    return [message for ok, message in checks if not ok]

"""``python manage.py evaluate_guesser --data DIR``: held-out accuracy of the local sketch model.

By default only the validation split (stable key_id hash, never trained on) of the folder is
evaluated, so running it on the training folder gives honest figures; ``--all`` evaluates every
drawing, for a folder the model has never seen. Needs only onnxruntime and numpy.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Evaluate the local sketch model on Quick, Draw! simplified ndjson drawings: top-1/top-3 "
        "overall, for well-covered and sparse categories, at 25/50/75/100 % of strokes, latency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, type=Path, help="Quick, Draw! folder")
        parser.add_argument(
            "--all", action="store_true", help="every drawing, not only the validation split"
        )
        parser.add_argument("--model", type=Path, default=None, help="an other sketch.onnx")
        parser.add_argument("--labels", type=Path, default=None, help="its labels.json")
        parser.add_argument(
            "--skip-unknown",
            action="store_true",
            help="ignore drawings of categories the model does not know instead of failing",
        )
        parser.add_argument("--limit", type=int, default=0, help="at most N drawings")
        parser.add_argument("--latency-samples", type=int, default=300)
        parser.add_argument(
            "--network-only",
            action="store_true",
            help="score the network's own probabilities, without the class-prior correction "
            "the game applies (see docs/ai-model.md)",
        )

    def handle(self, *args, **opts) -> None:
        from game.ai.sketch import (
            LABELS_PATH,
            MODEL_PATH,
            WELL_COVERED_MIN,
            SketchModel,
            evaluate,
            iter_drawings,
            ndjson_files,
            normalise_label,
        )

        data = Path(opts["data"])
        if not data.is_dir():
            raise CommandError(f"--data {data} is not a directory")
        files = ndjson_files(data)
        if not files:
            raise CommandError(f"no .ndjson files in {data} (or {data}/simplified)")
        model_path = Path(opts["model"] or MODEL_PATH)
        labels_path = Path(opts["labels"] or LABELS_PATH)
        for path in (model_path, labels_path):
            if not Path(path).is_file():
                raise CommandError(f"model file {path} is missing (train_sketch_model writes it)")
        model = SketchModel(model_path, labels_path, data_prior=not opts["network_only"])

        split = "all" if opts["all"] else "val"
        drawings = list(iter_drawings(files, split))
        unknown = sorted({d.word for d in drawings if model.index_of(d.word) is None})
        if unknown and not opts["skip_unknown"]:
            shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            raise CommandError(
                f"{len(unknown)} unknown categories (not in {labels_path}): {shown}; "
                "use --skip-unknown to ignore them"
            )
        drawings = [d for d in drawings if model.index_of(d.word) is not None]
        if opts["limit"] > 0:
            drawings = drawings[: opts["limit"]]
        if not drawings:
            raise CommandError(
                f"no drawings to evaluate in {data}"
                + ("" if opts["all"] else " (validation split; use --all for a foreign folder)")
            )

        well = {
            normalise_label(name)
            for name, count in model.train_counts.items()
            if count >= WELL_COVERED_MIN
        }
        self.stdout.write(
            f"Evaluating {len(drawings)} drawings ({'all' if opts['all'] else 'validation split'})"
            f" of {len({d.word for d in drawings})} categories from {data}"
        )
        try:
            from tqdm import tqdm

            def progress(it):
                return tqdm(it, desc="evaluating", leave=False, disable=not self.stdout.isatty())
        except ImportError:
            progress = None
        result = evaluate(
            model,
            drawings,
            well,
            latency_samples=opts["latency_samples"],
            progress=progress,
        )
        self.stdout.write(format_report(result))


def format_report(result: dict) -> str:
    """A plain-text table, one row per share of strokes drawn."""

    def pct(x: float) -> str:
        return "   n/a" if x != x else f"{x * 100:5.1f}%"

    lines = [
        f"{'strokes':>8}  {'top-1':>6} {'top-3':>6}  "
        f"{'well top-1':>10} {'well top-3':>10}  {'sparse top-1':>12} {'sparse top-3':>12}"
    ]
    for f, row in sorted(result["by_fraction"].items(), key=lambda kv: float(kv[0])):
        lines.append(
            f"{float(f) * 100:7.0f}%  {pct(row['all']['top1'])} {pct(row['all']['top3'])}  "
            f"{pct(row['well_covered']['top1']):>10} {pct(row['well_covered']['top3']):>10}  "
            f"{pct(row['sparse']['top1']):>12} {pct(row['sparse']['top3']):>12}"
        )
    full = result["by_fraction"].get("1.0", {})
    if full:
        lines.append(
            f"drawings: {full['all']['n']} (well-covered {full['well_covered']['n']}, "
            f"sparse {full['sparse']['n']}); every category counted once (macro) top-1 "
            f"{pct(result['macro_top1']).strip()}"
        )
    lat = result["latency_ms"]
    lines.append(
        f"latency (render + model, 1 thread): median {lat['median']:.2f} ms, "
        f"p95 {lat['p95']:.2f} ms over {lat['n']} guesses"
    )
    return "\n".join(lines)

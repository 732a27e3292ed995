"""The one place benchmarks write their figures: their own section of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(marker: str, section: str, doc: Path = DOC) -> None:
    """Replace the section that starts with ``marker`` (up to the next ``## ``), or append it,
    so that each benchmark rewrites only its own figures."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    if marker in text:
        head, _, rest = text.partition(marker)
        nxt = rest.find("\n## ")
        text = head + section + (rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
    print(f"wrote {doc}")

"""The pictures of a drawing: PNG, thumbnail and animated GIF, all by the shared renderer.

Decision: files in Django's storage (``MEDIA_ROOT`` by default; any storage backend such as
S3 through ``STORAGES``), not database blobs. The op log in the database is the drawing; the
pictures are caches derived from it, so keeping them out of the database keeps backups and
row reads small, and a file that is missing (a fresh host, a lost disk) is simply rendered
again on the next request. Files are named by the drawing's random token, which also
versions their URLs: the content behind a URL never changes, so browsers and proxies may
cache it for a year.

Rendering is CPU work: callers run it off the event loop (the views use a worker thread,
saving runs in its own thread).
"""

from __future__ import annotations

import contextlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageChops

from gallery.models import Drawing
from game.ai import render

FULL_WIDTH = 800
THUMB_WIDTH = 320
GIF_WIDTH = 400
#: Frames of the animation between the empty board and the finished drawing.
GIF_STEPS = 24
GIF_FRAME_MS = 120
GIF_FIRST_MS = 400
GIF_LAST_MS = 2500

KINDS = {
    "png": ("image", ".png", "image/png"),
    "thumb": ("thumbnail", "-thumb.png", "image/png"),
    "gif": ("animation", ".gif", "image/gif"),
}


def is_blank(picture: Image.Image) -> bool:
    """True when the picture is nothing but the white background."""
    white = Image.new("RGB", picture.size, (255, 255, 255))
    return ImageChops.difference(picture.convert("RGB"), white).getbbox() is None


def png_bytes(picture: Image.Image) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def thumbnail_of(picture: Image.Image) -> Image.Image:
    height = round(THUMB_WIDTH * render.ASPECT)
    return picture.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)


def gif_bytes(ops: list[dict], pace: list[list[int]]) -> bytes:
    """An animated GIF of the drawing being drawn: the shared renderer at increasing op
    counts, at moments spread evenly over the replay's time, then the finished drawing."""
    from gallery.saving import op_times

    times = op_times(ops, pace)
    counts = [0]
    if times:
        total = times[-1]
        for step in range(1, GIF_STEPS + 1):
            moment = total * step / GIF_STEPS
            count = next((i for i, t in enumerate(times) if t > moment), len(ops))
            if count > counts[-1]:
                counts.append(count)
        if counts[-1] != len(ops):
            counts.append(len(ops))
    frames = [render.render_image(ops[:count], width=GIF_WIDTH) for count in counts]
    durations = [GIF_FIRST_MS] + [GIF_FRAME_MS] * (len(frames) - 2) + [GIF_LAST_MS]
    durations = durations[: len(frames)]
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
    )
    return buf.getvalue()


def _path(drawing: Drawing, kind: str) -> str:
    suffix = KINDS[kind][1]
    when = drawing.created_at
    folder = f"gallery/{when:%Y/%m}" if when else "gallery"
    return f"{folder}/{drawing.token}{suffix}"


def _save(drawing: Drawing, kind: str, data: bytes) -> str:
    field = KINDS[kind][0]
    name = default_storage.save(_path(drawing, kind), ContentFile(data))
    Drawing.objects.filter(pk=drawing.pk).update(**{field: name})
    setattr(drawing, field, name)
    return name


def store_new(drawing: Drawing, picture: Image.Image) -> None:
    """Write the PNG and the thumbnail of a drawing that was just saved."""
    _save(drawing, "png", png_bytes(picture))
    _save(drawing, "thumb", png_bytes(thumbnail_of(picture)))


def source(drawing: Drawing) -> tuple[list[dict], list[list[int]]]:
    """The ops and pace a picture is rendered from."""
    return Drawing.objects.filter(pk=drawing.pk).values_list("ops", "pace").get()


def render_kind(ops: list[dict], pace: list[list[int]], kind: str) -> bytes:
    if kind == "gif":
        return gif_bytes(ops, pace)
    picture = render.render_image(ops, width=FULL_WIDTH)
    return png_bytes(picture if kind == "png" else thumbnail_of(picture))


def stored(drawing: Drawing, kind: str) -> bytes | None:
    """The picture's bytes from storage, or None when it was never rendered or is gone."""
    name = getattr(drawing, KINDS[kind][0]).name
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def store(drawing: Drawing, kind: str, data: bytes) -> None:
    """Keep a picture rendered on demand, unless a concurrent request stored it first."""
    field = KINDS[kind][0]
    current = Drawing.objects.filter(pk=drawing.pk).values_list(field, flat=True).first()
    if current and current != getattr(drawing, field).name and default_storage.exists(current):
        return
    _save(drawing, kind, data)


def picture(drawing: Drawing, kind: str) -> bytes:
    """The bytes of a picture of the drawing: from storage, or rendered and stored now."""
    data = stored(drawing, kind)
    if data is None:
        ops, pace = source(drawing)
        data = render_kind(ops, pace, kind)
        store(drawing, kind, data)
    return data


def delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            with contextlib.suppress(OSError):
                default_storage.delete(name)

"""Health checks for load balancers and operators.

``/healthz`` answers 200 only when the database and the channel layer both work, because a
process that can serve pages but cannot relay strokes is broken for players.
"""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    """A message must make the round trip through the layer, not merely be accepted."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # Default prefix: channels_redis reads every process-specific channel through one BRPOP
    # loop on the list named by the part before "!"; with websockets open on this process a
    # "healthz." channel never received and /healthz answered 503.
    channel = await layer.new_channel()
    token = time.monotonic_ns()
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned a different message")


async def _timed(check, *args) -> dict:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(*args), timeout=CHECK_TIMEOUT)
    except Exception as exc:  # a health check reports every failure, whatever it is
        logger.warning("health check %s failed: %s", check.__name__, exc)
        # Details stay out of public answers in production: they can name internal hosts.
        error = f"{type(exc).__name__}: {exc}"[:300] if settings.DEBUG else type(exc).__name__
        return {"ok": False, "error": error}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


async def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": await _timed(sync_to_async(_check_database, thread_sensitive=True)),
        "channel_layer": await _timed(_check_channel_layer),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)


class HealthSocket(AsyncJsonWebsocketConsumer):
    """Lets an operator check that websockets get through the proxy chain end to end."""

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"type": "healthz", "ok": True})
        await self.close()

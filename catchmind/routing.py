"""Websocket routes of every app, gathered in one list for ``asgi.py``."""

from django.urls import path

from catchmind.health import HealthSocket
from game.routing import websocket_urlpatterns as game_websockets

websocket_urlpatterns = [
    path("ws/healthz/", HealthSocket.as_asgi()),
    *game_websockets,
]

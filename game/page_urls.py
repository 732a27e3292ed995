"""URLs of the game's HTML pages (the JSON API and websockets have their own routes)."""

from django.urls import path

from game import pages

urlpatterns = [
    path("", pages.lobby, name="lobby"),
    # Room codes are 12 letters and digits (docs/protocol.md); the API answers unknown ones.
    path("r/<str:code>", pages.room, name="room"),
]

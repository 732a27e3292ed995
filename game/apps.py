from django.apps import AppConfig


class GameConfig(AppConfig):
    name = "game"

    def ready(self) -> None:
        from game.ai import receivers  # noqa: F401 - the AI player listens to game.signals

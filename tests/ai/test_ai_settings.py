"""The AI player's settings come from the environment and refuse nonsense at start-up."""

from __future__ import annotations

import pytest

from tests.process_support import settings_in_child

AI_VARIABLES = (
    "CATCHMIND_AI_BACKEND",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CATCHMIND_AI_OPENAI_MODEL",
    "CATCHMIND_AI_TIMEOUT",
    "CATCHMIND_AI_MAX_RETRIES",
    "CATCHMIND_AI_INTERVAL_LOCAL",
    "CATCHMIND_AI_INTERVAL_REMOTE",
    "CATCHMIND_AI_BUDGET_PER_HOUR",
    "CATCHMIND_AI_ROOM_BUDGET_PER_HOUR",
)


def ai_settings(tmp_path, **env: str) -> dict:
    return settings_in_child(
        tmp_path, f"{{n: getattr(s, n) for n in {list(AI_VARIABLES)!r}}}", unset=AI_VARIABLES, **env
    )


def test_without_configuration_the_ai_is_local_and_offline(tmp_path):
    s = ai_settings(tmp_path)
    assert s["CATCHMIND_AI_BACKEND"] == "local"
    assert s["OPENAI_API_KEY"] == ""
    assert (s["CATCHMIND_AI_TIMEOUT"], s["CATCHMIND_AI_MAX_RETRIES"]) == (4.0, 1)
    assert (s["CATCHMIND_AI_INTERVAL_LOCAL"], s["CATCHMIND_AI_INTERVAL_REMOTE"]) == (1.5, 4.0)


def test_an_openai_compatible_server_is_configured_from_the_environment(tmp_path):
    s = ai_settings(
        tmp_path,
        CATCHMIND_AI_BACKEND="openai",
        OPENAI_API_KEY="ollama",
        OPENAI_BASE_URL="http://127.0.0.1:11434/v1",
        CATCHMIND_AI_OPENAI_MODEL="ft:gpt-4o-mini-2024-07-18:org:doodles:abc",
        CATCHMIND_AI_TIMEOUT="2.5",
        CATCHMIND_AI_MAX_RETRIES="0",
        CATCHMIND_AI_BUDGET_PER_HOUR="50",
        CATCHMIND_AI_ROOM_BUDGET_PER_HOUR="5",
    )
    assert s["CATCHMIND_AI_BACKEND"] == "openai"
    assert s["OPENAI_BASE_URL"] == "http://127.0.0.1:11434/v1"
    assert s["CATCHMIND_AI_OPENAI_MODEL"].startswith("ft:")
    assert (s["CATCHMIND_AI_TIMEOUT"], s["CATCHMIND_AI_MAX_RETRIES"]) == (2.5, 0)
    assert (s["CATCHMIND_AI_BUDGET_PER_HOUR"], s["CATCHMIND_AI_ROOM_BUDGET_PER_HOUR"]) == (50, 5)


@pytest.mark.parametrize(
    "env",
    [
        {"CATCHMIND_AI_BACKEND": "gpt"},
        {"CATCHMIND_AI_MAX_RETRIES": "3"},
        {"CATCHMIND_AI_TIMEOUT": "0"},
        {"CATCHMIND_AI_BUDGET_PER_HOUR": "-1"},
    ],
)
def test_nonsense_is_refused_at_start_up(tmp_path, env):
    with pytest.raises(RuntimeError, match="CATCHMIND_AI"):
        ai_settings(tmp_path, **env)

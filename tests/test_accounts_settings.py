"""Each sign-in provider is on exactly when its client id and secret are in the environment."""

from __future__ import annotations

import pytest

from tests.process_support import settings_in_child

PROVIDER_VARS = [
    f"{p}_CLIENT_{part}"
    for p in ("GOOGLE", "GITHUB", "KAKAO", "NAVER")
    for part in ("ID", "SECRET")
]


def providers_in_child(tmp_path, **env: str) -> dict:
    return settings_in_child(
        tmp_path,
        "{'providers': s.SOCIALACCOUNT_PROVIDERS, 'login_on_get': s.SOCIALACCOUNT_LOGIN_ON_GET,"
        " 'only': s.SOCIALACCOUNT_ONLY}",
        unset=PROVIDER_VARS,
        **env,
    )


def test_no_environment_means_no_provider(tmp_path):
    s = providers_in_child(tmp_path)
    assert s["providers"] == {}
    assert s["login_on_get"] is False and s["only"] is True


def test_a_complete_pair_turns_its_provider_on_as_a_settings_app(tmp_path):
    s = providers_in_child(tmp_path, KAKAO_CLIENT_ID="rest-key", KAKAO_CLIENT_SECRET="sec")
    assert list(s["providers"]) == ["kakao"]
    assert s["providers"]["kakao"]["APPS"] == [
        {"client_id": "rest-key", "secret": "sec", "key": ""}
    ]


def test_all_four_providers(tmp_path):
    env = {name: f"value-{name}" for name in PROVIDER_VARS}
    assert set(providers_in_child(tmp_path, **env)["providers"]) == {
        "google",
        "github",
        "kakao",
        "naver",
    }


@pytest.mark.parametrize("half", ["NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"])
def test_half_a_pair_fails_at_start_with_the_variable_names(tmp_path, half):
    with pytest.raises(RuntimeError, match="NAVER_CLIENT_ID and NAVER_CLIENT_SECRET"):
        providers_in_child(tmp_path, **{half: "x"})

"""Fake Google, GitHub, Kakao and Naver for the accounts tests.

allauth's real views run; only the providers' HTTP endpoints are answered, by ``responses``,
which also fails any request to an address not registered here, so no test can call out.
The fakes behave like the real servers where it matters: codes work once and only for the
client and redirect URI they were issued for, PKCE verifiers are checked, and the user info
endpoints want the access token that the code was exchanged for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa

PROVIDERS = ("google", "github", "kakao", "naver")
CLIENTS = {p: (f"{p}-client-id", f"{p}-client-secret") for p in PROVIDERS}

AUTHORIZE = {
    "google": "https://accounts.google.com/o/oauth2/v2/auth",
    "github": "https://github.com/login/oauth/authorize",
    "kakao": "https://kauth.kakao.com/oauth/authorize",
    "naver": "https://nid.naver.com/oauth2.0/authorize",
}
TOKEN = {
    "google": "https://oauth2.googleapis.com/token",
    "github": "https://github.com/login/oauth/access_token",
    "kakao": "https://kauth.kakao.com/oauth/token",
    "naver": "https://nid.naver.com/oauth2.0/token",
}
GOOGLE_USERINFO = "https://www.googleapis.com/oauth2/v2/userinfo"
GITHUB_USER = "https://api.github.com/user"
GITHUB_EMAILS = "https://api.github.com/user/emails"
KAKAO_ME = "https://kapi.kakao.com/v2/user/me"
NAVER_ME = "https://openapi.naver.com/v1/nid/me"

_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Person:
    """Someone with an account at the provider."""

    uid: str
    name: str
    email: str
    login: str = ""  # GitHub login / Naver nickname


def provider_settings(providers=PROVIDERS) -> dict:
    """``SOCIALACCOUNT_PROVIDERS`` as catchmind/settings.py builds it from the environment."""
    extra = {
        "google": {"SCOPE": ["profile", "email"], "OAUTH_PKCE_ENABLED": True},
        "github": {"SCOPE": ["user:email"]},
    }
    return {
        p: {
            "APPS": [{"client_id": CLIENTS[p][0], "secret": CLIENTS[p][1], "key": ""}],
            **extra.get(p, {}),
        }
        for p in providers
    }


class FakeProviders:
    """The four providers' servers. ``google_id_token=False`` makes Google answer the token
    request without an id_token, so allauth asks the userinfo endpoint instead."""

    def __init__(self, *, google_id_token: bool = True) -> None:
        self.google_id_token = google_id_token
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._codes: dict[str, dict] = {}  # code -> {provider, person, redirect_uri, pkce}
        self._tokens: dict[str, tuple[str, Person]] = {}  # access token -> (provider, person)
        for provider in PROVIDERS:
            self.mock.add_callback(
                responses.POST, TOKEN[provider], callback=self._token_endpoint(provider)
            )
        for url in (GOOGLE_USERINFO, GITHUB_USER, GITHUB_EMAILS, KAKAO_ME, NAVER_ME):
            self.mock.add_callback(responses.GET, url, callback=self._api_endpoint(url))

    def __enter__(self) -> FakeProviders:
        self.mock.start()
        return self

    def __exit__(self, *exc) -> None:
        self.mock.stop()
        self.mock.reset()

    @property
    def calls(self) -> list[str]:
        return [call.request.url.split("?")[0] for call in self.mock.calls]

    # --- the browser's side of the dance ---------------------------------------------

    def start(self, client, provider: str, **query) -> dict:
        """POST to the site's provider login URL; returns the authorize redirect's query."""
        url = f"/accounts/{provider}/login/"
        if query:
            url += "?" + urlencode(query)
        response = client.post(url)
        assert response.status_code == 302, response.status_code
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE[provider]
        params = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert params["client_id"] == CLIENTS[provider][0]
        assert params["response_type"] == "code"
        assert params["state"]
        return params

    def consent(self, provider: str, params: dict, person: Person) -> dict:
        """The person approves at the provider: the callback query it redirects back with."""
        code = secrets.token_urlsafe(12)
        self._codes[code] = {
            "provider": provider,
            "person": person,
            "redirect_uri": params["redirect_uri"],
            "challenge": params.get("code_challenge"),
        }
        return {"code": code, "state": params["state"]}

    def sign_in(self, client, provider: str, person: Person, **query):
        params = self.start(client, provider, **query)
        callback = urlsplit(params["redirect_uri"]).path
        return client.get(callback, self.consent(provider, params, person))

    # --- the providers' servers ---------------------------------------------------------

    def _token_endpoint(self, provider: str):
        def answer(request):
            form = {k: v[0] for k, v in parse_qs(request.body).items()}
            grant = self._codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or grant["provider"] != provider
                or form.get("grant_type") != "authorization_code"
                or form.get("client_id") != CLIENTS[provider][0]
                or form.get("client_secret") != CLIENTS[provider][1]
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                return 400, {}, json.dumps({"error": "invalid_grant"})
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                    return 400, {}, json.dumps({"error": "invalid_grant"})
            person = grant["person"]
            token = f"{provider}-at-{secrets.token_urlsafe(16)}"
            self._tokens[token] = (provider, person)
            return self._token_response(provider, token, person)

        return answer

    def _token_response(self, provider: str, token: str, person: Person):
        json_type = {"content-type": "application/json; charset=utf-8"}
        if provider == "google":
            body = {
                "access_token": token,
                "expires_in": 3599,
                "scope": "openid https://www.googleapis.com/auth/userinfo.profile "
                "https://www.googleapis.com/auth/userinfo.email",
                "token_type": "Bearer",
            }
            if self.google_id_token:
                body["id_token"] = self._google_id_token(person)
            return 200, json_type, json.dumps(body)
        if provider == "github":  # GitHub answers form-encoded unless asked for JSON
            body = urlencode({"access_token": token, "scope": "user:email", "token_type": "bearer"})
            return 200, {"content-type": "application/x-www-form-urlencoded"}, body
        if provider == "kakao":
            body = {
                "token_type": "bearer",
                "access_token": token,
                "expires_in": 21599,
                "refresh_token": secrets.token_urlsafe(16),
                "refresh_token_expires_in": 5183999,
                "scope": "account_email profile_nickname",
            }
            return 200, json_type, json.dumps(body)
        body = {  # naver
            "access_token": token,
            "refresh_token": secrets.token_urlsafe(16),
            "token_type": "bearer",
            "expires_in": "3600",
        }
        return 200, json_type, json.dumps(body)

    def _google_id_token(self, person: Person) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "azp": CLIENTS["google"][0],
            "aud": CLIENTS["google"][0],
            "sub": person.uid,
            "email": person.email,
            "email_verified": True,
            "at_hash": secrets.token_urlsafe(16),
            "name": person.name,
            "picture": "https://lh3.googleusercontent.com/a/default-user",
            "given_name": person.name.split()[0],
            "family_name": person.name.split()[-1],
            "iat": now,
            "exp": now + 3600,
        }
        return jwt.encode(claims, _SIGNING_KEY, algorithm="RS256", headers={"kid": "test-key"})

    def _api_endpoint(self, url: str):
        def answer(request):
            header = request.headers.get("Authorization", "")
            token = header.split(" ", 1)[1] if " " in header else ""
            if token not in self._tokens:
                return 401, {}, json.dumps({"message": "Bad credentials"})
            provider, person = self._tokens[token]
            expected_scheme = "token" if provider == "github" else "Bearer"
            if not header.startswith(expected_scheme + " "):
                return 401, {}, json.dumps({"message": "Bad credentials"})
            body = self._api_body(url, person)
            return 200, {"content-type": "application/json; charset=utf-8"}, json.dumps(body)

        return answer

    @staticmethod
    def _api_body(url: str, person: Person):
        if url == GOOGLE_USERINFO:
            return {
                "id": person.uid,
                "email": person.email,
                "verified_email": True,
                "name": person.name,
                "given_name": person.name.split()[0],
                "family_name": person.name.split()[-1],
                "picture": "https://lh3.googleusercontent.com/a/default-user",
                "locale": "ko",
            }
        if url == GITHUB_USER:
            return {
                "login": person.login,
                "id": int(person.uid),
                "node_id": "MDQ6VXNlcjE=",
                "avatar_url": f"https://avatars.githubusercontent.com/u/{person.uid}?v=4",
                "html_url": f"https://github.com/{person.login}",
                "type": "User",
                "site_admin": False,
                "name": person.name,
                "company": None,
                "blog": "",
                "location": "Seoul",
                "email": None,  # private: only /user/emails has it
                "bio": None,
                "public_repos": 8,
                "followers": 20,
                "following": 0,
                "created_at": "2011-01-25T18:44:36Z",
            }
        if url == GITHUB_EMAILS:
            return [
                {
                    "email": person.email,
                    "primary": True,
                    "verified": True,
                    "visibility": "private",
                },
                {
                    "email": f"{person.uid}+{person.login}@users.noreply.github.com",
                    "primary": False,
                    "verified": True,
                    "visibility": None,
                },
            ]
        if url == KAKAO_ME:
            return {
                "id": int(person.uid),
                "connected_at": "2026-11-20T08:12:03Z",
                "properties": {"nickname": person.name},
                "kakao_account": {
                    "profile_nickname_needs_agreement": False,
                    "profile": {"nickname": person.name, "is_default_nickname": False},
                    "has_email": True,
                    "email_needs_agreement": False,
                    "is_email_valid": True,
                    "is_email_verified": True,
                    "email": person.email,
                },
            }
        return {  # naver
            "resultcode": "00",
            "message": "success",
            "response": {
                "id": person.uid,
                "nickname": person.login or "nick",
                "name": person.name,
                "email": person.email,
                "gender": "U",
                "age": "30-39",
                "profile_image": "https://ssl.pstatic.net/static/pwe/address/img_profile.png",
            },
        }


def visitor_client(**kwargs):
    """A browser at an address of its own, so allauth's per-address sign-in limits (kept in
    the shared cache, Redis in CI) never carry over from one test to another -- without
    clearing a cache that other parts of the suite may be using."""
    from django.test import Client

    octets = [secrets.randbelow(256), secrets.randbelow(256), 1 + secrets.randbelow(254)]
    return Client(REMOTE_ADDR="10.{}.{}.{}".format(*octets), **kwargs)


PEOPLE = {
    "google": Person(uid="104236510298347612345", name="Kim Minji", email="minji@gmail.com"),
    "github": Person(uid="583231", name="The Octocat", email="octo@example.com", login="octocat"),
    "kakao": Person(uid="3012345678", name="홍길동", email="gildong@kakao.com"),
    "naver": Person(uid="Ru8b0xZ3", name="김네이버", email="openapi@naver.com", login="네이버짱"),
}

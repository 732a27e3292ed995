"""Catchmind settings: one module, configured only through the environment.

With no environment at all the server runs on the embedded defaults (SQLite file, in-memory
channel layer, local-memory cache, local AI). ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis; ``CATCHMIND_ENV=production`` turns on the production checks. Every
variable is documented in README.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from catchmind.env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    redis_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CATCHMIND_DATA_DIR") or BASE_DIR / "var")

ENVIRONMENT = env_str("CATCHMIND_ENV", "development").lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("CATCHMIND_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    """Production demands an explicit key; a development server keeps a random one in the
    data folder so sessions survive restarts without any secret in the code."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when CATCHMIND_ENV=production")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when CATCHMIND_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "game",
    "accounts",
    "gallery",
    # Sign-in (issue 7): after "accounts", so our templates and translations win.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "catchmind.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "catchmind.urls"
ASGI_APPLICATION = "catchmind.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: the game state lives here (DESIGN §2) ---
_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: transport only (channel layer, cache, rate-limit counters) ---
_redis = redis_url()
# Messages a channel may hold before the layer drops new ones, silently. A process reads all
# its rooms from ONE hub channel (game/hub.py), so this bounds a burst of stroke batches and
# events of every room of the process, not of one player: the same on both layers (the
# in-memory default would otherwise be 100).
CHANNEL_CAPACITY = 1000
if _redis:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [_redis.url],
                "prefix": env_str("CATCHMIND_CHANNEL_PREFIX", "catchmind"),
                "capacity": CHANNEL_CAPACITY,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis.url,
            "KEY_PREFIX": env_str("CATCHMIND_CHANNEL_PREFIX", "catchmind"),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts: django-allauth, third-party sign-in only (issue 7; README "Sign-in") ---
# Players are guests or sign in with Google, GitHub, Kakao or Naver; there are no local
# email/password accounts on the site. Operators use /admin/ with `manage.py createsuperuser`
# (Django's ModelBackend).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
OAUTH_PROVIDERS = ("google", "github", "kakao", "naver")


def _oauth_providers() -> dict:
    """One settings-backed app (no database SocialApp) per provider whose ``<ID>_CLIENT_ID``
    and ``<ID>_CLIENT_SECRET`` are both set; half a pair is a start-up error."""
    extra = {
        "google": {"SCOPE": ["profile", "email"], "OAUTH_PKCE_ENABLED": True},
        "github": {"SCOPE": ["user:email"]},
        "kakao": {},  # consent items (nickname, email) are chosen in the Kakao console
        "naver": {},
    }
    providers = {}
    for provider in OAUTH_PROVIDERS:
        prefix = provider.upper()
        client_id = env_str(f"{prefix}_CLIENT_ID")
        secret = env_str(f"{prefix}_CLIENT_SECRET")
        if bool(client_id) != bool(secret):
            raise ImproperlyConfigured(
                f"{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET must be set together"
            )
        if client_id:
            app = {"client_id": client_id, "secret": secret, "key": ""}
            providers[provider] = {"APPS": [app], **extra[provider]}
    return providers


SOCIALACCOUNT_PROVIDERS = _oauth_providers()
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # sign-in starts with a POST (CSRF-protected)
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False  # we never call the providers' APIs after sign-in
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.profiles.user_display"
ACCOUNT_EMAIL_VERIFICATION = "none"  # required by SOCIALACCOUNT_ONLY; we send no mail
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# allauth's rate limits count in the default cache (Redis when REDIS_URL is set). Behind a
# proxy, the client address is taken from X-Forwarded-For past this many trusted proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT",
    1 if PRODUCTION and env_bool("BEHIND_TLS_PROXY", default=True) else 0,
    minimum=0,
)

# --- Language: Korean first (DESIGN §7) ---
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
# Daphne serves /static/ itself unless a reverse proxy does it (see README).
SERVE_STATIC = env_bool("CATCHMIND_SERVE_STATIC", default=True)

# --- Production hardening (python manage.py check --deploy is clean under it) ---
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- AI player (DESIGN §5, game/ai/): backends, timeouts, pacing and the paid-call budget ---
CATCHMIND_AI_BACKEND = env_str("CATCHMIND_AI_BACKEND", "local").lower()
if CATCHMIND_AI_BACKEND not in {"local", "openai"}:
    raise ImproperlyConfigured("CATCHMIND_AI_BACKEND must be 'local' or 'openai'")
# Without an API key the openai backend is never used (rooms fall back to local).
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")  # empty: api.openai.com; or Ollama, vLLM, ...
CATCHMIND_AI_OPENAI_MODEL = env_str("CATCHMIND_AI_OPENAI_MODEL", "gpt-4o-mini")
CATCHMIND_AI_TIMEOUT = env_float("CATCHMIND_AI_TIMEOUT", 4.0)
CATCHMIND_AI_MAX_RETRIES = env_int("CATCHMIND_AI_MAX_RETRIES", 1, minimum=0)
if CATCHMIND_AI_MAX_RETRIES > 1 or CATCHMIND_AI_TIMEOUT <= 0:
    raise ImproperlyConfigured("CATCHMIND_AI_MAX_RETRIES must be 0 or 1, CATCHMIND_AI_TIMEOUT > 0")
# Seconds between two AI calls for one room, per backend.
CATCHMIND_AI_INTERVAL_LOCAL = env_float("CATCHMIND_AI_INTERVAL_LOCAL", 1.5)
CATCHMIND_AI_INTERVAL_REMOTE = env_float("CATCHMIND_AI_INTERVAL_REMOTE", 4.0)
# Paid calls per hour, all rooms together and per room; over it a room uses the local model.
CATCHMIND_AI_BUDGET_PER_HOUR = env_int("CATCHMIND_AI_BUDGET_PER_HOUR", 1000, minimum=0)
CATCHMIND_AI_ROOM_BUDGET_PER_HOUR = env_int("CATCHMIND_AI_ROOM_BUDGET_PER_HOUR", 120, minimum=0)

# --- Gallery (gallery/): moderation threshold and how finished drawings are saved ---
# Distinct signed-in reporters after which a published drawing is hidden until reviewed.
GALLERY_REPORT_THRESHOLD = env_int("CATCHMIND_GALLERY_REPORT_THRESHOLD", 3, minimum=1)
# "thread": a worker thread of the process saves each finished turn (default); "sync": in
# the thread that ended the turn; "off": drawings are not saved.
GALLERY_SAVE = env_str("CATCHMIND_GALLERY_SAVE", "thread").lower()
if GALLERY_SAVE not in {"thread", "sync", "off"}:
    raise ImproperlyConfigured("CATCHMIND_GALLERY_SAVE must be thread, sync or off")

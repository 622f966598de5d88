"""Django settings, read from the environment (12-factor).

DATABASE_URL selects the system of record (default: SQLite under var/); DEBUG is off
unless FUPIN_DEBUG=1; the secret key comes from FUPIN_SECRET_KEY or is generated once
into var/secret_key (never committed). FUPIN_HTTPS=1 says the site is served over HTTPS
and turns on secure cookies, the redirect to HTTPS and HSTS (the demo runs on plain
http://127.0.0.1, so they are off unless asked); `fupin check --deploy` passes with it.
FUPIN_PUBLIC_URL is the site's public address, printed in the contact cards' QR codes.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF


def _var_dir() -> Path:
    explicit = os.environ.get("FUPIN_VAR_DIR")
    if explicit:
        return Path(explicit)
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").exists():
        return repo / "var"
    return Path.cwd() / "var"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(var_dir: Path) -> str:
    from_env = os.environ.get("FUPIN_SECRET_KEY")
    if from_env:
        return from_env
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


VAR_DIR = _var_dir()
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = _secret_key(VAR_DIR)
DEBUG = _env_flag("FUPIN_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]
# The address the public reaches the site at: contact cards print their QR code with it.
PUBLIC_URL = os.environ.get("FUPIN_PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "fupin.core",
    "fupin.regions",
    "fupin.policy",
    "fupin.registry",
    "fupin.synth",
    "fupin.targeting",
    "fupin.stats",
    "fupin.pairing",
    "fupin.monitoring",
    "fupin.support",
    "fupin.jobs",
    "fupin.web",
    "ninja",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fupin.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "fupin.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fupin.sqlite3'}"),
        conn_max_age=int(os.environ.get("FUPIN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # Temporary tables and index sorts of a bulk load go to a file, not to memory.
            " PRAGMA cache_size=-200000; PRAGMA temp_store=FILE;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords: Argon2id for every new or changed password; the others only verify older
# hashes, which Django rehashes with Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes checks every login (the login page, the back office) before the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is refused (HTTP 429) until AXES_COOLOFF_TIME has passed since the last
# failure; a success before that clears the count. Other users and addresses are not
# affected, so a guesser cannot lock a whole office out. `fupin axes_reset_username NAME`
# lifts a lockout early; attempts are listed in the back office (Axes).
AXES_FAILURE_LIMIT = int(os.environ.get("FUPIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FUPIN_LOGIN_COOLOFF_MINUTES", "30")))
# The address is REMOTE_ADDR (django-ipware is not installed): behind a reverse proxy every
# client shares the proxy's address, and the lockout then falls on the username alone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_MESSAGE = "登录失败次数过多，该账户已在本机暂时锁定，请稍后再试。"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "web:login"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# FUPIN_SERVE_STATIC=1: the application itself serves STATIC_ROOT (after `fupin
# collectstatic`), for the demo, which runs gunicorn with no web server in front.
SERVE_STATIC = _env_flag("FUPIN_SERVE_STATIC")

# Cookies and transport. Session and CSRF cookies are never readable by scripts; a page
# that posts with htmx takes the CSRF token from the page, not from the cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A working day: a session ends 8 hours after login, or when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = _env_flag("FUPIN_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS and _env_flag("FUPIN_BEHIND_PROXY"):
    # TLS ends at the reverse proxy, which must set (and never pass on) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("FUPIN_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# Content-Security-Policy (django-csp 4): only the site's own scripts, styles and images,
# nothing inline (the pages and the API docs at /api/docs load their code from files), no
# framing, forms post only back to the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUPIN_LOG_LEVEL", "WARNING")},
}

"""Entracte settings. Everything that differs between machines comes from the environment.

DATABASE_URL      default sqlite:///var/entracte.sqlite3 (PostgreSQL: postgres://user@host/db)
SECRET_KEY        required when DEBUG is off
DEBUG             "1" for development (default on for `make run`)
ALLOWED_HOSTS     comma-separated
EMAIL_BACKEND     default: file backend writing to var/mail/
SITE_URL          absolute base URL used in emails (default http://127.0.0.1:8000)
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ENTRACTE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else None)
if not SECRET_KEY:
    # No key given: make one once and keep it in var/, so that every process of this
    # installation signs sessions and links with the same key.
    import secrets

    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _tmp = _key_file.with_suffix(f".{os.getpid()}")
        _tmp.write_text(secrets.token_urlsafe(50))
        _tmp.chmod(0o600)
        _tmp.replace(_key_file)
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "entracte.core",
    "entracte.catalog",
    "entracte.inventory",
    "entracte.customers",
    "entracte.sales",
    "entracte.access",
    "entracte.reservations",
    "entracte.subscriptions",
    "entracte.advantages",
    "entracte.shop",
    "entracte.boxoffice",
    "entracte.api",
    "entracte.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Outside CommonMiddleware, so that an API request it refuses (a host not allowed) is also
    # answered in the API's JSON shape; inside LocaleMiddleware, for the message's language.
    "entracte.api.middleware.ApiErrorShapeMiddleware",
    # A NUL anywhere in a request: 400 before any view reads it (PostgreSQL refuses it in text).
    "entracte.core.inputs.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "entracte.urls"
WSGI_APPLICATION = "entracte.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'entracte.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's queries use client-side binding and are never prepared (server-side binding for
    # all of them was measured slower). The few hot reads that PostgreSQL spent longer planning
    # than running ask for a prepared statement themselves (core/rawsql.fetch(prepare=True)):
    # prepared statements are allowed (a threshold no query reaches by itself), and planned
    # once per connection with a generic plan (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": os.environ.get("PG_SERVER_SIDE_BINDING", "0") == "1",
        "prepare_threshold": 10**9,
        "options": "-c plan_cache_mode=force_generic_plan",
    })
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Every transaction takes the write lock at BEGIN: two sellers never interleave.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not shared memory, so that threads in concurrency tests really contend.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3"),
    }

AUTH_USER_MODEL = "customers.User"
LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:account"
LOGOUT_REDIRECT_URL = "shop:programme"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
# A form refused by the CSRF check gets the shop's error page, translated (shop/errors.py).
CSRF_FAILURE_VIEW = "entracte.shop.errors.csrf_failure"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "entracte" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Static files are served by WhiteNoise from the apps' folders; no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billetterie@entracte.example")

# Background work (emails, batches). "immediate" runs a task inside the request that enqueues
# it (development, tests); "database" queues it for `manage.py db_worker` (production).
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("ENTRACTE_TASKS", "immediate")]
    }
}

# Business defaults (each can be overridden on the point of sale).
ENTRACTE_CURRENCY = "EUR"
ENTRACTE_DEFAULT_HOLD_MINUTES = 15
# Extra time a hold gets while the payment provider answers, so that a slow card
# authorisation never loses the seats it is paying for.
ENTRACTE_PAYMENT_GRACE_MINUTES = 5
# Confirmation emails of the orders one process places within this many seconds are sent
# together by one task (sales/emails.py); a task backend that cannot defer sends each at once.
ENTRACTE_CONFIRMATION_WINDOW_SECONDS = 1.0
# Default time a reservation made at the counter or on the phone is kept unpaid (never past
# the end of sales of its first performance).
ENTRACTE_RESERVATION_DAYS = 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": os.environ.get("LOG_LEVEL", "WARNING")}},
}

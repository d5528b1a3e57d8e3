"""Settings shared by every configuration.

Two configurations come out of one code base:
- embedded default (no DATABASE_URL / REDIS_URL): SQLite, in-memory channel layer, background
  tasks run in-process, the market feed runs inside the web process;
- services (DATABASE_URL and REDIS_URL set): PostgreSQL, channels-redis, Celery worker and beat
  with the Redis broker and the database scheduler, and a separate feed runner process.

Only settings read the environment; every variable is listed in .env.example.
"""

import hashlib
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PAPERTRADE_VAR_DIR") or BASE_DIR / "var")


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty value counts as unset (compose passes `VAR=` through)."""
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-insecure-papertrade-key-change-me-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://127.0.0.1:5173", "http://localhost:5173"],
)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "channels",
    "django_celery_beat",
    "accounts",
    "jobs",
    "market",
    "historical",
    "orders",
    "strategies",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.locale.UserLanguageMiddleware",  # the signed-in user's language setting wins (config/locale.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # Under ASGI every request may run on a different thread, so per-thread persistent connections
    # pile up; a per-process psycopg pool bounds them instead (size with PAPERTRADE_DB_POOL_MAX).
    # Health checks make the pool test a connection before handing it out, so connections that
    # died with a database restart are replaced instead of failing a request.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("PAPERTRADE_DB_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(env_str("PAPERTRADE_DB_POOL_MAX", "8")),
            "timeout": float(env_str("PAPERTRADE_DB_POOL_TIMEOUT", "10")),
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "papertrade.sqlite3",
            # WAL lets the feed thread write quotes while requests read.
            "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: channel layer, cache, Celery broker ------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
REDIS_PREFIX = env_str("PAPERTRADE_REDIS_PREFIX", "papertrade")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_PREFIX}:asgi", "capacity": 1000, "expiry": 30},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # Django's, with one redis-py client per pool
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks ---------------------------------------------------------------------------
# "celery": tasks go to the broker and a worker runs them (services configuration);
# "thread": tasks run in a thread of the process that queued them (embedded default);
# "eager": tasks run inline in the caller (tests that want synchronous behaviour).
TASK_MODE = env_str("PAPERTRADE_TASK_MODE", "celery" if REDIS_URL else "thread")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = TASK_MODE != "celery"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged is redelivered after this many seconds; it must exceed
# the longest task (training) or a live task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env_str("PAPERTRADE_CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_ROUTES = {
    "historical.*": {"queue": "ingestion"},
    "strategies.*": {"queue": "training"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"

# --- Webhooks ------------------------------------------------------------------------------------
# Deliveries only go to public addresses unless this is on (development: a receiver on localhost).
WEBHOOKS_ALLOW_PRIVATE = env_bool("PAPERTRADE_WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_TIMEOUT = float(env_str("PAPERTRADE_WEBHOOKS_TIMEOUT", "5"))
# Seconds before each retry of a failed delivery; when they run out it is marked failed.
# Days a finished delivery stays in the log.
WEBHOOKS_LOG_DAYS = int(env_str("PAPERTRADE_WEBHOOKS_LOG_DAYS", "30"))
WEBHOOKS_RETRY_DELAYS = [
    float(s) for s in env_list("PAPERTRADE_WEBHOOKS_RETRY_DELAYS", ["10", "60", "300", "1800", "7200"])
]

# --- Market feed ---------------------------------------------------------------------------------
# "sim" (simulated KRX feed, default) or "kis" (Korea Investment & Securities real-time WebSocket).
MARKET_FEED = env_str("PAPERTRADE_FEED", "sim")
# Run the feed inside the web process: required with the in-memory channel layer, which does not
# cross processes. With Redis a separate `manage.py run_feed` process publishes instead.
MARKET_FEED_IN_PROCESS = env_bool("PAPERTRADE_FEED_IN_PROCESS", not REDIS_URL)
MARKET_FEED_TICKS_PER_SECOND = float(env_str("PAPERTRADE_FEED_RATE", "4"))
MARKET_FEED_SEED = int(env_str("PAPERTRADE_FEED_SEED", "0")) or None
# With Redis, each process mirrors the order books (kept current by pub/sub) instead of reading
# Redis on every order; off: every read goes to Redis.
MARKET_BOOK_MIRROR = env_bool("PAPERTRADE_BOOK_MIRROR", True)
# The market clock (market/clock.py): "practice" is a simulated clock that starts at
# PAPERTRADE_CLOCK_START (ISO 8601, Seoul time if no offset; empty: 08:50 of the next trading day),
# runs PAPERTRADE_CLOCK_SPEED times wall time and skips nights and holidays; "krx" is Seoul wall
# time. The KIS feed is real time: it always runs on "krx".
MARKET_CLOCK = env_str("PAPERTRADE_MARKET_CLOCK", "practice")
if MARKET_FEED == "kis":
    MARKET_CLOCK = "krx"
if MARKET_CLOCK not in ("practice", "krx"):
    raise ImproperlyConfigured(f"PAPERTRADE_MARKET_CLOCK must be practice or krx, not {MARKET_CLOCK!r}")
MARKET_CLOCK_START = env_str("PAPERTRADE_CLOCK_START", "")
MARKET_CLOCK_SPEED = float(env_str("PAPERTRADE_CLOCK_SPEED", "1"))
if MARKET_CLOCK_SPEED <= 0:
    raise ImproperlyConfigured("PAPERTRADE_CLOCK_SPEED must be positive (1 = real time, 60 = a day in minutes)")
KIS_ENV = env_str("KIS_ENV", "paper")  # "real" or "paper" (모의투자)
KIS_APP_KEY = env_str("KIS_APP_KEY", "")
KIS_APP_SECRET = env_str("KIS_APP_SECRET", "")
KIS_REST_URL = env_str(
    "KIS_REST_URL",
    "https://openapi.koreainvestment.com:9443" if KIS_ENV == "real" else "https://openapivts.koreainvestment.com:29443",
)
KIS_WS_URL = env_str(
    "KIS_WS_URL", "ws://ops.koreainvestment.com:21000" if KIS_ENV == "real" else "ws://ops.koreainvestment.com:31000"
)

# --- Secrets at rest -----------------------------------------------------------------------------
# Fernet key for KIS app keys. Development derives one from SECRET_KEY; production requires it.
FIELD_ENCRYPTION_KEY = env_str("PAPERTRADE_FIELD_ENCRYPTION_KEY", "")
if not FIELD_ENCRYPTION_KEY:
    import base64

    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()

# --- Auth, i18n, static ----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Korean is the source language (every msgid is the Korean text); locale/en holds the English
# catalog. The language of a request: the signed-in user's setting, else Accept-Language, else Korean.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [d for d in [FRONTEND_DIST / "assets"] if d.exists()]
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.exists() else None
# Vite names each built file dist/assets/<name>-<8-character content hash>.<ext>: those are cached
# for a year; index.html, which names the current ones, is revalidated on every load (the SPA's
# client routes get it from config.urls.spa_index, no-cache too). `npm run build` writes .br and .gz
# siblings, which WhiteNoise serves per Accept-Encoding (Vary: Accept-Encoding).
SPA_HASHED_ASSET = re.compile(r"^/assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$")


def spa_cache_headers(headers, path, url):
    if SPA_HASHED_ASSET.match(url):
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif url == "/index.html":
        headers["Cache-Control"] = "no-cache"


WHITENOISE_ADD_HEADERS_FUNCTION = spa_cache_headers
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
ARTIFACTS_DIR = Path(env_str("PAPERTRADE_ARTIFACTS_DIR", VAR_DIR / "artifacts"))
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "config.locale.TokenAuthentication",  # DRF's, and the user's language (config/locale.py)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON only (daphne's HTTP layer refuses malformed multipart bodies itself).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("PAPERTRADE_THROTTLE_LOGIN", "10/min"),
        "orders": env_str("PAPERTRADE_THROTTLE_ORDERS", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "papertrade API",
    "DESCRIPTION": "KRX quotes, paper trading, historical candles and RL strategies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("PAPERTRADE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # uvicorn logs every WebSocket accept and close at INFO; the access log is nginx's.
        "uvicorn.error": {"level": "WARNING"},
    },
}

# A job whose heartbeat is older than this while "running" is considered dead and marked failed.
JOBS_STALE_AFTER_SECONDS = int(env_str("PAPERTRADE_JOBS_STALE_AFTER", "600"))

# --- Orders (paper trading engine) -------------------------------------------------------------
# Broker commission on both sides as a decimal fraction (0.00015 = 0.015%, a typical online rate),
# rounded down to the won per fill.
ORDERS_COMMISSION_RATE = env_str("PAPERTRADE_ORDERS_COMMISSION_RATE", "0.00015")
# Optional JSON override of the sell-tax table, e.g. {"2026-01-01": {"KOSPI": "0.0020", ...}};
# empty uses orders.costs.DEFAULT_SELL_TAX_TABLE.
ORDERS_SELL_TAX_TABLE = env_str("PAPERTRADE_ORDERS_SELL_TAX_TABLE", "")
ORDERS_DEFAULT_INITIAL_CASH = int(env_str("PAPERTRADE_ORDERS_DEFAULT_INITIAL_CASH", "100000000"))
# Stable OpenAPI enum names for fields named alike in several apps ("status", "type"); without them
# drf-spectacular warns (W001) and `check --deploy --fail-level WARNING` fails.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "OrderStatusEnum": "orders.enums.OrderStatus",
        "OrderTypeEnum": "orders.enums.OrderType",
        "TimeInForceEnum": "orders.enums.TimeInForce",
        "OrderSessionEnum": "orders.enums.OrderSession",
        "AfterHoursSessionEnum": ["close_price", "single_price"],
        "MarketOrLimitEnum": ["market", "limit"],
        "ConditionTriggerEnum": "orders.enums.ConditionTrigger",
        "ConditionStatusEnum": "orders.enums.ConditionStatus",
        # With OrderStatus named, the job statuses still collide with the health check's "status".
        "JobStatusEnum": "jobs.enums.JobStatus",
        "RunStatusEnum": "strategies.enums.RunStatus",
        "DeliveryStatusEnum": "webhooks.enums.DeliveryStatus",
        "WebhookEventEnum": "webhooks.enums.WebhookEvent",
        "SubscribableWebhookEventEnum": "webhooks.api.EVENT_CHOICES",
        "ActivityTypeEnum": "orders.enums.ActivityType",
        "HistoryPeriodEnum": "orders.enums.HistoryPeriod",
        "HistoryTimeframeEnum": "orders.enums.HistoryTimeframe",
        # A quote's phase and the market status' phase and next_phase are one choice set; "kind" names
        # both a VI's and a strategy run's.
        "SessionPhaseEnum": "market.enums.SessionPhase",
        "ViKindEnum": ["static", "dynamic"],
        "RunKindEnum": "strategies.enums.RunKind",
    }
)

# --- Historical (candles) ------------------------------------------------------------------------
# FinanceDataReader calls: timeout in seconds (the library sets none), and an optional base URL
# (scheme://host:port) that replaces the host of its requests (a mirror or proxy; tests use a fake).
HISTORICAL_FDR_TIMEOUT = float(env_str("PAPERTRADE_FDR_TIMEOUT", "15"))
HISTORICAL_FDR_BASE_URL = env_str("PAPERTRADE_FDR_BASE_URL", "")
# Source of the scheduled daily refresh (fdr | synthetic) and symbols per fan-out chunk.
HISTORICAL_REFRESH_SOURCE = env_str("PAPERTRADE_CANDLES_REFRESH_SOURCE", "fdr")
HISTORICAL_REFRESH_CHUNK = int(env_str("PAPERTRADE_CANDLES_REFRESH_CHUNK", "50"))
# First day fetched for a symbol that has no bars yet.
HISTORICAL_BACKFILL_START = env_str("PAPERTRADE_CANDLES_BACKFILL_START", "2015-01-01")
# Most bars one candle API answer may hold.
HISTORICAL_MAX_BARS = int(env_str("PAPERTRADE_CANDLES_MAX_BARS", "5000"))

# --- Deployment (multi-process, services configuration) -----------------------------------------
# The web tier (python -m config.serve): uvicorn processes sharing one port. One per core by default;
# the embedded default always runs one. Proxy headers (X-Forwarded-For/-Proto) are trusted from these
# addresses only ("*" behind a proxy on another host, as in compose.yaml).
WEB_WORKERS = int(env_str("PAPERTRADE_WEB_WORKERS", "0")) or os.cpu_count() or 1
WEB_FORWARDED_ALLOW_IPS = env_str("PAPERTRADE_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
WEB_BACKLOG = int(env_str("PAPERTRADE_WEB_BACKLOG", "2048"))
# Threads per web process that run requests (config/http.py); more than PAPERTRADE_DB_POOL_MAX only
# wait for a connection.
WEB_THREADS = int(env_str("PAPERTRADE_WEB_THREADS", "8"))
WEB_GRACEFUL_SHUTDOWN_SECONDS = int(env_str("PAPERTRADE_WEB_GRACEFUL_SHUTDOWN", "10"))
# redis-py 8 gives every connection a 5 s socket timeout by default, and channels-redis waits up to
# 5 s in BZPOPMIN for a consumer's next message: a WebSocket with nothing to receive for 5 s then
# dies with "Timeout reading from Redis" (close 1011). Read timeout above that wait.
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [{"address": REDIS_URL, "socket_timeout": 30}]

# --- Market app: feed runner, streams, KIS limits ----------------------------------------------
# Latest quotes are written to the Quote table at most once per this many seconds per symbol.
MARKET_SNAPSHOT_INTERVAL = float(env_str("PAPERTRADE_MARKET_SNAPSHOT_INTERVAL", "5"))
# Services: only the holder of this Redis lock publishes; it expires this long after its runner dies.
MARKET_FEED_LOCK_TTL = float(env_str("PAPERTRADE_FEED_LOCK_TTL", "15"))
# Codes one /ws/quotes socket may follow at once.
MARKET_WS_MAX_CODES = int(env_str("PAPERTRADE_WS_MAX_CODES", "50"))
# KIS real-time registrations per WebSocket session (KIS allows 41; each code takes 2).
KIS_MAX_REGISTRATIONS = int(env_str("KIS_MAX_REGISTRATIONS", "41"))
# Quote streams get a channel layer of their own (alias "market"). With Redis it is channels-redis'
# pub/sub layer by default: live ticks are pushed to each web process once per group, with no
# per-message round trips (bench_market: the core layer's single receive loop per process is the
# bottleneck at thousands of messages a second). "core" uses the default layer's backend instead.
MARKET_CHANNEL_LAYER = env_str("PAPERTRADE_MARKET_CHANNEL_LAYER", "pubsub")
if REDIS_URL and MARKET_CHANNEL_LAYER == "pubsub":
    CHANNEL_LAYERS["market"] = {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_PREFIX}:market"},
    }
else:
    CHANNEL_LAYERS["market"] = CHANNEL_LAYERS["default"]

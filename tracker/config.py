"""Configuration, read from environment variables (see README, "Configuration")."""

from __future__ import annotations

import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str | None:
    """Normalise a database URL so that PostgreSQL URLs use the psycopg 3 driver."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    """Production-ready defaults; every setting can be overridden by an environment variable."""

    # Unset: a random key generated once into instance/secret_key (tracker/secret_key.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or "sqlite:///tracker.db"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR")  # default: <instance>/uploads
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))
    TEMP_DIR = os.environ.get("TEMP_DIR")  # default: <instance>/tmp (exports being written)
    # Unconfirmed import sheets and files left by interrupted exports older than this are swept.
    TEMP_MAX_AGE_HOURS = float(os.environ.get("TEMP_MAX_AGE_HOURS", "24"))
    # The whole request may carry one upload of MAX_UPLOAD_MB plus its form fields.
    MAX_CONTENT_LENGTH = (MAX_UPLOAD_MB + 1) * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_HOURS", "12")) * 3600
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Trusted reverse-proxy hops in front of the app (nginx: 1): X-Forwarded-For and
    # X-Forwarded-Proto are believed from that many proxies, and no more.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    # Failed-login throttling (tracker/auth/throttle.py); counters shared through Redis when set.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per 5 minutes")  # per address
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "5 per 5 minutes")  # per account at an address or device
    LOGIN_DELAY_AFTER = os.environ.get("LOGIN_DELAY_AFTER", "20 per 15 minutes")  # per account, then a growing delay
    PAGE_SIZE = 50
    # A 立行立改 (rectify at once) item is due this many days after it is registered.
    LEDGER_IMMEDIATE_DAYS = int(os.environ.get("LEDGER_IMMEDIATE_DAYS", "7"))
    # Weights of the four quarters' review scores in half-year and annual totals, e.g. "1,1,1,2".
    REVIEW_QUARTER_WEIGHTS = dict(
        enumerate((int(w) for w in os.environ.get("REVIEW_QUARTER_WEIGHTS", "1,1,1,1").split(",")), start=1)
    )
    # The background worker (tracker/worker.py): its queue in Redis when set, else instance/huey.db.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    HUEY_FILE = os.environ.get("HUEY_FILE")  # default: <instance>/huey.db
    HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE")  # run tasks in the caller, no worker (tests)
    # How often each page asks for the inbox's unread count.
    INBOX_POLL_SECONDS = int(os.environ.get("INBOX_POLL_SECONDS", "60"))
    # Links in e-mails and robot messages point here.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # E-mail over SMTP, off unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_FROM = os.environ.get("MAIL_FROM", "tracker@localhost")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # The group robots (企业微信 / 钉钉) each unit may configure, off unless switched on here.
    WEBHOOKS_ENABLED = _bool("WEBHOOKS_ENABLED")
    # The only hosts robots are posted to (a unit's administrator cannot aim the worker at the intranet).
    WEBHOOK_HOSTS = tuple(h.strip() for h in os.environ.get(
        "WEBHOOK_HOSTS", "oapi.dingtalk.com,qyapi.weixin.qq.com").split(",") if h.strip())
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))


class TestConfig(Config):
    """Settings for the test suite: a throw-away database, no rate limits unless a test asks."""

    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_LIMIT = "1000 per minute"  # the throttle tests lower these
    LOGIN_ACCOUNT_LIMIT = "1000 per minute"
    LOGIN_DELAY_AFTER = "1000 per minute"
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    HUEY_IMMEDIATE = True  # tasks run at once, in the test's own thread
    MAIL_SERVER = None  # channels stay off unless a test starts its local servers
    WEBHOOKS_ENABLED = False
    WEBHOOK_HOSTS = Config.WEBHOOK_HOSTS + ("127.0.0.1",)  # the channel tests' local robot

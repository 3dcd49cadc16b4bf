"""Failed-login throttling: per address, per account and address, and a growing delay per account.

The counters live in the limits storage that `RATELIMIT_STORAGE_URI` names: memory:// inside one
process, Redis when `REDIS_URL` is set, so that every gunicorn worker shares them. Only failed
logins count; a correct password is never delayed by its own earlier successes.

- **address**: `LOGIN_LIMIT` failures from one address (any accounts) block that address until
  the oldest failure leaves the window.
- **account at an address**: `LOGIN_ACCOUNT_LIMIT` failures for one account from one address.
- **account everywhere**: past `LOGIN_DELAY_AFTER` failures for one account, each further failure
  makes the next attempt from an unknown device wait `DELAY_FIRST` seconds, doubling up to
  `DELAY_MAX`: a slow guesser spread over many addresses gets very few tries.
- **known device**: a browser that has logged in to the account before carries a signed HttpOnly
  cookie; there only `LOGIN_ACCOUNT_LIMIT` per account and device applies, so nobody can lock the
  real user out of her own computer from elsewhere.

`unlock_account` and `unlock_address` (the `flask unlock` command) clear the counters by moving
the account's or the address's epoch on: every key carries it, so old counters are simply left to
expire, whichever address or device they were for.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, Response, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEVICE_COOKIE = "tracker_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
#: Accounts remembered per device (a shared office computer serves several people).
DEVICE_ACCOUNTS = 20
#: The first delay past the account's threshold, doubled on each further failure, and its cap.
DELAY_FIRST = 15
DELAY_MAX = 15 * 60
#: How long an unlock's epoch is kept: longer than any window, so no counter outlives it.
EPOCH_TTL = 24 * 3600
_PREFIX = "login"


@dataclass(frozen=True)
class Attempt:
    """One login attempt: the account typed, the client's address and, when this browser has
    logged in to that account before, its device id."""

    account: str
    address: str
    device: str | None = None


def init_app(app: Flask) -> None:
    options = {"key_prefix": app.config["RATELIMIT_KEY_PREFIX"]} if app.config.get("RATELIMIT_KEY_PREFIX") else {}
    app.extensions["login_throttle"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], **options)


def _storage() -> Storage:
    return current_app.extensions["login_throttle"]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


@lru_cache(maxsize=16)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


def _config_limit(name: str) -> RateLimitItem:
    return _limit(current_app.config[name])


def normalise(account: str) -> str:
    return (account or "").strip().lower()


def progressive_delay(failures: int, after: int) -> int:
    """Seconds an unknown device waits after `failures` failures for one account in the window:
    none below `after`, then `DELAY_FIRST` doubling with each failure, at most `DELAY_MAX`."""
    if failures < after:
        return 0
    return min(DELAY_FIRST * 2 ** min(failures - after, 20), DELAY_MAX)


# --- Reading an attempt from the request ----------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _device_cookie() -> dict:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return {}
    try:
        data = _serializer().loads(value, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def attempt_from_request(username: str) -> Attempt:
    """The attempt this request makes for `username` (the address is ProxyFix's, when configured)."""
    account = normalise(username)
    cookie = _device_cookie()
    known = account in (cookie.get("a") or []) and isinstance(cookie.get("d"), str)
    return Attempt(account, request.remote_addr or "-", cookie["d"] if known else None)


def remember_device(response: Response, attempt: Attempt) -> None:
    """After a successful login: mark this browser as a known device for the account."""
    cookie = _device_cookie()
    device = cookie.get("d") if isinstance(cookie.get("d"), str) else secrets.token_urlsafe(16)
    accounts = [a for a in (cookie.get("a") or []) if isinstance(a, str) and a != attempt.account]
    accounts = [attempt.account, *accounts][:DEVICE_ACCOUNTS]
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps({"d": device, "a": accounts}),
                        max_age=DEVICE_MAX_AGE, path=url_for("auth.login"), httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


# --- Counting -------------------------------------------------------------------------------------

def _epoch(kind: str, value: str) -> str:
    return str(_storage().get(f"{_PREFIX}/epoch/{kind}/{value}"))


def _keys(attempt: Attempt) -> dict[str, tuple[str, ...]]:
    account_epoch = _epoch("account", attempt.account)
    address_epoch = _epoch("address", attempt.address)
    return {
        "address": (_PREFIX, "address", address_epoch, attempt.address),
        "account_address": (_PREFIX, "account-address", account_epoch, address_epoch, attempt.account,
                            attempt.address),
        "account": (_PREFIX, "account", account_epoch, attempt.account),
        "device": (_PREFIX, "device", account_epoch, attempt.account, attempt.device or ""),
    }


def _window_wait(item: RateLimitItem, key: tuple[str, ...], now: float) -> float:
    limiter = MovingWindowRateLimiter(_storage())
    if limiter.test(item, *key):
        return 0
    return limiter.get_window_stats(item, *key).reset_time - now


def wait_seconds(attempt: Attempt) -> int:
    """Seconds until `attempt` may be tried (0: now). A known device waits only for its own limit."""
    if not _enabled():
        return 0
    now, keys, storage = time.time(), _keys(attempt), _storage()
    if attempt.device:
        waits = [_window_wait(_config_limit("LOGIN_ACCOUNT_LIMIT"), keys["device"], now)]
    else:
        delay_key = "/".join(("delay", *keys["account"]))
        waits = [
            _window_wait(_config_limit("LOGIN_LIMIT"), keys["address"], now),
            _window_wait(_config_limit("LOGIN_ACCOUNT_LIMIT"), keys["account_address"], now),
            storage.get_expiry(delay_key) - now if storage.get(delay_key) else 0,
        ]
    return max(0, math.ceil(max(waits)))


def record_failure(attempt: Attempt) -> None:
    """Count one failed login against every limit that applies to `attempt`."""
    if not _enabled():
        return
    keys, storage = _keys(attempt), _storage()
    limiter = MovingWindowRateLimiter(storage)
    if attempt.device:
        limiter.hit(_config_limit("LOGIN_ACCOUNT_LIMIT"), *keys["device"])
        return
    limiter.hit(_config_limit("LOGIN_LIMIT"), *keys["address"])
    limiter.hit(_config_limit("LOGIN_ACCOUNT_LIMIT"), *keys["account_address"])
    after = _config_limit("LOGIN_DELAY_AFTER")
    failures = storage.incr("/".join(keys["account"]), after.get_expiry())
    delay = progressive_delay(failures, after.amount)
    if delay:
        delay_key = "/".join(("delay", *keys["account"]))
        storage.clear(delay_key)
        storage.incr(delay_key, delay)


def unlock_account(username: str) -> None:
    """Forget every failure counted for this account, from any address or device."""
    _storage().incr(f"{_PREFIX}/epoch/account/{normalise(username)}", EPOCH_TTL)


def unlock_address(address: str) -> None:
    """Forget every failure counted for this address, for any account."""
    _storage().incr(f"{_PREFIX}/epoch/address/{address.strip()}", EPOCH_TTL)


def reset() -> None:
    """Forget every counter (the test suite starts each throttle test afresh)."""
    _storage().reset()

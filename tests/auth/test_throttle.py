"""Failed-login throttling behind a reverse proxy: per address, per account, known devices, unlock."""

from __future__ import annotations

import os
import time

import click
import pytest
from flask.cli import FlaskGroup, ScriptInfo

from tracker.auth import throttle
from tracker.extensions import db

from support import PASSWORD, fresh_app, require

@pytest.fixture
def proxied():
    app = fresh_app(PROXY_FIX_X_FOR=1)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def direct():
    app = fresh_app()
    yield app
    with app.app_context():
        db.engine.dispose()


def login(client, username, password=PASSWORD, forwarded=None, remote="127.0.0.1"):
    """POST /login through the proxy at `remote`, for a client at `forwarded` (X-Forwarded-For)."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": username, "password": password}, headers=headers,
                       environ_base={"REMOTE_ADDR": remote})


class FakeClock:
    """time.time() under the test's control, so windows and delays are checked without waiting."""

    def __init__(self, monkeypatch):
        self.now = 1_800_000_000.0
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_the_delay_grows_only_past_the_threshold_and_is_capped():
    assert throttle.progressive_delay(19, 20) == 0
    assert [throttle.progressive_delay(n, 20) for n in (20, 21, 22, 23)] == [15, 30, 60, 120]
    assert throttle.progressive_delay(26, 20) == throttle.DELAY_MAX == 900
    assert throttle.progressive_delay(10_000, 20) == 900


def test_with_proxy_fix_twelve_forwarded_addresses_do_not_stop_a_thirteenth(proxied):
    client = proxied.test_client()
    for n in range(12):
        assert login(client, "zhang", f"wrong-{n}", forwarded=f"203.0.113.{n + 1}").status_code == 422
    ok = login(proxied.test_client(), "zhang", forwarded="198.51.100.13")
    assert ok.status_code == 302


def test_without_proxy_fix_the_forwarded_header_is_not_believed(direct):
    # Everybody comes through 127.0.0.1 and a forged X-Forwarded-For changes nothing: the
    # eleventh attempt from that address is refused, whatever the header says.
    client = direct.test_client()
    for n in range(10):
        assert login(client, f"guess{n}", "x", forwarded=f"203.0.113.{n + 1}").status_code == 422
    assert login(client, "root", forwarded="198.51.100.13").status_code == 429


def test_wrong_passwords_for_ten_users_from_one_address_do_not_lock_out_the_admin_elsewhere(proxied):
    attacker = proxied.test_client()
    for n in range(10):
        assert login(attacker, f"user{n}", "wrong", forwarded="203.0.113.66").status_code == 422
    refused = login(attacker, "root", forwarded="203.0.113.66")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 300
    assert login(proxied.test_client(), "root", forwarded="198.51.100.7").status_code == 302


def test_one_account_at_one_address_is_limited_before_the_address(proxied):
    client = proxied.test_client()
    for n in range(5):
        assert login(client, "zhang", f"wrong-{n}", forwarded="203.0.113.9").status_code == 422
    assert login(client, "zhang", forwarded="203.0.113.9").status_code == 429
    # The same address may still try other accounts; zhang may still log in from elsewhere.
    assert login(client, "root", forwarded="203.0.113.9").status_code == 302
    assert login(proxied.test_client(), "zhang", forwarded="198.51.100.2").status_code == 302


def test_many_addresses_slow_down_new_devices_but_never_the_users_own(proxied, monkeypatch):
    clock = FakeClock(monkeypatch)
    own = proxied.test_client()
    assert login(own, "zhang", forwarded="198.51.100.20").status_code == 302
    assert own.get_cookie(throttle.DEVICE_COOKIE, path="/login") is not None
    own.post("/logout")
    attacker = proxied.test_client()
    for n in range(20):
        assert login(attacker, "zhang", "wrong", forwarded=f"203.0.113.{n + 1}").status_code == 422
    # Past 20 failures anywhere, a device that never logged in waits 15 s, then 30 s …
    new_device = login(proxied.test_client(), "zhang", forwarded="198.51.100.21")
    assert new_device.status_code == 429 and new_device.headers["Retry-After"] == "15"
    clock.advance(15)
    assert login(attacker, "zhang", "wrong", forwarded="203.0.113.99").status_code == 422
    assert login(attacker, "zhang", forwarded="203.0.113.100").headers["Retry-After"] == "30"
    # … while the browser she logged in with before goes straight in, from any address.
    assert login(own, "zhang", forwarded="192.0.2.50").status_code == 302


def test_a_known_device_has_its_own_limit(proxied):
    own = proxied.test_client()
    assert login(own, "zhang", forwarded="198.51.100.20").status_code == 302
    own.post("/logout")
    for n in range(5):
        assert login(own, "zhang", f"wrong-{n}", forwarded="198.51.100.20").status_code == 422
    assert login(own, "zhang", forwarded="198.51.100.20").status_code == 429
    # The device's failures are its own: another browser at the same address is not held back.
    assert login(proxied.test_client(), "zhang", forwarded="198.51.100.20").status_code == 302


def test_a_forged_device_cookie_counts_for_nothing(proxied):
    client = proxied.test_client()
    client.set_cookie(throttle.DEVICE_COOKIE, "eyJkIjoiZXZpbCIsImEiOlsiemhhbmciXX0.forged", path="/login")
    for n in range(5):
        assert login(client, "zhang", f"wrong-{n}", forwarded="203.0.113.4").status_code == 422
    assert login(client, "zhang", forwarded="203.0.113.4").status_code == 429


def test_the_device_cookie_is_signed_http_only_and_scoped_to_login(proxied):
    response = login(proxied.test_client(), "zhang", forwarded="198.51.100.20")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(throttle.DEVICE_COOKIE))
    assert "HttpOnly" in cookie and "Path=/login" in cookie and "SameSite=Lax" in cookie
    assert "zhang" not in cookie.split(";")[0].split("=", 1)[1].split(".")[-1]  # the signature is not the name


def test_retry_after_is_the_time_until_the_oldest_failure_leaves_the_window(direct, monkeypatch):
    clock = FakeClock(monkeypatch)
    client = direct.test_client()
    for n in range(10):
        login(client, f"guess{n}", "x")
        clock.advance(1)
    assert login(client, "root").headers["Retry-After"] == str(300 - 10)
    clock.advance(124)
    assert login(client, "root").headers["Retry-After"] == str(300 - 10 - 124)
    clock.advance(300 - 10 - 124)
    assert login(client, "root").status_code == 302


def test_rate_limit_headers_only_on_429(direct):
    client = direct.test_client()
    answers = [client.get("/login"), login(client, "zhang", "wrong"), login(client, "zhang")]
    assert [r.status_code for r in answers] == [200, 422, 302]
    for response in answers:
        assert not any(h.lower().startswith(("retry-after", "x-ratelimit", "ratelimit")) for h in response.headers.keys())


@pytest.mark.parametrize("locale, text", [
    ("zh_Hans_CN", "尝试次数过多，请在 {time} 之后（约 {minutes} 分钟后）再试。"),
    ("en", "Too many attempts. Please try again after {time} (in about {minutes} min)."),
])
def test_the_429_page_speaks_the_readers_language_and_says_when(direct, monkeypatch, locale, text):
    clock = FakeClock(monkeypatch)  # 1_800_000_000 is 2027-01-15 16:00:00 in Shanghai
    client = direct.test_client()
    client.post("/language", data={"locale": locale, "next": "/login"})
    for n in range(10):
        login(client, f"guess{n}", "x")
    clock.advance(61)
    refused = login(client, "zhang")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "239"
    page = refused.get_data(as_text=True)
    assert text.format(time="16:05", minutes=4) in page
    assert 'name="username"' in page  # the form is there to try again


def test_unlock_clears_an_account_and_an_address(proxied, monkeypatch):
    FakeClock(monkeypatch)
    runner = proxied.test_cli_runner()
    for n in range(25):
        login(proxied.test_client(), "zhang", "wrong", forwarded=f"203.0.113.{n + 1}")
    assert login(proxied.test_client(), "zhang", forwarded="198.51.100.1").status_code == 429
    result = runner.invoke(args=["unlock", "--user", "ZHANG"])
    assert result.exit_code == 0 and "zhang" in result.output
    assert login(proxied.test_client(), "zhang", forwarded="198.51.100.1").status_code == 302

    for n in range(10):
        login(proxied.test_client(), f"guess{n}", "x", forwarded="203.0.113.200")
    assert login(proxied.test_client(), "root", forwarded="203.0.113.200").status_code == 429
    assert runner.invoke(args=["unlock", "--address", "203.0.113.200"]).exit_code == 0
    assert login(proxied.test_client(), "root", forwarded="203.0.113.200").status_code == 302


def test_unlock_says_what_it_needs(direct):
    runner = direct.test_cli_runner()
    nothing = runner.invoke(args=["unlock"])
    assert nothing.exit_code == 2 and "--user" in nothing.output and "Traceback" not in nothing.output
    bad = runner.invoke(args=["unlock", "--address", "not-an-ip"])
    assert bad.exit_code == 2 and "not an IP address" in bad.output
    memory = runner.invoke(args=["unlock", "--user", "zhang"])
    assert "REDIS_URL" in memory.output  # the in-memory counters of a running server are out of reach


def test_throttling_can_be_switched_off(direct):
    direct.config["RATELIMIT_ENABLED"] = False
    client = direct.test_client()
    for n in range(15):
        assert login(client, "zhang", f"wrong-{n}").status_code == 422
    assert login(client, "zhang").status_code == 302


def test_no_broken_command_is_advertised(direct):
    """`flask --help` no longer lists Flask-Limiter's group (it failed without its cli extra); unlock is there."""
    group = FlaskGroup(create_app=lambda: direct)
    names = group.list_commands(click.Context(group, obj=ScriptInfo(create_app=lambda: direct)))
    assert "limiter" not in names
    assert {"unlock", "create-admin", "remind", "seed-demo"} <= set(names)


def test_workers_share_counters_through_redis():
    """Two apps on one Redis, as two gunicorn workers: one's failures block the other; unlock frees both."""
    import secrets

    require(bool(os.environ.get("TEST_REDIS_URL")), "set TEST_REDIS_URL to check counters shared through Redis")
    url = os.environ["TEST_REDIS_URL"]
    prefix = f"tracker-test-{secrets.token_hex(4)}"
    workers = [fresh_app(PROXY_FIX_X_FOR=1, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix) for _ in range(2)]
    try:
        for n in range(5):
            assert login(workers[n % 2].test_client(), "zhang", "wrong", forwarded="203.0.113.8").status_code == 422
        for worker in workers:
            assert login(worker.test_client(), "zhang", forwarded="203.0.113.8").status_code == 429
        assert workers[0].test_cli_runner().invoke(args=["unlock", "--user", "zhang"]).exit_code == 0
        assert login(workers[1].test_client(), "zhang", forwarded="203.0.113.8").status_code == 302
    finally:
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()

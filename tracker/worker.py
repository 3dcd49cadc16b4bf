"""The background worker: a Huey queue (SQLite in the instance folder, or Redis) and its consumer.

The decorators here (`task`, `periodic_task`, `local_crontab`) know no feature; the daily schedule
is in `tracker/schedule.py`.

Run it beside the web server with `flask --app tracker worker` (`make run` starts both). Tasks run
inside an application context; each commits its own work. Tests run every task at once, in the
caller's thread (`HUEY_IMMEDIATE`, always on under `TESTING`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from .clock import local_zone

log = logging.getLogger(__name__)

#: The one queue. It starts in memory (importing this module touches no file); `init_app` points it
#: at the configured storage.
huey = Huey("tracker", results=False, immediate=True, storage_class=SqliteStorage, utc=True)  # nobody waits on results

#: The app the consumer's threads work in (set by the `worker` command; tests use the current one).
_worker_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Point the queue at Redis (REDIS_URL) or at a SQLite file in the instance folder; immediate
    mode (tasks run in the caller) under HUEY_IMMEDIATE or TESTING."""
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        filename = app.config.get("HUEY_FILE") or str(Path(app.instance_path) / "huey.db")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": filename}
    immediate = bool(app.config.get("HUEY_IMMEDIATE") or app.testing)
    huey.immediate = immediate  # in memory when immediate
    if not immediate:
        huey.storage = huey.create_storage()  # the storage's settings may have changed since
    app.cli.add_command(worker_command)


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    global _worker_app
    if _worker_app is None:  # a consumer started without the `worker` command
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def in_app_context(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run `fn` inside the application's context (the worker's threads have none of their own)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return fn(*args, **kwargs)
        with _app().app_context():
            return fn(*args, **kwargs)

    return run


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`@task(retries=3, retry_delay=60)`: a Huey task run inside the application's context."""
    return lambda fn: huey.task(**options)(in_app_context(fn))


def periodic_task(validate: Callable[[datetime], bool], **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Huey periodic task run inside the application's context."""
    return lambda fn: huey.periodic_task(validate, **options)(in_app_context(fn))


def local_crontab(**fields: str) -> Callable[[datetime], bool]:
    """A crontab read in the offices' zone (Asia/Shanghai), whatever zone the server keeps.

    The consumer asks with naive UTC times (`utc=True`).
    """
    matches = crontab(**fields)

    def validate(moment: datetime) -> bool:
        local = moment.replace(tzinfo=timezone.utc).astimezone(local_zone()).replace(tzinfo=None)
        return matches(local)

    return validate


# --- The consumer ---------------------------------------------------------------------------------


@click.command("worker")
@with_appcontext
@click.option("--workers", default=2, show_default=True, help="Threads running tasks.")
def worker_command(workers: int) -> None:
    """Run the background worker: queued deliveries and the schedule (reminders at 08:00, recurring
    projects on the first of each month). Stop it with Ctrl-C or SIGTERM; it finishes running tasks first."""
    global _worker_app
    if huey.immediate:
        raise click.ClickException("Tasks run immediately here (HUEY_IMMEDIATE or TESTING): there is no queue to work.")
    _worker_app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()

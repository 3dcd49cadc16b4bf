"""What every command shares: refusals reported as command-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click


@contextmanager
def refusals_as_click_errors(*errors: type[Exception]) -> Iterator[None]:
    """Report a refusal (a domain error, a bad backup) as a one-line command-line error, exit status 1."""
    try:
        yield
    except errors as error:
        raise click.ClickException(str(error)) from error

"""The one place that reads HX-* headers: page or fragment, and how each is answered."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    """True for any request htmx made (boosted navigation included)."""
    return bool(getattr(request, "htmx", None))


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history restore)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, fragment: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render `template` for a full request, or `fragment` (plus out-of-band flashes) for htmx.

    The page template includes the partial, so one file renders both. Responses vary on
    `HX-Request`, so caches keep the two apart.
    """
    if fragment and wants_fragment():
        body = render_template(fragment, **context) + render_flashes()
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def render_flashes() -> str:
    """The flash area as an out-of-band swap, for any fragment response."""
    return render_template("_flash.html", oob=True)


def redirect_to(location: str) -> Response:
    """Redirect a full request, or tell htmx to load `location` as a whole page."""
    if wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    from flask import redirect

    return redirect(location)

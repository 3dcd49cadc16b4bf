"""The search page: the whole page, or only its results while the user types (htmx)."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from ..htmx import render
from . import bp, queries
from .forms import SearchForm


@bp.get("/search")
@login_required
def index():
    form = SearchForm(request.args)
    if not form.validate():
        return render("search/index.html", "search/_results.html", status=422, form=form, results=None)
    results = queries.search(current_user, form.q.data) if form.q.data else None
    return render("search/index.html", "search/_results.html", form=form, results=results)

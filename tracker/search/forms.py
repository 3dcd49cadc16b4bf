"""The search box."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length

#: The longest text searched for: longer is a paste gone wrong, not a query.
MAX_QUERY = 100


class SearchForm(FlaskForm):
    """`?q=`: a code, part of a title or text, a unit's or a person's name (read from the URL, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Length(max=MAX_QUERY)], filters=[lambda v: (v or "").strip()])

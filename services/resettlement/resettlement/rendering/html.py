"""The pack as accessible HTML: one autoescaped Jinja2 template with its CSS inlined (WeasyPrint and a browser
both read it without fetching anything)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..domain.pack import PackContent
from .words import date_and_time, long_date

TEMPLATE = "pack.html.j2"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("resettlement.rendering", "templates"),
        # Escape everything: names and directory text come from other systems and people.
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        # A missing field is a bug to see, not an empty space in someone's pack.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["date_and_time"] = date_and_time
    return env


def render_html(content: PackContent) -> str:
    """The whole pack as one HTML document (lang en-GB, headings in order, tables with headers and captions)."""
    return environment().get_template(TEMPLATE).render(pack=content)

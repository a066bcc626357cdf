"""The resettlement pack as accessible HTML and tagged PDF (PDF/UA-1): Jinja2 and WeasyPrint, kept out of domain/."""

from .html import render_html
from .pdf import render_pdf
from .renderer import PackRenderer, RenderedPack

__all__ = ["PackRenderer", "RenderedPack", "render_html", "render_pdf"]

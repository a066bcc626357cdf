"""The pack's HTML as a tagged PDF/UA-1 document, by WeasyPrint."""

from __future__ import annotations

from typing import cast

from weasyprint import HTML, URLFetcher

# PDF/UA-1 makes WeasyPrint write the structure tree (pdf_tags) and PDF 1.7; the title and language come from the
# document's <title> and <html lang>.
PDF_VARIANT = "pdf/ua-1"


def _no_fetching() -> URLFetcher:
    # The pack is self-contained (CSS inlined, no images); fetching a URL written into it (say, by a directory
    # entry's text) would reach out from the service and could stall a render. No protocol is allowed.
    return URLFetcher(allowed_protocols=frozenset())


def render_pdf(html: str) -> bytes:
    """A tagged, accessible PDF (PDF/UA-1) of one pack's HTML, with its title, language and description set."""
    document = HTML(string=html, url_fetcher=_no_fetching())
    return cast(bytes, document.write_pdf(pdf_variant=PDF_VARIANT, custom_metadata=True))

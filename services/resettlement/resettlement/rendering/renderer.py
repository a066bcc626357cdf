"""Rendering packs off the event loop, in a pool of processes (WeasyPrint is CPU-bound and holds the GIL)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ..domain.pack import PackContent
from .html import render_html
from .pdf import render_pdf


@dataclass(frozen=True)
class RenderedPack:
    html: str
    pdf: bytes


def _warm_up() -> None:
    # Each worker pays for WeasyPrint's imports, its font configuration and the template compile once, at start,
    # not in the first person's render.
    render_pdf('<!DOCTYPE html><html lang="en-GB"><head><title>warm up</title></head><body><p>.</p></body></html>')


def _render_both(content: PackContent) -> RenderedPack:
    html = render_html(content)
    return RenderedPack(html=html, pdf=render_pdf(html))


class PackRenderer:
    """Renders packs (HTML and PDF) in worker processes, so the service's event loop is never blocked.

    Workers are started with *spawn*, not fork. The service runs under uvicorn with a running event loop and other
    threads (the database driver's, the broker client's, the default executor's): forking a process that has threads
    copies locks that may be held at that moment by a thread that does not exist in the child, which can deadlock
    the child, and copies the loop's sockets and file descriptors into it. Spawn starts clean interpreters that
    import only this module's dependencies (a package's `__main__`, like `python -m resettlement`, is not re-run in
    them). It costs a second or so per worker at start, paid once.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
        )

    async def render(self, content: PackContent) -> RenderedPack:
        """The pack as HTML and as a tagged PDF."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _render_both, content)

    async def render_html_only(self, content: PackContent) -> str:
        """The pack as HTML only (for a page that shows it, or a check before the PDF is needed)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, render_html, content)

    async def render_pdf(self, html: str) -> bytes:
        """A PDF of HTML already rendered."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, render_pdf, html)

    def close(self) -> None:
        """Stops the workers once the renders already asked for are done."""
        self._pool.shutdown(wait=True, cancel_futures=False)

    def __enter__(self) -> PackRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

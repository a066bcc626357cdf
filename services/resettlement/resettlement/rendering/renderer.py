"""Rendering packs off the event loop, in a pool of processes (WeasyPrint is CPU-bound and holds the GIL)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Sequence
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


def _worker_pid() -> int:
    # Held briefly so that a worker still warming up gets a turn rather than one ready worker taking every call.
    time.sleep(0.05)
    return os.getpid()


def _render_html_batch(contents: Sequence[PackContent]) -> list[str]:
    return [render_html(content) for content in contents]


def _render_both(content: PackContent) -> RenderedPack:
    html = render_html(content)
    return RenderedPack(html=html, pdf=render_pdf(html))


class PackRenderer:
    """Renders packs (HTML and PDF) in worker processes, so the service's event loop is never blocked.

    Workers are started with *spawn*, not fork. The service runs under uvicorn with a running event loop and other
    threads (the database driver's, the broker client's, the default executor's): forking a process that has threads
    copies locks that may be held at that moment by a thread that does not exist in the child, which can deadlock
    the child, and copies the loop's sockets and file descriptors into it. Spawn starts clean interpreters that
    import only what unpickling the work needs: a package's `__main__` (`python -m resettlement serve`) is not re-run
    in them, and the `uvicorn` console script's body is guarded by `if __name__ == "__main__"`. It costs a second or
    so per worker at start, paid once. The owner calls `close()` at shutdown (the app's lifespan).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
        )

    async def wait_ready(self) -> None:
        """Returns once every worker has started and warmed up (for a readiness check or a fair benchmark)."""
        loop = asyncio.get_running_loop()
        seen: set[int] = set()
        while len(seen) < self.workers:
            pids = await asyncio.gather(*(loop.run_in_executor(self._pool, _worker_pid) for _ in range(self.workers)))
            seen.update(pids)

    async def render(self, content: PackContent) -> RenderedPack:
        """The pack as HTML and as a tagged PDF."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _render_both, content)

    async def render_html_only(self, content: PackContent) -> str:
        """The pack as HTML only (for a page that shows it, or a check before the PDF is needed)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, render_html, content)

    async def render_html_many(self, contents: Sequence[PackContent]) -> list[str]:
        """Many packs as HTML, in their order. A template renders in well under a millisecond, less than one trip to
        a worker and back costs, so the packs travel in one batch per worker rather than one at a time."""
        if not contents:
            return []
        loop = asyncio.get_running_loop()
        size = -(-len(contents) // self.workers)
        batches = [contents[i : i + size] for i in range(0, len(contents), size)]
        done = await asyncio.gather(*(loop.run_in_executor(self._pool, _render_html_batch, b) for b in batches))
        return [html for batch in done for html in batch]

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

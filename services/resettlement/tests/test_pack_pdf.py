"""The pack as a real PDF (WeasyPrint, read back with pypdf), rendered through the process pool the service uses."""

from __future__ import annotations

import asyncio
import io
import re
import socket

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject

from resettlement.rendering import PackRenderer, RenderedPack, render_html, render_pdf
from resettlement.rendering.accessibility import accessibility_problems
from resettlement.rendering.specimen import specimen


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Words wrap across lines and pages; compare with single spaces.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def renderer():
    with PackRenderer(workers=2) as pool:
        yield pool


@pytest.fixture(scope="module")
def pack(renderer: PackRenderer) -> RenderedPack:
    return asyncio.run(renderer.render(specimen(full_name="Jordan Testperson")))


def test_the_pdf_opens_and_says_who_it_is_for_when_and_who_can_help(pack: RenderedPack) -> None:
    assert pack.pdf.startswith(b"%PDF-1.7")
    text = _text(pack.pdf)
    assert "Jordan Testperson" in text
    assert "Tuesday 2 March 2027" in text
    assert "Leeds Housing Options" in text
    assert "0113 000 0001" in text
    assert "Do not leave the UK unless your probation officer says yes first." in text


def test_the_pdf_is_tagged_with_its_title_and_language(pack: RenderedPack) -> None:
    reader = PdfReader(io.BytesIO(pack.pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == "Your resettlement pack: Jordan Testperson"
    # PDF/UA asks viewers to show the title, not the file name.
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    # The structure tree holds real structure: headings and tables, not one undifferentiated block.
    kinds = _structure_types(catalog["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/Caption", "/TH", "/TD", "/L", "/LI"} <= kinds


def _structure_types(node: object) -> set[str]:
    """Every structure type (/H1, /Table...) in the tree under `node`."""
    node = node.get_object() if isinstance(node, IndirectObject) else node
    found: set[str] = set()
    if isinstance(node, ArrayObject):
        for child in node:
            found |= _structure_types(child)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]))
        if "/K" in node:
            found |= _structure_types(node["/K"])
    return found


def test_the_html_from_the_pool_is_the_html_rendered_in_process(pack: RenderedPack) -> None:
    assert pack.html == render_html(specimen(full_name="Jordan Testperson"))
    assert accessibility_problems(pack.html) == []


async def test_renders_run_at_the_same_time_without_blocking_the_loop(renderer: PackRenderer) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    names = [f"Person {n}" for n in range(4)]
    packs = await asyncio.gather(*(renderer.render(specimen(full_name=name)) for name in names))
    html_only = await renderer.render_html_only(specimen(full_name="Only Html"))
    ticker.cancel()
    for name, rendered in zip(names, packs, strict=True):
        assert name in _text(rendered.pdf)
    assert "Only Html" in html_only
    assert ticks > 5  # the loop kept running while four PDFs were made


def test_a_hostile_name_is_text_in_the_pdf_too() -> None:
    html = render_html(specimen(full_name="<script>alert(1)</script>"))
    text = _text(render_pdf(html))
    assert "<script>alert(1)</script>" in text


def test_the_pdf_fetches_nothing_named_in_the_html() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        html = render_html(specimen()).replace(
            "</style>", f"</style><link rel=stylesheet href='http://127.0.0.1:{port}/x.css'>"
        )
        assert "Sam Example" in _text(render_pdf(html))
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected: the URL was refused, not requested

"""A pack made by the job with the real renderer (WeasyPrint in its process pool), downloaded as a PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from resettlement.rendering import PackRenderer
from resettlement.workflows import packs

from .conftest import TODAY


@pytest.fixture
def real_renderer(world):
    renderer = PackRenderer(workers=1)
    world.rs.database.context[packs.RENDERER] = renderer
    yield renderer
    renderer.close()


async def test_the_downloaded_pdf_is_the_persons_pack_with_their_regions_services(world, real_renderer):
    crn = await world.person()
    await world.custody(crn, conditional_release_date=(TODAY + timedelta(days=30)).isoformat())
    await world.client.post(f"/people/{crn}/plan", headers=world.pom())
    needs = {"pathways": {"ACCOMMODATION": {"needs": ["ACC_NO_FIXED_ABODE"]}}}
    await world.client.put(f"/people/{crn}/reports/IMMEDIATE_NEEDS", json=needs, headers=world.pom())
    await world.client.post(f"/people/{crn}/reports/IMMEDIATE_NEEDS/submission", headers=world.pom())
    await world.run_pack_job()

    pdf = await world.client.get(f"/people/{crn}/pack/versions/1.pdf", headers=world.pom())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "Rhys Example1" in text
    assert "Cardiff Housing Advice Hub" in text
    assert "Liverpool" not in text
    html = await world.client.get(f"/people/{crn}/pack/versions/1.html", headers=world.pom())
    assert html.headers["content-type"].startswith("text/html") and "Cardiff Housing Advice Hub" in html.text

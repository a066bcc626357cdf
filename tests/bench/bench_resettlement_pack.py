"""resettlement pack rendering benchmark (issue 12 item 4), measured in one run on this machine.

Made-up people (RESETTLEMENT_BENCH_PEOPLE, default 1,000) all due for release within 12 weeks, in 12 regions,
each with 1 to 3 support needs, their licence conditions and a probation officer; a directory of local services
per region and pathway.

"End to end" here is content assembly (the person's record + their region's directory + licence codes ->
`PackContent`, in the benchmark's own stand-in for res-core's pack workflow, which is not merged yet) followed by
`PackRenderer` (the spawn process pool the service uses), one pack per call, as the pack job would ask. It is not
yet through res-core's workflow, its database or its storage.

1. HTML (always 1,000 people, or more: it is cheap): bare `render_html` over already-assembled content, batched
   across every core (baseline), against assembly + `PackRenderer.render_html_many` in batches of 100 people, a few
   in flight; three passes over the people, so the figures are not a fraction of a second each.
   Target: >= 80% of the baseline. One `render_html_only` call per person is shown too: a trip to a worker costs
   more than a template render, which is why HTML for many people goes in batches.
2. PDF: bare WeasyPrint (`HTML(string=...).write_pdf(pdf_variant="pdf/ua-1")`) of the same HTML, batched across
   every core (baseline), against assembly + `PackRenderer.render` (HTML and PDF) for each person.
   Target: >= 80% of the baseline.

Both baselines and the end-to-end runs use the same number of worker processes (every core). The machine may be
shared and figures move with its load, so baseline and end to end take turns over four slices of the people:
a change in load falls on both, and the ratios compare like with like.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from resettlement.domain.licence_conditions import CONDITIONS, Kind, plain_english, standard_codes
from resettlement.domain.pack import Appointment, Contact, DirectoryEntry, LicenceCondition, PackContent, SupportNeed
from resettlement.rendering import PackRenderer, render_html

PEOPLE = int(os.environ.get("RESETTLEMENT_BENCH_PEOPLE", "1000"))
HTML_PEOPLE = max(PEOPLE, 1000)  # HTML is cheap: always the full 1,000, so its few milliseconds are not all noise
ROUNDS = 4
HTML_PASSES = 3  # each pass is well under a second: three of them, taking turns, steady the HTML ratio
HTML_BATCH = 100  # people per batch, as a pack job working through everyone due would take them
WORKERS = os.cpu_count() or 1
TARGET = 0.8
REGIONS = [f"R{n:02d}" for n in range(1, 13)]
PATHWAYS = {
    "ACCOMMODATION": ("A place to live", "Help to find somewhere to live"),
    "DRUGS_AND_ALCOHOL": ("Drugs and alcohol", "Help to stay off drugs and alcohol"),
    "EDUCATION_SKILLS_AND_WORK": ("Work and learning", "Help to find a job or a course"),
    "FINANCE_AND_ID": ("Money and ID", "Help to open a bank account and get ID"),
    "HEALTH": ("Your health", "Help to register with a doctor"),
    "CHILDREN_FAMILIES_AND_COMMUNITIES": ("Family and friends", "Help to keep in touch with your family"),
    "ATTITUDES_THINKING_AND_BEHAVIOUR": ("Thinking and behaviour", "Help to manage anger"),
}
ADDITIONAL = [code for code, c in CONDITIONS.items() if c.kind is Kind.ADDITIONAL]


@dataclass(frozen=True)
class Person:
    """What the pack workflow would read about one person (a stand-in for res-core's projection)."""

    crn: str
    name: str
    release_date: date
    region: str
    needs: tuple[str, ...]
    licence_codes: tuple[str, ...]
    com: str


def people(count: int, today: date) -> list[Person]:
    rng = random.Random(12)
    return [
        Person(
            crn=f"B{n:06d}",
            name=f"Person {n} Surname",
            release_date=today + timedelta(days=rng.randint(1, 84)),
            region=rng.choice(REGIONS),
            needs=tuple(rng.sample(sorted(PATHWAYS), rng.randint(1, 3))),
            licence_codes=(*standard_codes(), *rng.sample(ADDITIONAL, rng.randint(0, 3))),
            com=f"Officer {n % 97}",
        )
        for n in range(count)
    ]


def directory() -> dict[tuple[str, str], tuple[DirectoryEntry, ...]]:
    return {
        (region, pathway): tuple(
            DirectoryEntry(
                name=f"{PATHWAYS[pathway][0]} service {k} ({region})",
                what_they_do=f"{PATHWAYS[pathway][1]}. Drop in or phone first.",
                address=f"{10 + k} High Street, Town {region}, AB1 2CD",
                phone=f"0100 {k:03d} {int(region[1:]):04d}",
                opening_hours="Monday to Friday, 9am to 5pm",
                who_can_use_it="Adults who live in the area",
            )
            for k in range(2)
        )
        for region in REGIONS
        for pathway in PATHWAYS
    }


def assemble(person: Person, services: dict[tuple[str, str], tuple[DirectoryEntry, ...]], now: datetime) -> PackContent:
    """A person's record and their region's directory as pack content (the benchmark's stand-in workflow)."""
    released = datetime(person.release_date.year, person.release_date.month, person.release_date.day, tzinfo=UTC)
    office = f"Probation office, 1 Court Road, Town {person.region}"
    com = Contact(name=person.com, role="Your probation officer", phone="0100 000 0000", email=None)
    return PackContent(
        crn=person.crn,
        version=1,
        generated_at=now,
        reason="SCHEDULED",
        full_name=person.name,
        release_date=person.release_date,
        release_place=f"Town {person.region}",
        region_code=person.region,
        region_name=f"Region {person.region}",
        first_appointment=Appointment(released.replace(hour=14), office, person.com, "Your first meeting"),
        community_offender_manager=com,
        support_needs=tuple(
            SupportNeed(
                pathway=p,
                pathway_title=PATHWAYS[p][0],
                need=PATHWAYS[p][1],
                who_is_helping=None,
                services=services[(person.region, p)],
            )
            for p in person.needs
        ),
        licence_conditions=tuple(LicenceCondition(c, plain_english(c) or c) for c in person.licence_codes),
        health=("You will leave prison with 7 days of your medicine.",),
        enhanced_support=tuple(
            Appointment(released.replace(hour=10) + timedelta(days=d), office, person.com, "Check how you are")
            for d in (2, 7, 13)
        ),
        useful_contacts=(com,),
    )


def _bare_weasyprint(html: str) -> int:
    from weasyprint import HTML

    return len(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def _warm_worker() -> None:
    from resettlement.rendering.specimen import specimen

    _bare_weasyprint(render_html(specimen()))


def _started_pool() -> ProcessPoolExecutor:
    # The same warm-up as PackRenderer's workers (WeasyPrint imported, fonts found, template compiled), before the
    # clock starts: the baselines measure rendering, not process start.
    pool = ProcessPoolExecutor(
        max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_worker
    )
    seen: set[int] = set()
    while len(seen) < WORKERS:
        seen.update(pool.map(_pid, range(WORKERS)))
    return pool


def _pid(_: int) -> int:
    time.sleep(0.05)  # so a worker still warming up gets a turn
    return os.getpid()


def _baseline_seconds(pool: ProcessPoolExecutor, function, items: Sequence) -> float:
    started = time.perf_counter()
    for _ in pool.map(function, items, chunksize=max(1, len(items) // (WORKERS * 4))):
        pass
    return time.perf_counter() - started


async def _html_batched_seconds(renderer: PackRenderer, crowd: Sequence[Person]) -> float:
    services = directory()
    now = datetime.now(UTC)
    # A few batches in flight: the next is assembled while the workers render the last.
    gate = asyncio.Semaphore(WORKERS * 2)

    async def one(batch: Sequence[Person]) -> None:
        async with gate:
            htmls = await renderer.render_html_many([assemble(p, services, now) for p in batch])
            assert batch[-1].name in htmls[-1]

    started = time.perf_counter()
    await asyncio.gather(*(one(crowd[i : i + HTML_BATCH]) for i in range(0, len(crowd), HTML_BATCH)))
    return time.perf_counter() - started


async def _one_by_one_seconds(renderer: PackRenderer, crowd: Sequence[Person], pdf: bool) -> float:
    services = directory()
    now = datetime.now(UTC)
    # Enough in flight to keep every worker busy, as a pack job working through its queue would.
    gate = asyncio.Semaphore(WORKERS * 4)

    async def one(person: Person) -> None:
        async with gate:
            content = assemble(person, services, now)
            if pdf:
                rendered = await renderer.render(content)
                assert rendered.pdf.startswith(b"%PDF")
            else:
                assert person.name in await renderer.render_html_only(content)

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in crowd))
    return time.perf_counter() - started


def _rounds(count: int) -> list[slice]:
    """Baseline and end to end take turns over these slices, so a change in the shared machine's load falls on
    both rather than on whichever ran second."""
    rounds = max(1, min(ROUNDS, count))
    edges = [count * r // rounds for r in range(rounds + 1)]
    return [slice(a, b) for a, b in zip(edges, edges[1:], strict=False)]


async def run(report) -> None:
    today = datetime.now(UTC).date()
    html_crowd = people(HTML_PEOPLE, today)
    crowd = html_crowd[:PEOPLE]
    services = directory()
    now = datetime.now(UTC)
    contents = [assemble(p, services, now) for p in html_crowd]
    htmls = [render_html(c) for c in contents[:PEOPLE]]
    assert all(0 < (p.release_date - today).days <= 84 for p in html_crowd)
    print(
        f"   people due within 12 weeks: {HTML_PEOPLE:,} for HTML, {PEOPLE:,} for PDF; {WORKERS} worker processes",
        flush=True,
    )

    renderer = PackRenderer(workers=WORKERS)
    pool = await asyncio.to_thread(_started_pool)
    try:
        await renderer.wait_ready()

        bare = batched = single = 0.0
        for part in _rounds(HTML_PEOPLE) * HTML_PASSES:
            bare += await asyncio.to_thread(_baseline_seconds, pool, render_html, contents[part])
            batched += await _html_batched_seconds(renderer, html_crowd[part])
            single += await _one_by_one_seconds(renderer, html_crowd[part], pdf=False)
        packs = HTML_PEOPLE * HTML_PASSES
        report("bare render_html, batched over every core (baseline)", packs / bare, "packs/s")
        report(f"end to end HTML: assembly + PackRenderer, {HTML_BATCH} a batch", packs / batched, "packs/s")
        report("end to end HTML, one pack per call (for comparison)", packs / single, "packs/s")
        ratio = bare / batched
        report("end to end HTML / baseline", ratio * 100, "%", target=">= 80%", met=ratio >= TARGET)

        bare = end_to_end = 0.0
        for part in _rounds(PEOPLE):
            bare += await asyncio.to_thread(_baseline_seconds, pool, _bare_weasyprint, htmls[part])
            end_to_end += await _one_by_one_seconds(renderer, crowd[part], pdf=True)
        report("bare WeasyPrint PDF/UA of the same HTML, every core (baseline)", PEOPLE / bare, "packs/s")
        report("end to end PDF: assembly + PackRenderer (HTML + PDF)", PEOPLE / end_to_end, "packs/s")
        ratio = bare / end_to_end
        report("end to end PDF / baseline", ratio * 100, "%", target=">= 80%", met=ratio >= TARGET)
    finally:
        pool.shutdown()
        renderer.close()

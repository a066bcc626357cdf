"""resettlement pack rendering benchmark (issue 12 item 4), measured in one run on this machine.

1. HTML, for 1,000 made-up people due within 12 weeks (RESETTLEMENT_BENCH_PEOPLE): bare `render_html` over
   already-assembled content, batched across every core (baseline), against content assembly (the benchmark's own
   stand-in records) + `PackRenderer.render_html_many` in batches of 100, a few in flight; three passes, taking
   turns with the baseline over four slices, so a change in the shared machine's load falls on both.
   One `render_html_only` call per person is shown too: a trip to a worker costs more than a template render.
2. PDF, end to end through the service: people due within 12 weeks in a SQLite database of resettlement (a sample
   of 120, RESETTLEMENT_BENCH_JOB_PEOPLE), each with a submitted immediate-needs report and licence conditions,
   the demo directory seeded; the service's own pack job makes every pack (reads, assembles, renders HTML and
   tagged PDF in its process pool, stores each version). Baseline: bare WeasyPrint PDF/UA of the HTML the job
   stored, batched across every core, in the same run.

Target for both: end to end >= 80% of the baseline, with every core in use.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from resettlement.domain.licence_conditions import CONDITIONS, Kind, plain_english, standard_codes
from resettlement.domain.pack import Appointment, Contact, DirectoryEntry, LicenceCondition, PackContent, SupportNeed
from resettlement.rendering import PackRenderer, render_html
from resettlement.rendering.specimen import specimen

# PDFs through the pack job: a sample of the 1,000 (each PDF takes about half a second of a core, so all of them
# twice over would not fit `make bench`'s 15 minutes on two cores); the ratio is per pack either way.
JOB_PEOPLE = int(os.environ.get("RESETTLEMENT_BENCH_JOB_PEOPLE", "120"))
HTML_PEOPLE = int(os.environ.get("RESETTLEMENT_BENCH_PEOPLE", "1000"))
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


async def _through_the_pack_job(today: date, count: int) -> tuple[float, list[str]]:
    """`count` people due within 12 weeks in a SQLite database of the service, each with a submitted
    immediate-needs report and licence conditions, the demo directory seeded; the time the service's own pack
    job takes to make all their packs (it reads, assembles, renders in its process pool and stores, 100 a run).
    Returns that time and the HTML it stored, for the baseline to render the same."""
    from sqlalchemy import func, select

    from probation_shared.db import Database
    from probation_shared.migrations import upgrade
    from resettlement.db.models import Pack, Prisoner, Report
    from resettlement.domain.pathways import SUPPORT_NEEDS
    from resettlement.jobs import pack_job
    from resettlement.seed import TOWNS, seed
    from resettlement.service import SPEC

    folder = tempfile.mkdtemp(prefix="bench-packs-")
    url = f"sqlite+aiosqlite:///{folder}/resettlement.db"
    await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
    database = Database(url)
    try:
        await seed(database, None)
        rng = random.Random(7)
        needs = [(path.value, code) for path, codes in SUPPORT_NEEDS.items() for code in codes]
        now = datetime.now(UTC)
        async with database.unit_of_work() as session:
            for n in range(count):
                crn = f"B{n:06d}"
                chosen = rng.sample(needs, rng.randint(1, 3))
                session.add(
                    Prisoner(
                        crn=crn,
                        full_name=f"Person {n} Surname",
                        release_date=today + timedelta(days=rng.randint(1, 84)),
                        prison_code="CFI",
                        region_code=rng.choice(sorted(TOWNS)),
                        com_staff_code=f"S{n % 97:03d}",
                        com_name=f"Officer {n % 97}",
                        com_phone="0100 000 0000",
                        licence_conditions=[*standard_codes(), *rng.sample(ADDITIONAL, rng.randint(0, 3))],
                        updated_at=now,
                    )
                )
                pathways: dict[str, dict] = {}
                for pathway, code in chosen:
                    pathways.setdefault(pathway, {"needs": []})["needs"].append(code)
                session.add(
                    Report(
                        crn=crn,
                        report_type="IMMEDIATE_NEEDS",
                        status="SUBMITTED",
                        pathways=pathways,
                        created_at=now,
                        submitted_at=now,
                    )
                )
        job = pack_job(SimpleNamespace(pack_render_workers=WORKERS, pack_job_interval_seconds=60), database, None)
        renderer = database.context["pack_renderer"]
        warm = await renderer.render(specimen())  # the pool started and warm before the clock starts
        assert warm.pdf.startswith(b"%PDF")
        started = time.perf_counter()
        while True:
            async with database.unit_of_work(read_only=True) as session:
                made = await session.scalar(select(func.count()).select_from(Pack))
            if made == count:
                break
            await job.tick()
        seconds = time.perf_counter() - started
        async with database.unit_of_work(read_only=True) as session:
            htmls = list(await session.scalars(select(Pack.html).order_by(Pack.id)))
        assert job.on_stop is not None
        await job.on_stop()  # closes the renderer's pool
        return seconds, htmls
    finally:
        await database.dispose()
        shutil.rmtree(folder, ignore_errors=True)


async def run(report) -> None:
    today = datetime.now(UTC).date()
    html_crowd = people(HTML_PEOPLE, today)
    services = directory()
    now = datetime.now(UTC)
    contents = [assemble(p, services, now) for p in html_crowd]
    assert all(0 < (p.release_date - today).days <= 84 for p in html_crowd)
    print(
        f"   people due within 12 weeks: {HTML_PEOPLE:,} for HTML, {JOB_PEOPLE:,} for PDF; {WORKERS} worker processes",
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

        seconds, htmls_made = await _through_the_pack_job(today, JOB_PEOPLE)
        bare = await asyncio.to_thread(_baseline_seconds, pool, _bare_weasyprint, htmls_made)
        report("bare WeasyPrint PDF/UA of the same HTML, every core (baseline)", JOB_PEOPLE / bare, "packs/s")
        report(
            "end to end PDF: the service's pack job (read, assemble, HTML + PDF, store)",
            JOB_PEOPLE / seconds,
            "packs/s",
        )
        ratio = bare / seconds
        report("end to end PDF / baseline", ratio * 100, "%", target=">= 80%", met=ratio >= TARGET)
    finally:
        pool.shutdown()
        renderer.close()

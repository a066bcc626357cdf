"""The pack's HTML: every section, kind words for what we do not know yet, escaping, and an automated accessibility
check (which is itself shown to fail on a bad document)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from resettlement.rendering.accessibility import accessibility_problems
from resettlement.rendering.html import render_html
from resettlement.rendering.specimen import specimen
from resettlement.rendering.words import clock_time, date_and_time, long_date


def test_dates_and_times_are_written_out() -> None:
    assert long_date(date(2027, 3, 2)) == "Tuesday 2 March 2027"
    assert long_date(date(2026, 12, 25)) == "Friday 25 December 2026"
    assert clock_time(datetime(2027, 3, 2, 14, 30)) == "2:30pm"
    assert clock_time(datetime(2027, 3, 2, 9, 0)) == "9am"
    assert clock_time(datetime(2027, 3, 2, 12, 0)) == "12 noon"
    assert clock_time(datetime(2027, 3, 2, 0, 15)) == "12:15am"
    assert date_and_time(datetime(2027, 3, 2, 10, 5, tzinfo=UTC)) == "Tuesday 2 March 2027 at 10:05am"


def test_every_section_is_there_with_its_facts() -> None:
    html = render_html(specimen())
    for heading in (
        "When and where you are released",
        "Your first probation appointment",
        "Your probation officer",
        "Help you need and who can help near you",
        "Your licence conditions",
        "Your health",
        "Your first two weeks",
        "Useful numbers",
    ):
        assert f">{heading}</h2>" in html
    assert "Sam Example" in html
    assert "Tuesday 2 March 2027" in html
    assert "Tuesday 2 March 2027 at 2:30pm" in html
    assert "Leeds Housing Options" in html and "0113 000 0001" in html and "Monday to Friday, 9am to 5pm" in html
    assert "Do not leave the UK unless your probation officer says yes first." in html
    assert "You will leave prison with 7 days of your medicine." in html
    assert "Thursday 4 March 2027 at 10am" in html


def test_the_pack_passes_the_accessibility_check() -> None:
    html = render_html(specimen())
    assert accessibility_problems(html) == []
    assert '<html lang="en-GB">' in html
    assert len(re.findall(r"<h1\b", html)) == 1
    body_size = re.search(r"body \{ font-size: (\d+)pt", html)
    assert body_size and int(body_size[1]) >= 16


def test_empty_sections_say_kindly_what_happens_next() -> None:
    empty = replace(
        specimen(release_date=None),
        first_appointment=None,
        community_offender_manager=None,
        support_needs=(),
        licence_conditions=(),
        health=(),
        enhanced_support=(),
        useful_contacts=(),
    )
    html = render_html(empty)
    assert "We do not have a date yet. Your prison offender manager will tell you." in html
    assert "We do not have your first appointment yet." in html
    assert "You do not have a probation officer yet." in html
    assert "You have not told us you need help with anything." in html
    assert "We do not have your licence conditions yet." in html
    assert "We do not have health information for you." in html
    assert "<table" not in html
    assert accessibility_problems(html) == []


def test_a_need_with_no_local_service_says_who_to_ask() -> None:
    html = render_html(specimen())
    assert "Money and ID" in html
    assert "We do not have a local service for this yet. Ask your probation officer who can help." in html


def test_text_from_other_systems_is_escaped() -> None:
    hostile = specimen(full_name='<script>alert("x")</script> Sam')
    hostile = replace(hostile, release_place="<img src=x onerror=alert(1)>Leeds")
    html = render_html(hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Sam" in html
    assert "<img" not in html
    assert accessibility_problems(html) == []


GOOD = (
    '<!DOCTYPE html><html lang="en-GB"><head><title>T</title></head><body><h1>A</h1><h2>B</h2><h3>C</h3>'
    '<table><caption>Cap</caption><tr><th scope="col">H</th></tr><tr><td>d</td></tr></table>'
    '<img src="a.png" alt="A picture"></body></html>'
)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (GOOD.replace(' lang="en-GB"', ""), "the html element has no lang"),
        (GOOD.replace("<title>T</title>", ""), "the document has no title"),
        (GOOD.replace("<h2>B</h2>", "<h1>B</h1>"), "there are 2 h1 headings, not one"),
        (GOOD.replace("<h2>B</h2><h3>C</h3>", "<h3>C</h3>"), "heading levels skip from h1 to h3"),
        (GOOD.replace("<h1>A</h1>", ""), "the first heading is h2, not h1"),
        (GOOD.replace("<caption>Cap</caption>", ""), "table 1 has no caption"),
        (GOOD.replace('<th scope="col">H</th>', "<td>H</td>"), "table 1 has no header cells"),
        (GOOD.replace(' scope="col"', ""), "table 1 has 1 header cells without scope"),
        (GOOD.replace(' alt="A picture"', ""), "an image has no alt text: a.png"),
    ],
)
def test_the_accessibility_check_finds_each_problem(bad: str, problem: str) -> None:
    assert accessibility_problems(GOOD) == []
    assert problem in accessibility_problems(bad)

"""An automated accessibility check of an HTML document, with the standard library's parser.

It checks what a machine can: the language is set, there is a title, exactly one h1, heading levels never skip
(h2 to h4), every table has a caption and header cells with a scope, every image has alt text. It does not judge
whether the words are plain; people do that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_HEADINGS = {f"h{n}": n for n in range(1, 7)}


@dataclass
class _Table:
    has_caption: bool = False
    header_cells: int = 0
    header_cells_without_scope: int = 0


@dataclass
class _Checker(HTMLParser):
    problems: list[str] = field(default_factory=list)
    lang: str | None = None
    title_text: str = ""
    in_title: bool = False
    saw_title: bool = False
    h1_count: int = 0
    last_level: int = 0
    tables: list[_Table] = field(default_factory=list)
    open_tables: list[_Table] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = (attributes.get("lang") or "").strip() or None
        elif tag == "title":
            self.in_title, self.saw_title = True, True
        elif tag in _HEADINGS:
            level = _HEADINGS[tag]
            if level == 1:
                self.h1_count += 1
            if self.last_level == 0 and level != 1:
                self.problems.append(f"the first heading is {tag}, not h1")
            elif level > self.last_level + 1 and self.last_level:
                self.problems.append(f"heading levels skip from h{self.last_level} to {tag}")
            self.last_level = level
        elif tag == "table":
            table = _Table()
            self.tables.append(table)
            self.open_tables.append(table)
        elif tag == "caption" and self.open_tables:
            self.open_tables[-1].has_caption = True
        elif tag == "th" and self.open_tables:
            self.open_tables[-1].header_cells += 1
            if attributes.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                self.open_tables[-1].header_cells_without_scope += 1
        elif tag == "img" and attributes.get("alt") is None:
            self.problems.append(f"an image has no alt text: {(attributes.get('src') or '')[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "table" and self.open_tables:
            self.open_tables.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_text += data


def accessibility_problems(html: str) -> list[str]:
    """What is wrong with the document, in words; an empty list when every check passes."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if not checker.lang:
        problems.append("the html element has no lang")
    if not checker.saw_title or not checker.title_text.strip():
        problems.append("the document has no title")
    if checker.h1_count != 1:
        problems.append(f"there are {checker.h1_count} h1 headings, not one")
    for number, table in enumerate(checker.tables, start=1):
        if not table.has_caption:
            problems.append(f"table {number} has no caption")
        if not table.header_cells:
            problems.append(f"table {number} has no header cells")
        if table.header_cells_without_scope:
            problems.append(f"table {number} has {table.header_cells_without_scope} header cells without scope")
    return problems

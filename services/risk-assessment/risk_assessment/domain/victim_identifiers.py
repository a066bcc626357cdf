"""Finding a victim's identifiers in free text bound for a provider, so that the write can be refused.

Victims live only in their structured records, which no provider receives. Text written by probation
staff for a provider (the provider risk summary) is checked when written against every victim the
person has ever had recorded, and a match refuses the write, naming what matched: nothing is cut out of
a sentence behind the writer's back.

What counts as an identifier of a victim:
- a name part of two or more letters (first names, surnames, each half of a hyphenated name), matched as a
  whole word, so "Ann" is found in "Ann's house" but not in "planned"; an initial is covered by the surname
  it goes with;
- the address, each comma- or line-separated fragment of it, its house number with the street that follows,
  and the street name itself (the words ending in a street word such as "Road" or "Close");
- the postcode, with or without its space;
- a phone number (its digits, whatever the spacing; +44 read as 0);
- an email address.
Matching ignores case and accents ("Zoë" matches "Zoe") and treats runs of spaces and punctuation alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_STREET_WORDS = {
    "street", "st", "road", "rd", "lane", "ln", "avenue", "ave", "close", "drive", "dr", "way", "court", "ct",
    "crescent", "place", "pl", "terrace", "grove", "gardens", "square", "sq", "hill", "row", "walk", "mews",
    "park", "view", "rise", "green", "parade", "estate", "house", "flats", "flat", "cottages", "wharf",
}  # fmt: skip
_POSTCODE = re.compile(r"\b([a-z]{1,2}[0-9][a-z0-9]?)\s*([0-9][a-z]{2})\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class Victim:
    name: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Match:
    kind: str  # name | address | postcode | phone | email
    matched: str  # the victim's identifier as recorded (not the text around it)


def fold(text: str) -> str:
    """Lower case, accents removed, every run of non-word characters a single space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", plain))


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("44") and len(digits) > 10 else digits


def _contains_phrase(folded_text: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {folded_text} "


def name_parts(name: str) -> set[str]:
    return {part for part in fold(name).split() if len(part) >= 2}


def address_phrases(address: str) -> set[str]:
    """The whole address, its fragments, number + street, and the street name."""
    phrases = {fold(address)}
    for fragment in re.split(r"[,\n;]", address):
        folded = fold(fragment)
        if folded:
            phrases.add(folded)
        words = folded.split()
        for i, word in enumerate(words):
            if word in _STREET_WORDS and i > 0:
                start = i - 1
                while start > 0 and not words[start - 1].isdigit() and words[start - 1] not in _STREET_WORDS:
                    start -= 1
                street = words[start : i + 1]
                if street and street[0].isdigit():
                    street = street[1:]
                if len(street) >= 2:
                    phrases.add(" ".join(street))
                if start > 0 and words[start - 1].isdigit():
                    phrases.add(" ".join([words[start - 1], *street]))
    # A postcode is found on its own, so it does not need to be a phrase here; one-word fragments (a town)
    # identify no one alone.
    return {p for p in phrases if len(p.split()) >= 2 and not _POSTCODE.fullmatch(p)}


def postcodes(text: str) -> set[str]:
    return {a + b for a, b in _POSTCODE.findall(fold(text))}


def find(text: str | None, victims: Iterable[Victim]) -> list[Match]:
    """Every identifier of `victims` that appears in `text` (each once)."""
    if not text or not text.strip():
        return []
    folded = fold(text)
    text_postcodes = postcodes(text)
    text_digits = [_digits(run) for run in re.findall(r"\+?\d[\d\s().-]{5,}\d", text)]
    text_emails = {e.casefold() for e in _EMAIL.findall(text)}
    found: dict[tuple[str, str], Match] = {}

    def hit(kind: str, matched: str) -> None:
        found.setdefault((kind, matched.casefold()), Match(kind, matched))

    for victim in victims:
        for part in name_parts(victim.name):
            if _contains_phrase(folded, part):
                hit("name", part)
        if victim.address:
            for phrase in address_phrases(victim.address):
                if _contains_phrase(folded, phrase):
                    hit("address", phrase)
            for code in postcodes(victim.address):
                if code in text_postcodes:
                    hit("postcode", code.upper())
        if victim.phone:
            wanted = _digits(victim.phone)
            if len(wanted) >= _MIN_PHONE_DIGITS and any(wanted in d for d in text_digits):
                hit("phone", victim.phone)
        if victim.email and victim.email.strip() and victim.email.strip().casefold() in text_emails:
            hit("email", victim.email.strip())
    return list(found.values())

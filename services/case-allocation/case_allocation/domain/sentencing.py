"""Sentencing facts shared by the sentence workflows (pure)."""

from __future__ import annotations

CUSTODY_DATES = (
    "confirmed_release_date",
    "actual_parole_date",
    "hdc_actual_date",
    "conditional_release_date",
    "automatic_release_date",
    "licence_expiry_date",
    "released_on",
    "prison_code",  # not a date: the prison holding the person (its code), recorded with the dates
)

"""The 12 probation regions of England and Wales (the codes case-allocation uses for its regions)."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "NE": "North East",
    "YH": "Yorkshire and the Humber",
    "EM": "East Midlands",
    "EE": "East of England",
    "KSS": "Kent, Surrey and Sussex",
    "SC": "South Central",
    "SW": "South West",
    "WAL": "Wales",
    "WM": "West Midlands",
    "GM": "Greater Manchester",
    "NW": "North West",
    "LON": "London",
}

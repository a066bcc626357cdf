"""The commissioning view: demand against volume caps by region, contract type and month. Counts only."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import queries as q
from ..domain.codes import PCC_AREAS


def _region(region: str | None, pcc_area: str | None) -> str:
    return region or PCC_AREAS.get(pcc_area or "", "Unknown")


async def demand(session: AsyncSession, year: int | None) -> dict[str, Any]:
    months: dict[tuple[str, str, str], int] = defaultdict(int)
    for region, pcc, contract_type, y, m, count in await q.demand_rows(session, year=year):
        months[(_region(region, pcc), contract_type, f"{int(y):04d}-{int(m):02d}")] += int(count)
    caps: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for region, pcc, contract_type, cap, sent in await q.caps(session):
        row = caps[(_region(region, pcc), contract_type)]
        row[0] += int(cap)
        row[1] += int(sent)
        row[2] += 1
    return {
        "by_month": [
            {"region": r, "contract_type": t, "month": m, "referrals": n} for (r, t, m), n in sorted(months.items())
        ],
        "against_cap": [
            {
                "region": r,
                "contract_type": t,
                "contracts": c,
                "volume_cap": cap,
                "referrals": sent,
                "percent_of_cap": round(100 * sent / cap, 1) if cap else None,
            }
            for (r, t), (cap, sent, c) in sorted(caps.items())
        ],
    }

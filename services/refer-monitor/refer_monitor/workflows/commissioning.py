"""The commissioning view: demand against volume caps by region, contract type and month, per contract and
per (prime) provider. Counts only. A referral withdrawn as a duplicate does not count against a cap."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import queries as q
from ..domain.codes import NOT_COUNTED_AGAINST_CAP, PCC_AREAS


def _region(region: str | None, pcc_area: str | None) -> str:
    return region or PCC_AREAS.get(pcc_area or "", "Unknown")


def _percent(sent: int, cap: int) -> float | None:
    return round(100 * sent / cap, 1) if cap else None


async def demand(session: AsyncSession, year: int | None) -> dict[str, Any]:
    months: dict[tuple[str, str, str], int] = defaultdict(int)
    for region, pcc, contract_type, y, m, count in await q.demand_rows(session, year=year):
        months[(_region(region, pcc), contract_type, f"{int(y):04d}-{int(m):02d}")] += int(count)
    rows = await q.caps(session, NOT_COUNTED_AGAINST_CAP)
    caps: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    providers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_contract = []
    for reference, region, pcc, contract_type, prime, cap, sent in rows:
        cap, sent = int(cap), int(sent)
        for row in (caps[(_region(region, pcc), contract_type)], providers[prime]):
            row[0] += cap
            row[1] += sent
            row[2] += 1
        by_contract.append(
            {
                "contract_reference": reference,
                "contract_type": contract_type,
                "region": _region(region, pcc),
                "prime_provider_id": prime,
                "volume_cap": cap,
                "referrals": sent,
                "percent_of_cap": _percent(sent, cap),
            }
        )
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
                "percent_of_cap": _percent(sent, cap),
            }
            for (r, t), (cap, sent, c) in sorted(caps.items())
        ],
        "by_contract": by_contract,
        "by_provider": [
            {
                "provider_id": p,
                "contracts": c,
                "volume_cap": cap,
                "referrals": sent,
                "percent_of_cap": _percent(sent, cap),
            }
            for p, (cap, sent, c) in sorted(providers.items())
        ],
    }

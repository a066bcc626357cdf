"""Who owns an endpoint: a provider, or a police partner (a force in an IOM / MAPPA arrangement).

Both kinds share one table and one delivery path. A police force's endpoints are owned by
`police:<force id>`, a name no provider route accepts, and carry partner kind POLICE: provider
notifications are routed only to PROVIDER endpoints and police notifications only to POLICE ones.
"""

from __future__ import annotations

import enum
import re


class PartnerKind(str, enum.Enum):
    PROVIDER = "PROVIDER"
    POLICE = "POLICE"


POLICE_OWNER_PREFIX = "police:"
# A force id as police tokens carry it (claim `force_id`) and as refer-monitor's force areas name it.
FORCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")


def police_owner(force_id: str) -> str:
    return f"{POLICE_OWNER_PREFIX}{force_id}"


def is_police_owner(owner_id: str) -> bool:
    return owner_id.startswith(POLICE_OWNER_PREFIX)

"""Who may see or act on a referral: pure rules over the caller's principal and the referral's contract."""

from __future__ import annotations

from collections.abc import Iterable

from probation_shared.auth import PROBATION_STAFF, Principal, Role

from ..domain.codes import Status
from ..domain.sharing import ViewerKind

PROBATION = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER)
PROBATION_READERS = (
    PROBATION_STAFF  # practitioner, senior probation officer, prison offender manager (the shared group)
)


def provider_holds_contract(principal: Principal, contract_reference: str, contract_providers: Iterable[str]) -> bool:
    """The caller's organisation is the prime or a subcontractor AND their token holds the contract."""
    return (
        principal.is_provider
        and principal.provider_id is not None
        and principal.provider_id in set(contract_providers)
        and contract_reference in principal.contract_refs
    )


def provider_can_see_referral(
    principal: Principal, status: str, contract_reference: str, contract_providers: Iterable[str]
) -> bool:
    if status == Status.DRAFT.value:
        return False
    return provider_holds_contract(principal, contract_reference, contract_providers)


def can_see_referral(
    principal: Principal, status: str, contract_reference: str, contract_providers: Iterable[str]
) -> bool:
    if principal.has(*PROBATION_READERS):
        return True
    return provider_can_see_referral(principal, status, contract_reference, contract_providers)


def viewer_kind(principal: Principal) -> ViewerKind:
    if principal.has(*PROBATION_READERS):
        return ViewerKind.PROBATION
    if principal.is_provider:
        return ViewerKind.PROVIDER
    return ViewerKind.OTHER

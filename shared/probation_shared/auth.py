"""Bearer JWT authentication (asymmetric keys) and role/scope authorisation as FastAPI dependencies.

Production keys come from a JWKS URL; local runs use a generated dev key pair (see `devkeys`).
Only RS256 is accepted, so `alg=none` and HMAC-confusion tokens are refused.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Depends, Request

from .errors import Problem
from .roles import PROBATION_STAFF, Role

ALGORITHMS = ["RS256"]
VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling, what they may do, and the scope their token carries."""

    subject: str
    roles: frozenset[Role]
    provider_id: str | None = None
    contract_refs: frozenset[str] = frozenset()
    region: str | None = None
    pdu: str | None = None
    staff_code: str | None = None
    crn: str | None = None
    prison: str | None = None  # a prison offender manager's prison (its code)
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_probation_staff(self) -> bool:
        return bool(self.roles & PROBATION_STAFF)

    @property
    def is_provider(self) -> bool:
        return Role.PROVIDER_CASEWORKER in self.roles

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        """Claims of the wrong shape are refused (401), never coerced: `roles` is a list of known role
        names, each scope claim a string (`contract_refs` a list of strings)."""
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r in Role._value2member_map_ for r in roles):
            raise _unauthenticated("The token's roles claim must be a list of known role names.")
        for name in _STRING_CLAIMS:
            if claims.get(name) is not None and not isinstance(claims[name], str):
                raise _unauthenticated(f"The token's {name} claim must be a string.")
        refs = claims.get("contract_refs")
        if refs is not None and (not isinstance(refs, list) or not all(isinstance(r, str) for r in refs)):
            raise _unauthenticated("The token's contract_refs claim must be a list of strings.")
        return cls(
            subject=str(claims.get("sub", "")),
            roles=frozenset(Role(r) for r in roles),
            provider_id=claims.get("provider_id"),
            contract_refs=frozenset(refs or ()),
            region=claims.get("region"),
            pdu=claims.get("pdu"),
            staff_code=claims.get("staff_code"),
            crn=claims.get("crn"),
            prison=claims.get("prison"),
            claims=claims,
        )


_STRING_CLAIMS = ("sub", "provider_id", "region", "pdu", "staff_code", "crn", "prison")


class TokenVerifier:
    """Checks signature, expiry, audience and issuer. Keys from a JWKS URL or a PEM public key."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        public_key_pem: bytes | None = None,
        jwks_url: str | None = None,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
    ):
        if not public_key_pem and not jwks_url:
            raise ValueError("A public key or a JWKS URL is required to verify tokens")
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._clock = clock  # seconds since the epoch; injectable so tests need not wait for expiry
        self._key: RSAPublicKey | None = None
        if public_key_pem:
            key = load_pem_public_key(public_key_pem)
            if not isinstance(key, RSAPublicKey):  # RS256 verifies with an RSA key only
                raise ValueError("The token public key must be an RSA key (RS256)")
            self._key = key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        # Callers reuse a token for many requests: remember verified ones until they expire, so the
        # signature is checked once per token rather than once per request.
        self._verified: OrderedDict[str, tuple[Principal, int]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings) -> TokenVerifier:
        pem = Path(settings.auth_public_key_file).read_bytes() if settings.auth_public_key_file else None
        return cls(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            public_key_pem=pem,
            jwks_url=settings.auth_jwks_url,
            leeway=settings.auth_leeway_seconds,
        )

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires = cached
            if self._clock() < expires:
                return principal
            del self._verified[token]
        principal = self._verify(token)
        self._verified[token] = (principal, int(principal.claims["exp"]))
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            else:
                assert self._key is not None  # __init__ requires a key or a JWKS URL
                key = self._key
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss"], "verify_exp": False},
            )
            # Expiry against our clock (PyJWT would read the system clock).
            if not isinstance(claims["exp"], int | float) or claims["exp"] <= self._clock() - self.leeway:
                raise jwt.ExpiredSignatureError("Signature has expired")
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise _unauthenticated(f"The token is not valid: {exc}.") from exc
        return Principal.from_claims(claims)


def _unauthenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="probation-platform"'})


def mint_token(
    private_key_pem: bytes,
    *,
    subject: str,
    roles: list[str],
    issuer: str = "probation-platform",
    audience: str = "probation-platform",
    lifetime_seconds: int = 3600,
    kid: str | None = None,
    **scope: Any,
) -> str:
    """Sign a token with the given roles and scope claims (dev key locally; tests)."""
    now = int(time.time())
    claims = {
        "sub": subject,
        "roles": roles,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": str(uuid.uuid4()),
    }
    claims.update({k: v for k, v in scope.items() if v is not None})
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, private_key_pem, algorithm="RS256", headers=headers)


async def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("A bearer token is required.")
    principal = request.app.state.token_verifier.verify(token.strip())
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role):
    """A dependency that lets through only callers holding at least one of `roles`."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & allowed:
            raise Problem(403, "forbidden", "Your role does not allow this action.")
        return principal

    return Depends(dependency)

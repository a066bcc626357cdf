import time

import jwt
import pytest

from probation_shared.auth import Principal, Role, TokenVerifier, mint_token
from probation_shared.devkeys import generate_key_pair
from probation_shared.errors import Problem

PRIVATE, PUBLIC = generate_key_pair()
OTHER_PRIVATE, _ = generate_key_pair()
VERIFIER = TokenVerifier(issuer="probation-platform", audience="probation-platform", public_key_pem=PUBLIC)


def test_valid_token_gives_roles_and_scope():
    token = mint_token(
        PRIVATE, subject="u1", roles=["PROVIDER_CASEWORKER"], provider_id="P1", contract_refs=["C1", "C2"]
    )
    principal = VERIFIER.verify(token)
    assert principal == Principal(
        subject="u1",
        roles=frozenset({Role.PROVIDER_CASEWORKER}),
        provider_id="P1",
        contract_refs=frozenset({"C1", "C2"}),
    )
    assert principal.is_provider and not principal.is_probation_staff


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(mint_token(PRIVATE, subject="u", roles=["AUDITOR"], lifetime_seconds=-120), id="expired"),
        pytest.param(mint_token(PRIVATE, subject="u", roles=["AUDITOR"], audience="someone-else"), id="wrong-audience"),
        pytest.param(mint_token(PRIVATE, subject="u", roles=["AUDITOR"], issuer="elsewhere"), id="wrong-issuer"),
        pytest.param(mint_token(OTHER_PRIVATE, subject="u", roles=["AUDITOR"]), id="wrong-signature"),
        pytest.param(
            jwt.encode(
                {
                    "sub": "u",
                    "roles": ["AUDITOR"],
                    "aud": "probation-platform",
                    "iss": "probation-platform",
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 60,
                },
                key=None,
                algorithm="none",
            ),
            id="alg-none",
        ),
        pytest.param(
            jwt.encode(
                {
                    "sub": "u",
                    "roles": ["AUDITOR"],
                    "aud": "probation-platform",
                    "iss": "probation-platform",
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 60,
                },
                key=PUBLIC.decode().replace("\n", "")[:64],
                algorithm="HS256",
            ),
            id="hmac-with-public-key",
        ),
        pytest.param("not.a.token", id="garbage"),
    ],
)
def test_invalid_tokens_are_refused_with_401(token):
    with pytest.raises(Problem) as refused:
        VERIFIER.verify(token)
    assert refused.value.status == 401
    assert refused.value.code == "unauthenticated"


def test_a_verifier_needs_a_key_source():
    with pytest.raises(ValueError):
        TokenVerifier(issuer="i", audience="a")


def test_a_verified_token_is_remembered_only_until_it_expires():
    clock = [time.time()]
    strict = TokenVerifier(
        issuer="probation-platform",
        audience="probation-platform",
        public_key_pem=PUBLIC,
        leeway=0,
        clock=lambda: clock[0],
    )
    token = mint_token(PRIVATE, subject="u", roles=["AUDITOR"], lifetime_seconds=60)
    first = strict.verify(token)
    assert strict.verify(token) is first  # remembered: no second signature check
    clock[0] += 61
    with pytest.raises(Problem) as refused:  # expired: checked again, and refused
        strict.verify(token)
    assert refused.value.status == 401


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"roles": {"OPERATOR": 1}}, id="roles-object"),
        pytest.param({"roles": 5}, id="roles-number"),
        pytest.param({"roles": "OPERATOR"}, id="roles-string"),
        pytest.param({"roles": ["OPERATOR", "NOT_A_ROLE"]}, id="unknown-role"),
        pytest.param({"roles": [["OPERATOR"]]}, id="roles-nested"),
        pytest.param({"roles": ["PROVIDER_CASEWORKER"], "contract_refs": "C1"}, id="contract-refs-string"),
        pytest.param({"roles": ["PROVIDER_CASEWORKER"], "contract_refs": [1]}, id="contract-refs-numbers"),
        pytest.param({"roles": ["PROVIDER_CASEWORKER"], "provider_id": {"id": "P1"}}, id="provider-id-object"),
        pytest.param({"roles": ["PROBATION_PRACTITIONER"], "staff_code": 7}, id="staff-code-number"),
    ],
)
def test_claims_of_the_wrong_shape_are_unauthenticated_not_coerced(claims):
    """Found: an object of roles authenticated as OPERATOR, a number gave 500, a string of contract refs
    became a set of characters."""
    now = int(time.time())
    body = {"sub": "u", "iss": "probation-platform", "aud": "probation-platform", "iat": now, "exp": now + 60, **claims}
    token = jwt.encode(body, PRIVATE, algorithm="RS256")
    with pytest.raises(Problem) as caught:
        VERIFIER.verify(token)
    assert caught.value.status == 401

"""Pre-sentence report proposals: sentence options from the person's risk, needs and the offence.

The rules are a practitioner aid, not a sentencing guideline: each proposed requirement carries the
reason that produced it, and the practitioner may record a professional override with a reason.

- Needs that rehabilitation activity can address (accommodation, ETE, relationships, lifestyle,
  thinking and behaviour, attitudes) → one RAR whose activities are those needs; 10 days per need,
  at least 10 and at most 40 days (a severe need counts twice).
- Drug need → DRR. Alcohol need: severe → ATR; standard → alcohol abstinence monitoring (AAMR).
- Current psychological problems (10.2 SIGNIFICANT) → MHTR (needs the person's consent).
- RoSH HIGH or VERY_HIGH, or OGRS3 band HIGH or VERY_HIGH → the community requirements are proposed
  as a suspended sentence order first, with a curfew when lifestyle is a need.
- No identified need and low risk → community order with unpaid work (punitive element).
- No assessment at all: the needs are unknown, and the options say so (never "no identified need").
- An override to a fine or a discharge takes no community requirements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from probation_shared.domain_error import DomainError

from .needs import Severity
from .rosh import RiskLevel

# Sentences that carry no community requirements.
NO_REQUIREMENTS = frozenset({"FINE", "DISCHARGE"})

RAR_NEEDS = {
    "ACCOMMODATION": "accommodation",
    "EDUCATION_TRAINING_EMPLOYMENT": "education, training and employment",
    "RELATIONSHIPS": "relationships",
    "LIFESTYLE_ASSOCIATES": "lifestyle and associates",
    "THINKING_BEHAVIOUR": "thinking and behaviour",
    "ATTITUDES": "attitudes",
}


@dataclass(frozen=True)
class PsrInputs:
    offence_code: str
    offence_description: str
    needs: (
        Mapping[str, Severity] | None
    )  # severity per scored section (latest complete assessment); None: no assessment
    rosh: RiskLevel | None
    ogrs_band: str | None
    psychological_problems: bool = False


@dataclass
class ProposedRequirement:
    type: str
    reason: str
    activities: list[str] = field(default_factory=list)
    days: int | None = None
    hours: int | None = None


@dataclass
class SentenceOption:
    sentence_type: str
    requirements: list[ProposedRequirement]
    reasons: list[str]

    def to_json(self) -> dict:
        return {
            "sentenceType": self.sentence_type,
            "reasons": self.reasons,
            "requirements": [{k: v for k, v in asdict(r).items() if v not in (None, [])} for r in self.requirements],
        }


def _requirements(inputs: PsrInputs) -> list[ProposedRequirement]:
    requirements: list[ProposedRequirement] = []
    found = inputs.needs or {}
    rar = [
        (code, label) for code, label in RAR_NEEDS.items() if found.get(code, Severity.NO_NEED) is not Severity.NO_NEED
    ]
    if rar:
        weight = sum(2 if found[code] is Severity.SEVERE else 1 for code, _ in rar)
        days = min(max(10 * weight, 10), 40)
        requirements.append(
            ProposedRequirement(
                "RAR",
                f"identified needs: {', '.join(label for _, label in rar)}",
                activities=[label for _, label in rar],
                days=days,
            )
        )
    drugs = found.get("DRUG_MISUSE", Severity.NO_NEED)
    if drugs is not Severity.NO_NEED:
        requirements.append(ProposedRequirement("DRR", f"drug misuse is an identified need ({drugs.value.lower()})"))
    alcohol = found.get("ALCOHOL_MISUSE", Severity.NO_NEED)
    if alcohol is Severity.SEVERE:
        requirements.append(ProposedRequirement("ATR", "alcohol misuse is a severe identified need"))
    elif alcohol is Severity.STANDARD:
        requirements.append(ProposedRequirement("AAMR", "alcohol misuse is an identified need (standard)"))
    if inputs.psychological_problems:
        requirements.append(
            ProposedRequirement("MHTR", "significant current psychological problems (subject to consent)")
        )
    return requirements


def propose(inputs: PsrInputs) -> list[SentenceOption]:
    """Sentence options, the recommended one first."""
    requirements = _requirements(inputs)
    high_harm = inputs.rosh in (RiskLevel.HIGH, RiskLevel.VERY_HIGH)
    high_reoffending = inputs.ogrs_band in ("HIGH", "VERY_HIGH")
    options: list[SentenceOption] = []
    context = f"offence {inputs.offence_code} ({inputs.offence_description})"
    if not requirements:
        if inputs.needs is None:
            reasons = [
                f"no assessment exists, so criminogenic needs are unknown: complete an assessment before "
                f"relying on this; {context}"
            ]
        else:
            reasons = [f"no identified criminogenic need; {context}"]
        if not high_harm and not high_reoffending:
            options.append(
                SentenceOption(
                    "COMMUNITY_ORDER",
                    [
                        ProposedRequirement(
                            "UPW", "punitive element where no rehabilitative need is identified", hours=80
                        )
                    ],
                    reasons,
                )
            )
        else:
            options.append(
                SentenceOption(
                    "SUSPENDED_SENTENCE_ORDER",
                    [ProposedRequirement("UPW", "punitive element", hours=120)],
                    reasons + [_risk_reason(inputs)],
                )
            )
        return options
    community = SentenceOption(
        "COMMUNITY_ORDER", list(requirements), [f"requirements address the identified needs; {context}"]
    )
    if high_harm or high_reoffending:
        ssr = list(requirements)
        if (inputs.needs or {}).get("LIFESTYLE_ASSOCIATES", Severity.NO_NEED) is not Severity.NO_NEED:
            ssr.append(
                ProposedRequirement("CURFEW", "lifestyle and associates need with high risk: structure and restriction")
            )
        options.append(
            SentenceOption(
                "SUSPENDED_SENTENCE_ORDER",
                ssr,
                [_risk_reason(inputs), f"requirements address the identified needs; {context}"],
            )
        )
    options.append(community)
    return options


def _risk_reason(inputs: PsrInputs) -> str:
    parts = []
    if inputs.rosh in (RiskLevel.HIGH, RiskLevel.VERY_HIGH):
        parts.append(f"RoSH {inputs.rosh.value}")
    if inputs.ogrs_band in ("HIGH", "VERY_HIGH"):
        parts.append(f"OGRS3 band {inputs.ogrs_band}")
    return "risk: " + " and ".join(parts) if parts else "risk"


def check_override(sentence_type: str, requirements: list[str]) -> None:
    """A fine or a discharge takes no community requirements."""
    if sentence_type in NO_REQUIREMENTS and requirements:
        raise DomainError.on(
            "requirements",
            "requirements-not-allowed",
            f"A {sentence_type.lower()} takes no community requirements (given: {', '.join(requirements)}).",
        )

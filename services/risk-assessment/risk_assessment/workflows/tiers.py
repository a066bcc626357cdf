"""Tier recalculation: gather the inputs this service holds, apply the model, store and publish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError

from ..db import queries
from ..db.models import Assessment, PersonRecord, Registration, RoshVersion, Score, TierCalculation
from ..domain import needs, ogrs3, tier_ag, tiering
from ..domain.rosh import ROSH_REGISTRATIONS, RiskLevel
from ..events import publish

MAPPA_RANK = {"M1": 1, "M2": 2, "M3": 3}


# A–G inputs taken from what this service holds (docs/domain.md, "Tiering A–G", explains each and its limits).
DOMESTIC_ABUSE_CODES = frozenset({"ADVP", "REG30"})
STALKING_CODE = "SPO"
CHILD_PROTECTION_CODE = "RCPR"
LIFER_CODE = "INLL"
SEXUAL_OFFENCE_GROUPS = frozenset({"Sexual (against child)", "Sexual (not against child)"})


async def gather_inputs(session: AsyncSession, person: PersonRecord, now: datetime) -> tiering.TierInputs:
    return (await gather_inputs_of(session, [person], now))[person.crn][0]


async def gather_inputs_of(
    session: AsyncSession, people: Sequence[PersonRecord], now: datetime
) -> dict[str, tuple[tiering.TierInputs, tier_ag.TierAGInputs, dict]]:
    """Every person's inputs to both models (A–D × 0–3, A–G, and where each A–G input came from),
    loaded with one query per kind of input (however many people)."""
    crns = sorted({p.crn for p in people})
    if not crns:
        return {}
    registrations = await queries.active_registrations_of(session, crns)
    rosh_versions = await queries.latest_rosh_of(session, crns)
    assessments = await queries.latest_complete_assessments(
        session, crns, now - timedelta(weeks=tiering.ASSESSMENT_VALID_WEEKS)
    )
    scores = await queries.latest_scores(session, crns, ("RSR", "OGRS3", "OSP_C", "OSP_I"))
    sentenced = await queries.with_active_sentence(session, crns)
    result = {}
    for p in people:
        regs = registrations.get(p.crn, [])
        rosh = _resolved_rosh(regs, rosh_versions.get(p.crn))
        assessment = assessments.get(p.crn)
        rsr, ogrs = scores.get((p.crn, "RSR")), scores.get((p.crn, "OGRS3"))
        osp_c, osp_i = scores.get((p.crn, "OSP_C")), scores.get((p.crn, "OSP_I"))
        ag, sources = _inputs_ag(p, regs, rosh, assessment, rsr, ogrs, osp_c, osp_i, p.crn in sentenced)
        records = _records(
            regs, rosh_versions.get(p.crn), assessment, {"RSR": rsr, "OGRS3": ogrs, "OSP_C": osp_c, "OSP_I": osp_i}
        )
        result[p.crn] = (_inputs(p, regs, rosh, assessment, rsr, ogrs), ag, {**sources, "records": records})
    return result


def _moment(value: datetime | None) -> str | None:
    return None if value is None else clock.as_utc(value).isoformat()


def _records(
    registrations: Sequence[Registration], rosh_version: RoshVersion | None, assessment: Assessment | None, scores: dict
) -> dict:
    """The stored records a calculation read, so that a user can look each one up and check it."""
    return {
        "assessment": None
        if assessment is None
        else {"id": assessment.id, "version": assessment.version, "completedAt": _moment(assessment.completed_at)},
        "roshVersion": None
        if rosh_version is None
        else {"version": rosh_version.version, "overall": rosh_version.overall, "at": _moment(rosh_version.created_at)},
        "registrations": [
            {
                "id": r.registration_id,
                "type": r.type_code,
                "level": r.level,
                "category": r.category,
                "at": _moment(r.registered_at),
            }
            for r in registrations
        ],
        "scores": {
            kind: None
            if score is None
            else {"id": score.id, "value": score.value, "band": score.band, "at": _moment(score.recorded_at)}
            for kind, score in scores.items()
        },
    }


def _resolved_rosh(registrations: Sequence[Registration], rosh_version: RoshVersion | None) -> RiskLevel | None:
    """The most recent of this service's RoSH version and an active RoSH registration."""
    rosh_registrations = [r for r in registrations if r.type_code in ROSH_REGISTRATIONS]
    rosh: RiskLevel | None = None
    rosh_at: datetime | None = None
    if rosh_version is not None:
        rosh, rosh_at = RiskLevel(rosh_version.overall), clock.as_utc(rosh_version.created_at)
    if rosh_registrations:
        latest_registration = rosh_registrations[-1]
        if rosh_at is None or clock.as_utc(latest_registration.registered_at) > rosh_at:
            rosh = ROSH_REGISTRATIONS[latest_registration.type_code]
    return rosh


def _offence_group(ogrs: Score | None) -> str | None:
    code = (ogrs.inputs or {}).get("offenceCode") if ogrs is not None else None
    if not code:
        return None
    try:
        return ogrs3.lookup_offence(str(code)).group
    except DomainError:
        return None


def _inputs_ag(
    person: PersonRecord,
    registrations: Sequence[Registration],
    rosh: RiskLevel | None,
    assessment: Assessment | None,
    rsr: Score | None,
    ogrs: Score | None,
    osp_c: Score | None,
    osp_i: Score | None,
    has_active_sentence: bool,
) -> tuple[tier_ag.TierAGInputs, dict]:
    codes = {r.type_code for r in registrations}
    mappa = [r for r in registrations if r.type_code == "MAPP"]
    mappa_category = mappa[-1].category if mappa and mappa[-1].category in tier_ag.MAPPA_CATEGORIES else None
    csrp_type = tier_ag.ScoreType.DYNAMIC if assessment is not None else tier_ag.ScoreType.STATIC
    dc_srp = None if osp_c is None else tier_ag.BandedPredictor(Decimal(osp_c.value) / 100, osp_c.band)
    sources = {
        "hasActiveEvent": "an active sentence, or a mandate for change, from case-allocation's sentence events",
        "arp": "OGRS3 two-year % (static: OGRS3 has only static factors)" if ogrs else "no OGRS3 recorded",
        "csrp": (
            "RSR, dynamic with a complete assessment in the last 55 weeks, else static" if rsr else "no RSR recorded"
        ),
        "dcSrp": "OSP/C score and band" if osp_c else "no OSP/C recorded",
        "rosh": "the latest of this service's RoSH and an active RoSH registration",
        "mappaCategory": "category of the latest active MAPP registration",
        "latestReleaseDate": "not held by this service: the lifer/IPP step gives no tier",
        "sexualOffenceHistory": (
            "an OSP/C or OSP/I score above 0, or the latest OGRS3 offence in a sexual offence group"
        ),
    }
    if dc_srp is not None:
        try:
            tier_ag.check_dc_srp(dc_srp.score, dc_srp.band)
        except DomainError:  # recorded before recording checked it: left out, and said so
            sources["dcSrp"] = (
                f"OSP/C {dc_srp.score} {dc_srp.band} left out: the A–G model cannot place a MEDIUM score below 0.60"
            )
            dc_srp = None
    group = _offence_group(ogrs)
    sexual_history = any(s is not None and s.value > 0 for s in (osp_c, osp_i)) or group in SEXUAL_OFFENCE_GROUPS
    inputs = tier_ag.TierAGInputs(
        has_active_event=has_active_sentence or person.mandate_for_change,
        arp=None if ogrs is None else tier_ag.Predictor(Decimal(ogrs.value), tier_ag.ScoreType.STATIC),
        csrp=None if rsr is None else tier_ag.Predictor(Decimal(rsr.value) / 100, csrp_type),
        dc_srp=dc_srp,
        rosh=rosh,
        mappa_category=mappa_category,
        lifer_ipp=LIFER_CODE in codes,
        latest_release_date=None,
        domestic_abuse=bool(codes & DOMESTIC_ABUSE_CODES),
        stalking=STALKING_CODE in codes,
        child_protection=CHILD_PROTECTION_CODE in codes,
        sexual_offence_history=sexual_history,
    )
    return inputs, sources


def _inputs(
    person: PersonRecord,
    registrations: Sequence[Registration],
    rosh: RiskLevel | None,
    assessment: Assessment | None,
    rsr: Score | None,
    ogrs: Score | None,
) -> tiering.TierInputs:
    codes = {r.type_code for r in registrations}
    mappa_levels = [r.level for r in registrations if r.type_code == "MAPP" and r.level in MAPPA_RANK]
    mappa = max(mappa_levels, key=MAPPA_RANK.__getitem__) if mappa_levels else None

    severities: dict[str, needs.Severity] | None = None
    womens = needs.WomensFactors(False, False)
    if assessment is not None:
        answers = {code: part.get("answers", {}) for code, part in assessment.sections.items()}
        # Every scored section has thresholds, so each has a severity.
        severities = {
            s.code: severity
            for s in needs.SCORED_SECTIONS
            if (severity := needs.score_section(s, answers.get(s.code, {})).severity) is not None
        }
        womens = needs.womens_factors(answers)

    female = person.sex == "FEMALE"
    return tiering.TierInputs(
        rsr=None if rsr is None else Decimal(rsr.value) / 100,
        rosh=rosh,
        mappa_level=mappa,
        complexity_factors=frozenset(codes & tiering.COMPLEXITY_FACTORS),
        female=female,
        parenting_concern=female and womens.parenting_concern,
        impulsivity_or_temper_concern=female and womens.impulsivity_or_temper_concern,
        previous_enforcement=female and person.previous_enforcement,
        mandate_for_change=person.mandate_for_change,
        needs=severities,
        ogrs=None if ogrs is None else ogrs.value,
        iom="IIOM" in codes,
        unsupervised="PRC" in codes,
    )


async def recalculate(session: AsyncSession, person: PersonRecord, trigger: str) -> TierCalculation:
    """Calculate both models, store them with inputs and breakdown, and queue `tier.calculation.complete`
    (version 1: A–D × 0–3, with `.changed` when it changed; version 2: A–G)."""
    return TierCalculation(**(await recalculate_many(session, [(person, trigger)]))[0])


async def recalculate_many(session: AsyncSession, requests: Sequence[tuple[PersonRecord, str]]) -> list[dict]:
    """`recalculate` for several different people at once: inputs loaded in bulk, calculations
    stored with one insert, events queued in the order of `requests`. Returns the stored rows."""
    people = [person for person, _ in requests]
    if len({p.crn for p in people}) != len(people):
        raise ValueError("recalculate_many takes each person at most once")
    now = clock.now()
    inputs_by_crn = await gather_inputs_of(session, people, now)
    rows = []
    for person, trigger in requests:
        inputs, inputs_ag, sources_ag = inputs_by_crn[person.crn]
        result = tiering.calculate(inputs)
        result_ag = tier_ag.calculate(inputs_ag, now.date())
        previous = person.current_tier
        previous_ag = person.current_tier_ag
        rows.append(
            dict(
                id=str(uuid.uuid4()),
                crn=person.crn,
                tier=result.tier,
                previous_tier=previous,
                changed=result.tier != previous,
                protect_level=result.protect_level,
                protect_points=result.protect_points,
                change_level=result.change_level,
                change_points=result.change_points,
                inputs={**inputs.to_json(), "records": sources_ag["records"]},
                breakdown=result.breakdown,
                trigger=trigger,
                calculated_at=now,
                tier_ag=result_ag.tier,
                tier_ag_provisional=result_ag.provisional,
                previous_tier_ag=previous_ag,
                tier_ag_changed=result_ag.tier != previous_ag,
                tier_ag_inputs={
                    **inputs_ag.to_json(),
                    "sources": {k: v for k, v in sources_ag.items() if k != "records"},
                },
                tier_ag_breakdown=result_ag.breakdown,
            )
        )
        person.current_tier = result.tier
        person.current_tier_ag = result_ag.tier
    await queries.add_tier_calculations(session, rows)
    for row in rows:
        await publish.tier_calculated(session, row)
    return rows

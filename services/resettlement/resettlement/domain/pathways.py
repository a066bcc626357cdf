"""The resettlement plan: seven pathways, their statuses and the allowed moves, as data."""

from __future__ import annotations

import enum

from probation_shared.domain_error import DomainError


class Pathway(str, enum.Enum):
    ACCOMMODATION = "ACCOMMODATION"
    ATTITUDES_THINKING_AND_BEHAVIOUR = "ATTITUDES_THINKING_AND_BEHAVIOUR"
    CHILDREN_FAMILIES_AND_COMMUNITY = "CHILDREN_FAMILIES_AND_COMMUNITY"
    DRUGS_AND_ALCOHOL = "DRUGS_AND_ALCOHOL"
    EDUCATION_SKILLS_AND_WORK = "EDUCATION_SKILLS_AND_WORK"
    FINANCE_AND_ID = "FINANCE_AND_ID"
    HEALTH = "HEALTH"


class PathwayStatus(str, enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUPPORT_REQUIRED = "SUPPORT_REQUIRED"
    SUPPORT_NOT_REQUIRED = "SUPPORT_NOT_REQUIRED"
    SUPPORT_DECLINED = "SUPPORT_DECLINED"
    DONE = "DONE"


class PlanStage(str, enum.Enum):
    PRE_RELEASE = "PRE_RELEASE"
    POST_RELEASE = "POST_RELEASE"


class ReportType(str, enum.Enum):
    IMMEDIATE_NEEDS = "IMMEDIATE_NEEDS"
    PRE_RELEASE = "PRE_RELEASE"


class Worker(str, enum.Enum):
    """Who works on a pathway."""

    PRISON_OFFENDER_MANAGER = "PRISON_OFFENDER_MANAGER"
    COMMUNITY_OFFENDER_MANAGER = "COMMUNITY_OFFENDER_MANAGER"
    RESETTLEMENT_WORKER = "RESETTLEMENT_WORKER"  # the prison's resettlement team
    HEALTHCARE = "HEALTHCARE"
    COMMISSIONED_PROVIDER = "COMMISSIONED_PROVIDER"


S = PathwayStatus
# Every allowed move; anything else is refused. DONE can be reopened when a need comes back.
TRANSITIONS: dict[PathwayStatus, frozenset[PathwayStatus]] = {
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.SUPPORT_REQUIRED, S.SUPPORT_NOT_REQUIRED, S.SUPPORT_DECLINED}),
    S.IN_PROGRESS: frozenset({S.SUPPORT_REQUIRED, S.SUPPORT_NOT_REQUIRED, S.SUPPORT_DECLINED, S.DONE}),
    S.SUPPORT_REQUIRED: frozenset({S.IN_PROGRESS, S.SUPPORT_DECLINED, S.DONE}),
    S.SUPPORT_NOT_REQUIRED: frozenset({S.IN_PROGRESS, S.SUPPORT_REQUIRED}),
    S.SUPPORT_DECLINED: frozenset({S.IN_PROGRESS, S.SUPPORT_REQUIRED}),
    S.DONE: frozenset({S.IN_PROGRESS}),
}

# Statuses whose needs still call for a service in the pack.
OPEN = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.SUPPORT_REQUIRED})

TITLES: dict[Pathway, str] = {
    Pathway.ACCOMMODATION: "A place to live",
    Pathway.ATTITUDES_THINKING_AND_BEHAVIOUR: "Attitudes, thinking and behaviour",
    Pathway.CHILDREN_FAMILIES_AND_COMMUNITY: "Children, families and communities",
    Pathway.DRUGS_AND_ALCOHOL: "Drugs and alcohol",
    Pathway.EDUCATION_SKILLS_AND_WORK: "Education, skills and work",
    Pathway.FINANCE_AND_ID: "Money and ID",
    Pathway.HEALTH: "Health",
}

# Who works on each pathway by default.
WORKERS: dict[Pathway, Worker] = {
    Pathway.ACCOMMODATION: Worker.RESETTLEMENT_WORKER,
    Pathway.ATTITUDES_THINKING_AND_BEHAVIOUR: Worker.PRISON_OFFENDER_MANAGER,
    Pathway.CHILDREN_FAMILIES_AND_COMMUNITY: Worker.COMMUNITY_OFFENDER_MANAGER,
    Pathway.DRUGS_AND_ALCOHOL: Worker.HEALTHCARE,
    Pathway.EDUCATION_SKILLS_AND_WORK: Worker.RESETTLEMENT_WORKER,
    Pathway.FINANCE_AND_ID: Worker.RESETTLEMENT_WORKER,
    Pathway.HEALTH: Worker.HEALTHCARE,
}

WORKER_WORDS: dict[Worker, str] = {
    Worker.PRISON_OFFENDER_MANAGER: "Your prison offender manager",
    Worker.COMMUNITY_OFFENDER_MANAGER: "Your probation officer",
    Worker.RESETTLEMENT_WORKER: "The prison's resettlement team",
    Worker.HEALTHCARE: "Prison healthcare",
    Worker.COMMISSIONED_PROVIDER: "A support service working with probation",
}

# The support-need catalogue: code → plain words, per pathway (seeded as data, not free text).
SUPPORT_NEEDS: dict[Pathway, dict[str, str]] = {
    Pathway.ACCOMMODATION: {
        "ACC_NO_FIXED_ABODE": "Help to find somewhere to live",
        "ACC_KEEP_TENANCY": "Help to keep your home while you are in prison",
        "ACC_APPROVED_PREMISES": "A place in approved premises",
    },
    Pathway.ATTITUDES_THINKING_AND_BEHAVIOUR: {
        "ATB_PROGRAMME": "A course on thinking and behaviour",
        "ATB_ANGER": "Help with managing anger",
    },
    Pathway.CHILDREN_FAMILIES_AND_COMMUNITY: {
        "CFC_CONTACT_CHILDREN": "Help to keep in touch with your children",
        "CFC_FAMILY_SUPPORT": "Support for you and your family",
        "CFC_VOLUNTEERING": "Ways to take part in your community",
    },
    Pathway.DRUGS_AND_ALCOHOL: {
        "DA_TREATMENT": "Drug or alcohol treatment after release",
        "DA_SCRIPT": "Keeping your prescription going after release",
    },
    Pathway.EDUCATION_SKILLS_AND_WORK: {
        "ESW_JOB_SEARCH": "Help to find work",
        "ESW_TRAINING": "Training or a course",
        "ESW_CV": "Help to write a CV",
    },
    Pathway.FINANCE_AND_ID: {
        "FID_BANK_ACCOUNT": "Help to open a bank account",
        "FID_ID_DOCUMENTS": "Help to get ID (birth certificate, driving licence)",
        "FID_BENEFITS": "Help to claim benefits",
        "FID_DEBT": "Help with debt",
    },
    Pathway.HEALTH: {
        "HEA_GP": "Registering with a GP",
        "HEA_MENTAL_HEALTH": "Mental health support",
        "HEA_MEDICATION": "Keeping your medication going",
    },
}


# Open needs that mean care must not stop at the gate, and what the pack tells the person about each.
HEALTH_CONTINUITY: dict[str, str] = {
    "HEA_MEDICATION": "Prison healthcare will give you the medicine you need for your first days out. "
    "Take this pack to a GP or pharmacy to keep it going.",
    "DA_SCRIPT": "Your prescription will carry on after release. Go to the treatment service on the day you "
    "leave, or the next working day.",
    "HEA_GP": "Register with a GP near where you will live. Any GP surgery can register you. "
    "You do not need an address or ID to register.",
    "HEA_MENTAL_HEALTH": "Tell your GP and your probation officer about your mental health support, "
    "so it can carry on.",
}


def pathway(value: str, field: str = "pathway") -> Pathway:
    try:
        return Pathway(value)
    except ValueError:
        raise DomainError.on(
            field, "unknown-pathway", f"{value!r} is not a pathway; one of {', '.join(p.value for p in Pathway)}"
        ) from None


def status(value: str, field: str = "status") -> PathwayStatus:
    try:
        return PathwayStatus(value)
    except ValueError:
        raise DomainError.on(
            field, "unknown-status", f"{value!r} is not a pathway status; one of {', '.join(s.value for s in S)}"
        ) from None


def allowed(current: PathwayStatus, new: PathwayStatus) -> bool:
    return new in TRANSITIONS[current]


def check_transition(current: PathwayStatus, new: PathwayStatus, field: str = "status") -> None:
    if not allowed(current, new):
        raise DomainError.on(
            field,
            "invalid-transition",
            f"A pathway cannot move from {current.value} to {new.value}; from {current.value} it may move to "
            f"{', '.join(sorted(s.value for s in TRANSITIONS[current])) or 'nothing'}",
            status=409,
        )


def check_needs(path: Pathway, codes: list[str], field: str) -> None:
    known = SUPPORT_NEEDS[path]
    for i, code in enumerate(codes):
        if code not in known:
            raise DomainError.on(
                f"{field}[{i}]", "unknown-support-need", f"{code!r} is not a support need of {path.value}"
            )

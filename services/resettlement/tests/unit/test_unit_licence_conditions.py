"""Licence conditions in plain English: every standard one is there, every explanation reads plainly."""

from __future__ import annotations

import re

from resettlement.domain.licence_conditions import CONDITIONS, Kind, plain_english, standard_codes


def test_the_standard_conditions_of_every_licence_are_all_there_in_order() -> None:
    assert standard_codes() == (
        "STD_GOOD_BEHAVIOUR",
        "STD_NO_OFFENCE",
        "STD_KEEP_IN_TOUCH",
        "STD_RECEIVE_VISITS",
        "STD_APPROVED_ADDRESS",
        "STD_APPROVED_WORK",
        "STD_NO_TRAVEL_ABROAD",
        "STD_TELL_NAME",
        "STD_TELL_CONTACT_DETAILS",
    )


def test_the_common_additional_conditions_are_explained() -> None:
    common = ("EXCLUSION_ZONE", "NON_CONTACT", "CURFEW", "ELECTRONIC_MONITORING", "APPROVED_PREMISES", "DRUG_TESTING")
    for code in common:
        assert CONDITIONS[code].kind is Kind.ADDITIONAL
        assert plain_english(code)


def test_an_unknown_code_has_no_explanation() -> None:
    assert plain_english("NOT_A_CONDITION") is None


def test_explanations_use_short_sentences_and_no_legal_words() -> None:
    legal = re.compile(r"\b(shall|pursuant|thereof|herein|supervising officer|reside|undertake)\b", re.IGNORECASE)
    for condition in CONDITIONS.values():
        assert condition.code == condition.code.upper()
        assert not legal.search(condition.plain_english), condition.code
        for sentence in re.split(r"(?<=\.)\s+", condition.plain_english):
            assert sentence.endswith("."), (condition.code, sentence)
            assert len(sentence.split()) <= 20, (condition.code, sentence)

"""Custody changes from case-allocation (issue 13): the OMiC handover reaches the providers of the person's
active referrals, redacted by policy, and the referral shows who is responsible; a sentence change moves a
referral's expected release date."""

from refer_monitor.events.handlers import CASE_EVENTS


async def _notifications(api, crn, notification_type):
    found = await api.outbox("refer-monitor.partner-notifications", "intervention.partner-notification.created")
    return [
        n
        for n in found
        if n["event"].crn == crn and n["event"].additionalInformation["notificationType"] == notification_type
    ]


async def test_the_handover_to_the_com_reaches_the_providers_and_the_referral_shows_it(api, h, upstream):
    crn = "X500001"
    acc = await api.sent(crn)
    ete = await api.sent(crn, h.ETE_INTERVENTION)
    upstream.handovers[crn] = {
        "crn": crn,
        "responsible": "COM",
        "handover_date": "2026-11-30",
        "release_date": "2027-05-30",
    }
    event = h.case_event(
        "offender-management.handover.changed",
        crn,
        f"/people/{crn}/handover",
        responsible="COM",
        handoverDate="2026-11-30",
    )
    await h.handle(api.service, CASE_EVENTS, event)
    notes = await _notifications(api, crn, "offender-management.handover.changed")
    assert sorted(n["key"] for n in notes) == ["bridge-wellbeing", "harbour-housing", "northern-works"]
    for note in notes:
        change = note["event"].additionalInformation["payload"]["change"]
        assert change["sections"] == ["responsibility"]
        assert change["values"]["responsibility"] == {"responsible": "COM", "handover_date": "2026-11-30"}
        assert "risk_to_self" not in str(change)  # notifications never carry HEALTH
    for rid, hdr in (
        (acc["id"], api.provider("harbour-housing", h.ACC)),
        (ete["id"], api.provider("northern-works", h.ETE)),
    ):
        view = (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]
        assert view["responsibility"] == {"responsible": "COM", "handover_date": "2026-11-30"}
    # The same event again (at-least-once delivery) changes nothing and notifies no one.
    await h.handle(api.service, CASE_EVENTS, event)
    assert len(await _notifications(api, crn, "offender-management.handover.changed")) == 3


async def test_a_handover_without_detail_uses_the_event_and_ignores_an_unknown_value(api, h, upstream):
    crn = "X500002"
    referral = await api.sent(crn)
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("offender-management.handover.changed", crn, f"/people/{crn}/handover", responsible="POM"),
    )
    view = (await api.client.get(f"/referrals/{referral['id']}", headers=api.practitioner())).json()["provider_view"]
    assert view["responsibility"] == {"responsible": "POM", "handover_date": None}
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("offender-management.handover.changed", crn, f"/people/{crn}/handover", responsible="NOBODY"),
    )
    view = (await api.client.get(f"/referrals/{referral['id']}", headers=api.practitioner())).json()["provider_view"]
    assert view["responsibility"]["responsible"] == "POM"


async def test_a_sentence_amendment_moves_the_expected_release_date(api, h, upstream):
    crn = "X500003"
    upstream.add_person(crn)
    draft = await api.draft(crn, custody=True, expected_release_date="2027-10-31")
    sent = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert sent.status_code == 200, sent.text
    rid = draft["id"]
    upstream.sentences[(crn, "7")] = {"id": 7, "crn": crn, "custodial": True, "custody": {"release_date": "2027-06-15"}}
    amended = h.case_event(
        "probation-case.sentence.amended",
        crn,
        f"/people/{crn}/sentences/7",
        sentenceId=7,
        sentenceType="CUSTODY",
        custodial=True,
    )
    await h.handle(api.service, CASE_EVENTS, amended)
    referral = (await api.client.get(f"/referrals/{rid}", headers=api.practitioner())).json()
    assert referral["expected_release_date"] == "2027-06-15"
    changelog = (await api.client.get(f"/referrals/{rid}/amendments", headers=api.practitioner())).json()
    assert [(a["field"], a["old_value"], a["new_value"], a["author"]) for a in changelog] == [
        ("expected_release_date", "2027-10-31", "2027-06-15", "case-allocation")
    ]
    events = await api.outbox("refer-monitor.events", "intervention.referral.amended")
    assert [e["event"].additionalInformation["fields"] for e in events] == [["expected_release_date"]]
    # Again, or a non-custodial sentence: nothing more changes.
    await h.handle(api.service, CASE_EVENTS, amended)
    community = h.case_event(
        "probation-case.sentence.amended",
        crn,
        f"/people/{crn}/sentences/8",
        sentenceId=8,
        sentenceType="COMMUNITY_ORDER",
        custodial=False,
    )
    await h.handle(api.service, CASE_EVENTS, community)
    assert len(await api.outbox("refer-monitor.events", "intervention.referral.amended")) == 1

"""Live updates: events from case-allocation and risk-assessment reach every active referral's provider
view, with one partner notification per provider. One test goes through the real broker; the rest call
the handlers directly in a unit of work, as the consumer does."""

import json

from aiokafka import AIOKafkaConsumer

from probation_shared.events.kafka import make_producer
from probation_shared.events.topics import CASE_ALLOCATION, PARTNER_NOTIFICATIONS, RISK_ASSESSMENT
from probation_shared.testing.plugin import eventually
from refer_monitor.events.handlers import CASE_EVENTS, RISK_EVENTS


async def _produce(settings, topic, *events):
    producer = make_producer(settings)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                settings.topic(topic),
                event.model_dump_json().encode(),
                key=event.crn.encode(),
                headers=[("eventType", event.eventType.encode())],
            )
    finally:
        await producer.stop()


async def test_address_and_rosh_changes_reach_both_providers_over_the_broker(start_service, upstream, tokens, h):
    service = await h.start_refer_monitor(start_service, upstream)
    api = h.Api(service, tokens, upstream)
    crn = "X400001"
    acc = await api.sent(crn)
    ete = await api.sent(crn, h.ETE_INTERVENTION)
    readers = {acc["id"]: api.provider("harbour-housing", h.ACC), ete["id"]: api.provider("northern-works", h.ETE)}

    notifications = AIOKafkaConsumer(
        service.settings.topic(PARTNER_NOTIFICATIONS),
        bootstrap_servers=service.settings.kafka_bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        metadata_max_age_ms=1000,
    )
    await notifications.start()
    try:
        # The person moves: case-allocation commits the address change and publishes its event (twice: at-least-once).
        upstream.addresses[(crn, "2")] = {
            "id": "2",
            "status": "MAIN",
            "address_number": "3",
            "street_name": "New Road",
            "town": "Leeds",
            "postcode": "LS1 4AP",
        }
        moved = h.case_event("probation-case.address.created", crn, f"/people/{crn}/addresses/2", addressId="2")
        await _produce(service.settings, CASE_ALLOCATION, moved, moved)

        async def both_views_show(path, value):
            for rid, hdr in readers.items():
                view = (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]
                if view[path[0]][path[1]] != value:
                    return False
            return True

        await eventually(lambda: _postcode_is(api, readers, "LS1 4AP"), timeout=30)

        # RoSH rises to HIGH; the provider view of the risk summary never names a victim.
        upstream.risk[crn] = {
            "overall": "HIGH",
            "updatedAt": "2026-11-20T10:00:00+00:00",
            "victims": [{"name": "Jo Bloggs"}],
            "risk_to": {"known_adult": "Jo Bloggs, 4 Mill Lane", "victim_name": "Jo Bloggs"},
        }
        await _produce(
            service.settings,
            RISK_ASSESSMENT,
            h.risk_event(
                "risk-assessment.rosh.changed",
                crn,
                f"/people/{crn}/risk-summary",
                overallLevel="HIGH",
                previousLevel="MEDIUM",
                version=2,
            ),
        )
        await eventually(lambda: both_views_show(("risk", "overall_level"), "HIGH"), timeout=30)

        # Each provider got exactly one notification per change (the duplicate delivery changed nothing).
        wanted = {
            ("harbour-housing", "probation-case.address.created"),
            ("bridge-wellbeing", "probation-case.address.created"),
            ("northern-works", "probation-case.address.created"),
            ("harbour-housing", "risk-assessment.rosh.changed"),
            ("bridge-wellbeing", "risk-assessment.rosh.changed"),
            ("northern-works", "risk-assessment.rosh.changed"),
        }
        received: list[tuple[str, str, str]] = []

        async def all_published():
            batch = await notifications.getmany(timeout_ms=200)
            for messages in batch.values():
                for m in messages:
                    info = json.loads(m.value)["additionalInformation"]
                    received.append((m.key.decode(), info["notificationType"], m.value.decode()))
            return wanted <= {(k, t) for k, t, _ in received}

        await eventually(all_published, timeout=30)
        live = [(k, t) for k, t, _ in received if t in {t for _, t in wanted}]
        assert sorted(live) == sorted(wanted)
        assert all(
            "Jo Bloggs" not in body and "victim" not in body.lower()
            for _, t, body in received
            if t == "risk-assessment.rosh.changed"
        )
        rows = await api.outbox("partner-notifications")
        assert sorted(
            (r["key"], r["event"].additionalInformation["notificationType"])
            for r in rows
            if r["event"].additionalInformation["notificationType"] in {t for _, t in wanted}
        ) == sorted(wanted)
    finally:
        await notifications.stop()
    history = (await api.client.get(f"/referrals/{acc['id']}/provider-view-history", headers=readers[acc["id"]])).json()
    assert [(v["version"], v["reason"]) for v in history] == [
        (1, "intervention.referral.sent"),
        (2, "probation-case.address.created"),
        (3, "risk-assessment.rosh.changed"),
    ]
    assert history[1]["changed"] == ["contact"] and history[0]["view"]["contact"]["address"]["postcode"] == "DH1 1AA"


async def _postcode_is(api, readers, postcode):
    for rid, hdr in readers.items():
        view = (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]
        if view["contact"]["address"]["postcode"] != postcode:
            return False
    return True


async def _notified(api, reason):
    return sorted(
        r["key"]
        for r in await api.outbox("partner-notifications")
        if r["event"].additionalInformation["notificationType"] == reason
    )


async def test_other_live_events_update_the_view_and_notify(api, h):
    crn = "X400002"
    referral = await api.sent(crn)
    rid = referral["id"]
    hdr = api.provider("harbour-housing", h.ACC)

    api.upstream.managers[crn] = {"staff_code": "N07B002", "name": "Alex Smith", "email": "alex@probation.example"}
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event(
            "person.community.manager.transferred",
            crn,
            f"/people/{crn}/manager",
            staffCode="N07B002",
            teamCode="T1",
            pduCode="P1",
        ),
    )
    await h.handle(
        api.service,
        RISK_EVENTS,
        h.risk_event(
            "tier.calculation.changed", crn, f"/people/{crn}/tier", calculationId="c1", tier="B2", previousTier="C2"
        ),
    )
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event(
            "probation-case.registration.added",
            crn,
            f"/people/{crn}/registrations/9",
            registrationId="9",
            registerTypeCode="MAPP",
            registerLevel="M2",
            registerCategory="M1",
        ),
    )
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("enforcement.breach.raised", crn, f"/people/{crn}/breaches/5", breachId="5"),
    )
    api.upstream.people[crn]["last_name"] = "Taylor-Brown"
    await h.handle(
        api.service, CASE_EVENTS, h.case_event("probation-case.personal-details.updated", crn, f"/people/{crn}")
    )
    view = (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]
    assert view["practitioner"]["name"] == "Alex Smith"
    assert view["risk"]["tier"] == "B2"
    assert view["risk"]["registrations"] == [{"registration_id": "9", "type": "MAPP", "level": "M2", "category": "M1"}]
    assert view["enforcement"][0]["breach_id"] == "5"
    assert view["person"]["last_name"] == "Taylor-Brown"
    for reason in (
        "person.community.manager.transferred",
        "tier.calculation.changed",
        "probation-case.registration.added",
        "enforcement.breach.raised",
        "probation-case.personal-details.updated",
    ):
        assert await _notified(api, reason) == ["bridge-wellbeing", "harbour-housing"], reason

    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event(
            "probation-case.registration.deregistered",
            crn,
            f"/people/{crn}/registrations/9",
            registrationId="9",
            registerTypeCode="MAPP",
        ),
    )
    assert (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]["risk"][
        "registrations"
    ] == []
    # The same detail again changes nothing: no history entry, no notification.
    before = len((await api.client.get(f"/referrals/{rid}/provider-view-history", headers=hdr)).json())
    await h.handle(
        api.service, CASE_EVENTS, h.case_event("probation-case.personal-details.updated", crn, f"/people/{crn}")
    )
    assert len((await api.client.get(f"/referrals/{rid}/provider-view-history", headers=hdr)).json()) == before
    assert await _notified(api, "probation-case.personal-details.updated") == ["bridge-wellbeing", "harbour-housing"]
    # The current address deleted: the view shows no address.
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("probation-case.address.deleted", crn, f"/people/{crn}/addresses/1", addressId="1"),
    )
    assert (await api.client.get(f"/referrals/{rid}", headers=hdr)).json()["provider_view"]["contact"][
        "address"
    ] is None


async def test_concluded_referrals_and_unknown_people_are_not_notified(api, h):
    crn = "X400003"
    referral = await api.sent(crn)
    await api.client.post(f"/referrals/{referral['id']}/withdraw", json={"code": "INE"}, headers=api.practitioner())
    await h.handle(
        api.service, RISK_EVENTS, h.risk_event("tier.calculation.changed", crn, f"/people/{crn}/tier", tier="A1")
    )
    assert await _notified(api, "tier.calculation.changed") == []
    # Someone with no referral yet: the projection is kept so a later referral is complete without calling out.
    api.upstream.add_person("X400004")
    await h.handle(
        api.service, CASE_EVENTS, h.case_event("probation-case.engagement.created", "X400004", "/people/X400004")
    )
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event("person.community.manager.allocated", "X400004", "/people/X400004/manager"),
    )
    await h.handle(
        api.service,
        CASE_EVENTS,
        h.case_event(
            "probation-case.sentence.created",
            "X400004",
            "/people/X400004/sentences/1",
            sentenceId="1",
            sentenceType="CUSTODY",
            custodial=True,
            mandateForChange=True,
        ),
    )
    await h.handle(
        api.service,
        RISK_EVENTS,
        h.risk_event("risk-assessment.rosh.changed", "X400004", "/people/X400004/risk-summary", overallLevel="MEDIUM"),
    )
    del (
        api.upstream.people["X400004"],
        api.upstream.managers["X400004"],
        api.upstream.risk["X400004"],
    )  # owners now unreachable
    draft = await api.draft("X400004")
    refused = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == [
        "expected_release_date"
    ]  # custody learned
    await api.client.patch(
        f"/referrals/{draft['id']}", json={"expected_release_date": "2027-01-01"}, headers=api.practitioner()
    )
    sent = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert sent.status_code == 200, sent.text
    assert sent.json()["provider_view"]["practitioner"]["name"] == "Pat Jones"

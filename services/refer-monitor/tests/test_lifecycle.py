"""The referral lifecycle through the API, with the anchor rules of the issue."""

from datetime import UTC, datetime, timedelta

from refer_monitor.domain.rules import REFERENCE_PATTERN

PAST = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


async def _assigned(api, h, crn="X100001"):
    referral = await api.sent(crn)
    hdr = api.provider("harbour-housing", h.ACC)
    assert (await api.client.post(f"/referrals/{referral['id']}/assign", headers=hdr)).status_code == 200
    return referral, hdr


async def _attended_assessment(api, rid, hdr):
    ia = (
        await api.client.post(
            f"/referrals/{rid}/appointments", json={"kind": "INITIAL_ASSESSMENT", "scheduled_at": PAST}, headers=hdr
        )
    ).json()
    assert (
        await api.client.post(
            f"/referrals/{rid}/appointments/{ia['id']}/attendance", json={"attendance": "YES"}, headers=hdr
        )
    ).status_code == 200
    assert (
        await api.client.post(
            f"/referrals/{rid}/appointments/{ia['id']}/feedback", json={"summary": "Engaged"}, headers=hdr
        )
    ).status_code == 200
    return ia


async def _approved_plan(api, rid, hdr, sessions=3):
    plan = await api.client.post(
        f"/referrals/{rid}/action-plans",
        json={"number_of_sessions": sessions, "activities": ["Find housing"]},
        headers=hdr,
    )
    assert plan.status_code == 201, plan.text
    approved = await api.client.post(
        f"/referrals/{rid}/action-plans/{plan.json()['id']}/approve", headers=api.practitioner()
    )
    assert approved.status_code == 200, approved.text
    return plan.json()


async def test_send_snapshots_what_the_provider_needs_and_publishes(api, h):
    referral = await api.sent("X100002")
    assert REFERENCE_PATTERN.match(referral["reference"])
    assert referral["status"] == "SENT"
    view = referral["provider_view"]
    assert view["person"]["first_name"] == "Sam" and view["person"]["date_of_birth"] == "1990-04-01"
    assert view["contact"]["address"]["postcode"] == "DH1 1AA" and view["contact"]["phone"] == "07700 900123"
    assert view["practitioner"]["name"] == "Pat Jones" and view["practitioner"]["email"]
    assert view["risk"]["overall_level"] == "MEDIUM"
    sent = await api.outbox("refer-monitor.events", "intervention.referral.sent")
    assert len(sent) == 1
    info = sent[0]["event"].additionalInformation
    assert info == {
        "referralId": referral["id"],
        "referralReference": referral["reference"],
        "providerId": "harbour-housing",
        "contractReference": h.ACC,
    }
    notes = await api.outbox("refer-monitor.partner-notifications", "intervention.partner-notification.created")
    assert sorted(n["key"] for n in notes) == ["bridge-wellbeing", "harbour-housing"]  # prime and subcontractor
    # What the other services were asked for went with a service token, and the risk summary as the provider view.
    assert any(path == "/people/X100002/risk-summary" for path, _ in api.upstream.calls)


async def test_custody_referral_without_release_date_or_reason_is_refused_naming_the_field(api, h):
    api.upstream.add_person("X100003")
    draft = await api.draft("X100003", custody=True)
    response = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["expected_release_date"]
    fixed = await api.client.patch(
        f"/referrals/{draft['id']}",
        json={"expected_release_missing_reason": "Awaiting parole board"},
        headers=api.practitioner(),
    )
    assert fixed.status_code == 200, fixed.text
    assert (await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())).status_code == 200


async def test_send_refused_listing_what_is_missing(api, h):
    api.upstream.add_person("X100004")
    del api.upstream.managers["X100004"]
    api.upstream.risk["X100004"]["updatedAt"] = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    draft = await api.draft("X100004")
    response = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"practitioner", "risk_summary"}


async def test_volume_cap_needs_an_override_reason(api, h):
    created = await api.client.post(
        "/contracts",
        headers=api.tokens.headers("COMMISSIONER"),
        json={
            "reference": "ACC-TINY-1",
            "contract_type": "ACC",
            "prime_provider_id": "harbour-housing",
            "region": "North East",
            "referral_start_date": "2024-01-01",
            "referral_end_date": "2030-12-31",
            "fixed_price_pence": 100,
            "volume_cap": 1,
        },
    )
    assert created.status_code == 201, created.text
    intervention = (
        await api.client.post(
            "/interventions",
            headers=api.tokens.headers("COMMISSIONER"),
            json={"contract_reference": "ACC-TINY-1", "title": "Tiny"},
        )
    ).json()
    await api.sent("X100005", intervention["id"])
    api.upstream.add_person("X100006")
    draft = await api.draft("X100006", intervention["id"])
    refused = await api.client.post(f"/referrals/{draft['id']}/send", headers=api.practitioner())
    assert refused.status_code == 409 and refused.json()["code"] == "volume-cap-reached"
    sent = await api.client.post(
        f"/referrals/{draft['id']}/send",
        json={"over_cap_reason": "Urgent: street homeless"},
        headers=api.practitioner(),
    )
    assert sent.status_code == 200 and sent.json()["over_cap_reason"] == "Urgent: street homeless"


async def test_delivery_anchor_rules_and_premature_end_on_mov(api, h):
    referral, hdr = await _assigned(api, h)
    rid = referral["id"]
    # An action plan needs an attended initial assessment with feedback.
    early = await api.client.post(
        f"/referrals/{rid}/action-plans", json={"number_of_sessions": 3, "activities": ["x"]}, headers=hdr
    )
    assert early.status_code == 409 and early.json()["code"] == "initial-assessment-incomplete"
    future = (
        await api.client.post(
            f"/referrals/{rid}/appointments", json={"kind": "INITIAL_ASSESSMENT", "scheduled_at": FUTURE}, headers=hdr
        )
    ).json()
    # No attendance for a future appointment; feedback needs attendance.
    r = await api.client.post(
        f"/referrals/{rid}/appointments/{future['id']}/attendance", json={"attendance": "YES"}, headers=hdr
    )
    assert r.status_code == 400 and r.json()["code"] == "appointment-in-future"
    r = await api.client.post(
        f"/referrals/{rid}/appointments/{future['id']}/feedback", json={"summary": "x"}, headers=hdr
    )
    assert r.status_code == 422 and r.json()["code"] == "attendance-required"
    # Rescheduling into the past, then attendance and feedback once.
    moved = await api.client.post(
        f"/referrals/{rid}/appointments", json={"kind": "INITIAL_ASSESSMENT", "scheduled_at": PAST}, headers=hdr
    )
    assert moved.json()["id"] == future["id"]
    assert (
        await api.client.post(
            f"/referrals/{rid}/appointments/{future['id']}/attendance", json={"attendance": "LATE"}, headers=hdr
        )
    ).status_code == 200
    assert (
        await api.client.post(
            f"/referrals/{rid}/appointments/{future['id']}/feedback", json={"summary": "ok"}, headers=hdr
        )
    ).status_code == 200
    again = await api.client.post(
        f"/referrals/{rid}/appointments/{future['id']}/feedback", json={"summary": "again"}, headers=hdr
    )
    assert again.status_code == 409 and again.json()["code"] == "feedback-already-submitted"
    await _approved_plan(api, rid, hdr, sessions=3)
    # Complexity level and desired outcomes are locked once a plan is approved; other fields still amend.
    locked = await api.client.patch(
        f"/referrals/{rid}", json={"complexity_level": "HIGH", "reason": "worse"}, headers=api.practitioner()
    )
    assert locked.status_code == 409 and locked.json()["code"] == "locked-after-action-plan-approval"
    # A new plan cannot reduce the sessions.
    fewer = await api.client.post(
        f"/referrals/{rid}/action-plans", json={"number_of_sessions": 2, "activities": ["x"]}, headers=hdr
    )
    assert fewer.status_code == 422 and fewer.json()["errors"][0]["field"] == "number_of_sessions"
    # One attended session of three.
    s1 = (
        await api.client.post(
            f"/referrals/{rid}/appointments",
            json={"kind": "SESSION", "session_number": 1, "scheduled_at": PAST},
            headers=hdr,
        )
    ).json()
    assert (
        await api.client.post(
            f"/referrals/{rid}/appointments/{s1['id']}/attendance", json={"attendance": "YES"}, headers=hdr
        )
    ).status_code == 200
    out_of_plan = await api.client.post(
        f"/referrals/{rid}/appointments",
        json={"kind": "SESSION", "session_number": 4, "scheduled_at": PAST},
        headers=hdr,
    )
    assert out_of_plan.status_code == 422
    unknown = await api.client.post(f"/referrals/{rid}/withdraw", json={"code": "XYZ"}, headers=api.practitioner())
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown-withdrawal-code"
    ended = await api.client.post(
        f"/referrals/{rid}/withdraw", json={"code": "MOV", "comments": "Moved to Leeds"}, headers=api.practitioner()
    )
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["status"], body["outcome"], body["awaiting_end_of_service_report"]) == (
        "ENDED",
        "PREMATURELY_ENDED",
        True,
    )
    types = [e["event"].eventType for e in await api.outbox("refer-monitor.events")]
    assert "intervention.referral.withdrawn" in types and "intervention.referral.ended" in types
    assert "intervention.referral.concluded" not in types
    report = await api.client.post(
        f"/referrals/{rid}/end-of-service-report",
        headers=hdr,
        json={
            "outcomes": [
                {"desired_outcome": "Stable housing", "achievement": "PARTIALLY_ACHIEVED"},
                {"desired_outcome": "Tenancy skills", "achievement": "NOT_ACHIEVED"},
            ]
        },
    )
    assert report.status_code == 200, report.text
    assert (report.json()["status"], report.json()["outcome"], report.json()["awaiting_end_of_service_report"]) == (
        "CONCLUDED",
        "PREMATURELY_ENDED",
        False,
    )


async def test_full_delivery_concludes_completed(api, h):
    referral, hdr = await _assigned(api, h, "X100007")
    rid = referral["id"]
    await _attended_assessment(api, rid, hdr)
    await _approved_plan(api, rid, hdr, sessions=1)
    s1 = (
        await api.client.post(
            f"/referrals/{rid}/appointments",
            json={"kind": "SESSION", "session_number": 1, "scheduled_at": PAST},
            headers=hdr,
        )
    ).json()
    premature = await api.client.post(
        f"/referrals/{rid}/end-of-service-report",
        headers=hdr,
        json={"outcomes": [{"desired_outcome": "Stable housing", "achievement": "ACHIEVED"}]},
    )
    assert premature.status_code == 409
    await api.client.post(
        f"/referrals/{rid}/appointments/{s1['id']}/attendance", json={"attendance": "YES"}, headers=hdr
    )
    await api.client.post(f"/referrals/{rid}/appointments/{s1['id']}/feedback", json={"summary": "done"}, headers=hdr)
    incomplete = await api.client.post(
        f"/referrals/{rid}/end-of-service-report",
        headers=hdr,
        json={"outcomes": [{"desired_outcome": "Stable housing", "achievement": "ACHIEVED"}]},
    )
    assert incomplete.status_code == 422 and incomplete.json()["code"] == "outcomes-incomplete"
    done = await api.client.post(
        f"/referrals/{rid}/end-of-service-report",
        headers=hdr,
        json={
            "outcomes": [
                {"desired_outcome": "Stable housing", "achievement": "ACHIEVED"},
                {"desired_outcome": "Tenancy skills", "achievement": "ACHIEVED"},
            ]
        },
    )
    assert done.status_code == 200 and (done.json()["status"], done.json()["outcome"]) == ("CONCLUDED", "COMPLETED")


async def test_withdrawal_before_delivery_cancels(api, h):
    referral = await api.sent("X100008")
    r = await api.client.post(f"/referrals/{referral['id']}/withdraw", json={"code": "MIS"}, headers=api.practitioner())
    assert (r.json()["status"], r.json()["outcome"], r.json()["awaiting_end_of_service_report"]) == (
        "CONCLUDED",
        "CANCELLED",
        False,
    )


async def test_amendments_keep_a_changelog_and_notify_the_assigned_caseworker(api, h):
    referral, hdr = await _assigned(api, h, "X100009")
    rid = referral["id"]
    no_reason = await api.client.patch(
        f"/referrals/{rid}", json={"complexity_level": "HIGH"}, headers=api.practitioner()
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    r = await api.client.patch(
        f"/referrals/{rid}",
        json={
            "complexity_level": "HIGH",
            "needs": ["accommodation", "debt"],
            "reason": "New information from the court",
        },
        headers=api.practitioner(),
    )
    assert r.status_code == 200, r.text
    log = (await api.client.get(f"/referrals/{rid}/amendments", headers=hdr)).json()
    assert {(a["field"], str(a["old_value"]), str(a["new_value"])) for a in log} == {
        ("complexity_level", "MEDIUM", "HIGH"),
        ("needs", "['accommodation']", "['accommodation', 'debt']"),
    }
    assert {a["reason"] for a in log} == {"New information from the court"} and {a["author"] for a in log} == {"pp-1"}
    notes = [
        n
        for n in await api.outbox("partner-notifications")
        if n["event"].additionalInformation["notificationType"] == "intervention.referral.amended"
    ]
    assert {n["key"] for n in notes} == {"harbour-housing", "bridge-wellbeing"}
    assert all(n["event"].additionalInformation["payload"]["assignedTo"] == "cw@harbour-housing" for n in notes)


async def test_bad_input_is_problem_json_never_500(api, h):
    p = api.practitioner()
    for response in [
        await api.client.post("/referrals", content=b"{not json", headers=p | {"content-type": "application/json"}),
        await api.client.post("/referrals", json={"crn": "bad", "intervention_id": h.ACC_INTERVENTION}, headers=p),
        await api.client.post("/referrals", json={"crn": "X100010", "intervention_id": "nope"}, headers=p),
        await api.client.post("/referrals/nope/withdraw", json={"code": 7}, headers=p),
        await api.client.get("/interventions?pcc_area=Atlantis", headers=p),
    ]:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")

"""Referral rules a provider and a practitioner can trust (issue 13): how a referral concludes, what a
concluded referral refuses, reassignment, the practitioner's contact details and the risk-summary age."""

from datetime import UTC, datetime, timedelta

PAST = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
REPORT = {
    "outcomes": [
        {"desired_outcome": "Stable housing", "achievement": "NOT_ACHIEVED"},
        {"desired_outcome": "Tenancy skills", "achievement": "NOT_ACHIEVED"},
    ]
}


async def _post(api, path, hdr, body=None):
    return await api.client.post(path, json=body, headers=hdr)


async def _delivering(api, h, crn, sessions=2):
    """A referral assigned to harbour-housing with an attended assessment and an approved plan."""
    referral = await api.sent(crn)
    rid, hdr = referral["id"], api.provider("harbour-housing", h.ACC)
    assert (await _post(api, f"/referrals/{rid}/assign", hdr)).status_code == 200
    ia = (
        await _post(api, f"/referrals/{rid}/appointments", hdr, {"kind": "INITIAL_ASSESSMENT", "scheduled_at": PAST})
    ).json()
    await _post(api, f"/referrals/{rid}/appointments/{ia['id']}/attendance", hdr, {"attendance": "YES"})
    await _post(api, f"/referrals/{rid}/appointments/{ia['id']}/feedback", hdr, {"summary": "Engaged"})
    plan = await _post(
        api, f"/referrals/{rid}/action-plans", hdr, {"number_of_sessions": sessions, "activities": ["x"]}
    )
    assert plan.status_code == 201, plan.text
    approved = await _post(api, f"/referrals/{rid}/action-plans/{plan.json()['id']}/approve", api.practitioner())
    assert approved.status_code == 200, approved.text
    return rid, hdr


async def _session(api, rid, hdr, number, attendance):
    s = (
        await _post(
            api,
            f"/referrals/{rid}/appointments",
            hdr,
            {"kind": "SESSION", "session_number": number, "scheduled_at": PAST},
        )
    ).json()
    assert (
        await _post(api, f"/referrals/{rid}/appointments/{s['id']}/attendance", hdr, {"attendance": attendance})
    ).status_code == 200
    assert (
        await _post(api, f"/referrals/{rid}/appointments/{s['id']}/feedback", hdr, {"summary": "s"})
    ).status_code == 200
    return s


async def test_every_session_missed_is_not_completed(api, h):
    rid, hdr = await _delivering(api, h, "X300001")
    await _session(api, rid, hdr, 1, "NO")
    await _session(api, rid, hdr, 2, "NO")
    report = await _post(api, f"/referrals/{rid}/end-of-service-report", hdr, REPORT)
    assert report.status_code == 409 and report.json()["code"] == "no-sessions-attended"
    assert report.headers["content-type"].startswith("application/problem+json")
    # The practitioner withdraws it instead: nothing was delivered, it concludes cancelled.
    withdrawn = await _post(api, f"/referrals/{rid}/withdraw", api.practitioner(), {"code": "NOT"})
    assert (withdrawn.json()["status"], withdrawn.json()["outcome"]) == ("CONCLUDED", "CANCELLED")


async def test_some_sessions_missed_concludes_prematurely_ended_not_completed(api, h):
    rid, hdr = await _delivering(api, h, "X300002")
    await _session(api, rid, hdr, 1, "YES")
    await _session(api, rid, hdr, 2, "NO")
    report = await _post(api, f"/referrals/{rid}/end-of-service-report", hdr, REPORT)
    assert report.status_code == 200, report.text
    assert (report.json()["status"], report.json()["outcome"]) == ("CONCLUDED", "PREMATURELY_ENDED")


async def test_a_concluded_referral_refuses_plan_approval_and_feedback(api, h):
    rid, hdr = await _delivering(api, h, "X300003", sessions=1)
    s1 = (
        await _post(
            api, f"/referrals/{rid}/appointments", hdr, {"kind": "SESSION", "session_number": 1, "scheduled_at": PAST}
        )
    ).json()
    await _post(api, f"/referrals/{rid}/appointments/{s1['id']}/attendance", hdr, {"attendance": "YES"})
    # A newer plan awaits approval when the referral is withdrawn and concluded.
    newer = await _post(api, f"/referrals/{rid}/action-plans", hdr, {"number_of_sessions": 2, "activities": ["y"]})
    assert newer.status_code == 201
    assert (await _post(api, f"/referrals/{rid}/withdraw", api.practitioner(), {"code": "MOV"})).json()[
        "status"
    ] == "ENDED"
    # Ended, then concluded by the report (session 1's feedback was never given).
    assert (await _post(api, f"/referrals/{rid}/end-of-service-report", hdr, REPORT)).status_code == 200
    approve = await _post(api, f"/referrals/{rid}/action-plans/{newer.json()['id']}/approve", api.practitioner())
    assert approve.status_code == 409 and approve.json()["code"] == "referral-concluded"
    assert approve.headers["content-type"].startswith("application/problem+json")
    feedback = await _post(api, f"/referrals/{rid}/appointments/{s1['id']}/feedback", hdr, {"summary": "late"})
    assert feedback.status_code == 409 and feedback.json()["code"] == "referral-concluded"
    plans = (await api.client.get(f"/referrals/{rid}/action-plans", headers=hdr)).json()
    assert [p["status"] for p in plans] == ["APPROVED", "SUBMITTED"]


async def test_a_staff_code_alone_or_a_missing_phone_does_not_complete_a_referral(api, h, upstream):
    upstream.add_person("X300010")
    upstream.managers["X300010"] = {"staff_code": "N07A001"}
    draft = await api.draft("X300010")
    refused = await _post(api, f"/referrals/{draft['id']}/send", api.practitioner())
    assert refused.status_code == 422 and refused.json()["code"] == "referral-incomplete"
    assert {e["field"] for e in refused.json()["errors"]} == {
        "practitioner.name",
        "practitioner.email",
        "practitioner.phone",
    }
    upstream.managers["X300010"] = {"staff_code": "N07A001", "name": "Pat Jones", "email": "pat@probation.example"}
    refused = await _post(api, f"/referrals/{draft['id']}/send", api.practitioner())
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["practitioner.phone"]
    upstream.managers["X300010"]["telephone"] = "0191 000 0000"
    sent = await _post(api, f"/referrals/{draft['id']}/send", api.practitioner())
    assert sent.status_code == 200, sent.text
    assert sent.json()["provider_view"]["practitioner"]["phone"] == "0191 000 0000"


async def test_the_sender_cannot_loosen_the_risk_summary_age(api, h, upstream):
    upstream.add_person("X300011")
    upstream.risk["X300011"]["updatedAt"] = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    body = {"crn": "X300011", "intervention_id": h.ACC_INTERVENTION, "desired_outcomes": ["Stable housing"]}
    loose = await api.client.post(
        "/referrals", json=body | {"risk_summary_max_age_days": 730}, headers=api.practitioner()
    )
    assert loose.status_code == 422 and loose.json()["code"] == "risk-summary-age-above-policy"
    assert loose.json()["errors"][0]["field"] == "risk_summary_max_age_days"
    # A fresher limit is allowed; the policy still holds for a referral that asks for nothing.
    stricter = await api.client.post(
        "/referrals", json=body | {"risk_summary_max_age_days": 30}, headers=api.practitioner()
    )
    assert stricter.status_code == 201
    refused = await _post(api, f"/referrals/{stricter.json()['id']}/send", api.practitioner())
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["risk_summary"]


async def test_reassignment_keeps_a_history_and_the_caseworker_must_be_the_providers(api, h):
    referral = await api.sent("X300020")
    rid = referral["id"]
    prime = api.provider("harbour-housing", h.ACC, subject="ann@harbour-housing")
    colleague = api.provider("harbour-housing", h.ACC, subject="bob@harbour-housing")
    sub = api.provider("bridge-wellbeing", h.ACC, subject="cat@bridge-wellbeing")
    # Each caseworker is known for their own provider once they have acted on a referral.
    assert (await _post(api, f"/referrals/{rid}/assign", colleague)).json()["assigned_to"] == "bob@harbour-housing"
    assert (await _post(api, f"/referrals/{rid}/assign", sub)).json()["assigned_to"] == "cat@bridge-wellbeing"
    moved = await _post(api, f"/referrals/{rid}/assign", prime, {"caseworker": "bob@harbour-housing"})
    assert moved.status_code == 200 and moved.json()["assigned_to"] == "bob@harbour-housing"
    # A caseworker of another provider (the subcontractor's) or one never seen: 422 naming the field.
    for other in ("cat@bridge-wellbeing", "nobody@harbour-housing"):
        refused = await _post(api, f"/referrals/{rid}/assign", prime, {"caseworker": other})
        assert refused.status_code == 422 and refused.json()["code"] == "caseworker-not-with-provider"
        assert refused.json()["errors"] == [{"field": "caseworker", "message": "not a caseworker of harbour-housing"}]
    history = await api.client.get(f"/referrals/{rid}/assignments", headers=api.practitioner())
    assert history.status_code == 200
    assert [(a["provider_id"], a["assigned_from"], a["assigned_to"], a["assigned_by"]) for a in history.json()] == [
        ("harbour-housing", None, "bob@harbour-housing", "bob@harbour-housing"),
        ("bridge-wellbeing", "bob@harbour-housing", "cat@bridge-wellbeing", "cat@bridge-wellbeing"),
        ("harbour-housing", "cat@bridge-wellbeing", "bob@harbour-housing", "ann@harbour-housing"),
    ]
    assert all(a["assigned_at"] for a in history.json())
    assert (
        await api.client.get(f"/referrals/{rid}/assignments", headers=api.provider("keystone-finance", h.ACC))
    ).status_code == 404

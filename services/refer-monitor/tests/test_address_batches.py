"""A run of address events handled together (the consumer's batch handler) leaves exactly what handling
them one by one leaves: the projections, every provider view and its history, and each provider's
notifications in the same order."""

from __future__ import annotations

import json
import re

from aiokafka.structs import ConsumerRecord
from sqlalchemy import select

from probation_shared.events.consumer import EventConsumer
from refer_monitor.db.models import PersonProjection, ProviderViewHistory, Referral
from refer_monitor.events.handlers import CASE_EVENTS
from refer_monitor.service import SPEC


def _record(offset: int, event) -> ConsumerRecord:
    value = event.model_dump_json().encode()
    headers = [("eventType", event.eventType.encode())]
    return ConsumerRecord("case", 0, offset, 0, 0, event.crn.encode(), value, None, 7, len(value), headers)


async def test_a_run_of_address_changes_together_is_the_same_as_one_by_one(api, upstream, h):
    sets = {"one-by-one": "X51", "together": "X52"}
    records: dict[str, list[ConsumerRecord]] = {}
    for name, prefix in sets.items():
        crns = [f"{prefix}000{i}" for i in range(4)]
        await api.sent(crns[0])  # accommodation (prime + subcontractor) and ETE: three providers
        await api.sent(crns[0], h.ETE_INTERVENTION)
        await api.sent(crns[1])
        await api.sent(crns[3])
        # crns[2] has no referral and no projection yet: the change creates it and notifies no one.
        for i, crn in enumerate(crns):
            upstream.addresses[(crn, "2")] = {
                "id": "2",
                "status": "MAIN",
                "address_number": str(i),
                "street_name": "New Road",
                "town": "Leeds",
                "postcode": f"LS{i} 4AP",
                "telephone_number": "0113 000 0000" if i == 1 else None,
            }
        changes = [
            h.case_event("probation-case.address.updated", crns[0], f"/people/{crns[0]}/addresses/2", addressId="2"),
            h.case_event("probation-case.address.updated", crns[1], f"/people/{crns[1]}/addresses/2", addressId="2"),
            h.case_event("probation-case.address.updated", crns[2], f"/people/{crns[2]}/addresses/2", addressId="2"),
            # The same change delivered again within the run (at-least-once upstream): nothing more to tell.
            h.case_event("probation-case.address.updated", crns[0], f"/people/{crns[0]}/addresses/2", addressId="2"),
            h.case_event("probation-case.address.updated", crns[3], f"/people/{crns[3]}/addresses/2", addressId="2"),
            h.case_event("probation-case.address.updated", crns[3], f"/people/{crns[3]}/addresses/9", addressId="9"),
            h.case_event("probation-case.address.deleted", crns[3], f"/people/{crns[3]}/addresses/2", addressId="2"),
        ]
        records[name] = [_record(offset, event) for offset, event in enumerate(changes)]

    service = api.service
    consumer = EventConsumer(service.settings, service.database, SPEC.tables, service.app.state.metrics, CASE_EVENTS)
    for record in records["one-by-one"]:
        await consumer.handle_message(record)
    await consumer.handle_batch(records["together"])

    one_by_one, together = await _state(api, sets["one-by-one"]), await _state(api, sets["together"])
    assert one_by_one == together
    # Person 0: three providers once (the repeat changes nothing); 1: two; 3: two for the move, none for
    # an address case-allocation does not hold, two for the deletion; 2: none (no referral).
    assert len(together["notifications"]) == 3 + 2 + 2 + 2


async def _state(api, prefix: str) -> dict:
    """Everything the changes left for the people whose CRN starts with `prefix`, with the CRN prefix,
    timestamps and the ids of this set's own rows taken out so that two sets compare."""

    def same(value):
        text = json.dumps(value, default=str).replace(prefix, "X5_")
        return json.loads(re.sub(r"\d{4}-\d\d-\d\d[T ][0-9:.]+(Z|[+]00:00)?", "<time>", text))

    async with api.service.database.unit_of_work() as session:
        people = (
            await session.scalars(
                select(PersonProjection).where(PersonProjection.crn.startswith(prefix)).order_by(PersonProjection.crn)
            )
        ).all()
        referrals = (
            await session.scalars(
                select(Referral)
                .where(Referral.crn.startswith(prefix))
                .order_by(Referral.crn, Referral.contract_reference)
            )
        ).all()
        names = {r.id: f"{r.crn}/{r.contract_reference}" for r in referrals}
        history = (
            await session.scalars(
                select(ProviderViewHistory)
                .where(ProviderViewHistory.referral_id.in_(list(names)))
                .order_by(ProviderViewHistory.id)
            )
        ).all()
    notifications = []
    for row in await api.outbox("partner-notifications"):
        event = row["event"]
        info = dict(event.additionalInformation)
        if not (event.crn or "").startswith(prefix) or not info["notificationType"].startswith(
            "probation-case.address"
        ):
            continue
        info.pop("referralId", None)
        payload = info.get("payload") or {}
        for ref in payload.get("referrals") or []:
            ref["referralId"] = names[ref["referralId"]]
            ref.pop("referralReference", None)
        notifications.append((row["key"], info))
    return same(
        {
            "people": [(p.crn, p.address_id, p.address, p.phone) for p in people],
            "views": [(names[r.id], r.provider_view, r.provider_view_version) for r in referrals],
            "history": [(names[v.referral_id], v.version, v.reason, v.changed, v.view) for v in history],
            "notifications": notifications,
        }
    )

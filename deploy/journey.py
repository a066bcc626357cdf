"""The platform's journey end to end, over HTTP against running services: what `make demo` narrates and
tests/e2e/test_journey.py asserts.

A person is sentenced to 3 years' custody → the case waits in the PDU's queue with its due date → the SPO
allocates it to a practitioner within capacity → the practitioner completes an assessment → risk-assessment
computes and publishes the tier → the practitioner's workload takes the case's points → the practitioner refers
the person to an accommodation and an ETE provider → both providers' webhook receivers get signed notifications
→ the accommodation provider's session feedback reaches the practitioner and the ETE provider's shareable update
reaches the accommodation provider → an address change and a rise in risk of serious harm reach both providers
→ the release date (confirmed for today) enters the 12-week window: the SPO's and the POM's lists of people due
for release show the person → resettlement's pack job makes the pack, which the practitioner and the person open
(a provider is told it does not exist) → the person is released → resettlement schedules enhanced support and
case-allocation books it on the licence case, counted as planned in the first weeks after release.

Every step checks what the user in that role would see (a failed check raises `JourneyFailed`), and says it in a
short line per role through `say(role, line)`. Tokens are minted with the platform's dev private key, as dev mode
allows (`platform token`). The providers' webhook receivers are real HTTP servers on loopback, and every delivery
is verified with the provider's own signing secret (Standard Webhooks).
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from standardwebhooks import Webhook

from probation_shared import clock
from probation_shared.auth import mint_token
from probation_shared.testing.receiver import Receiver

PDU, SPO = "NE01", "NE01T1S01"  # seeded by case-allocation: County Durham and Darlington, its first team's SPO
PRISON = "DMI"  # HMP Durham
LETTERS = string.ascii_uppercase
# provider → (contract it holds, intervention it delivers), as refer-monitor's seed data has them
ACCOMMODATION = ("harbour-housing", "ACC-NE-001", "7b0c6f0e-0000-4000-8000-000000000001")
ETE = ("northern-works", "ETE-NE-001", "7b0c6f0e-0000-4000-8000-000000000002")
VICTIM = {"name": "Jordan Victimson", "address": "9 Hidden Close, Durham DH9 9ZZ", "relationship": "former partner"}
FIRST_ADDRESS = {"line1": "12 High Street", "town": "Durham", "postcode": "DH1 1AA"}
NEW_ADDRESS = {"line1": "Flat 3, 40 Claypath", "town": "Durham", "postcode": "DH1 1QS"}

Say = Callable[[str, str], None]


class JourneyFailed(AssertionError):
    """A step did not show what the user in that role should see."""


def check(condition: Any, message: str) -> None:
    if not condition:
        raise JourneyFailed(message)


@dataclass
class Platform:
    """Where the services are, and the dev key that signs tokens for them."""

    urls: dict[str, str]
    private_key: bytes

    def headers(self, role: str, subject: str, **claims: Any) -> dict[str, str]:
        token = mint_token(self.private_key, subject=subject, roles=[role], lifetime_seconds=3600, **claims)
        return {"Authorization": f"Bearer {token}", "X-Access-Reason": "platform journey"}


@dataclass
class Provider:
    provider_id: str
    contract: str
    intervention: str
    receiver: Receiver = field(default_factory=lambda: Receiver([]))
    secret: str = ""
    referral_id: str = ""

    async def delivered(self, needle: str) -> list[dict]:
        return self.deliveries(needle)

    def deliveries(self, needle: str) -> list[dict]:
        """Every delivery so far whose body mentions `needle`, each verified with this provider's secret."""
        found = []
        for headers, body in list(self.receiver.received):
            payload = Webhook(self.secret).verify(body, headers)  # raises on a bad signature
            if needle.encode() in body:
                found.append(payload)
        return found


def rosh(level: str, reason: str | None = None) -> dict:
    """A RoSH rating; a re-rating on its own gives its reason (one within an assessment has none)."""
    rating = {
        "community": {"public": level, "knownAdult": level, "children": "LOW", "staff": "LOW"},
        "narrative": {"natureOfRisk": "Violence towards a former partner when drinking", "whoIsAtRisk": "Known adults"},
        "victims": [VICTIM],
    }
    return rating | ({"reason": reason} if reason else {})


async def eventually(check_: Callable[[], Awaitable[Any]], what: str, timeout: float = 30.0) -> Any:
    """Poll until `check_` answers something truthy (and return it): events take a moment to travel."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check_()
        if result:
            return result
        if time.monotonic() > deadline:
            raise JourneyFailed(f"not seen within {timeout:.0f}s: {what}")
        await asyncio.sleep(0.2)


class Journey:
    def __init__(
        self, platform: Platform, say: Say, client: httpx.AsyncClient, timeout: float = 30.0, pack_timeout: float = 90.0
    ) -> None:
        self.p = platform
        self.say = say
        self.http = client
        self.timeout = timeout
        self.pack_timeout = pack_timeout  # the pack job runs on its own interval
        self.today = clock.today()  # the platform's today (England and Wales): sentence and due dates count from it
        self.spo = platform.headers("SENIOR_PROBATION_OFFICER", "spo.ne01", staff_code=SPO, pdu=PDU, region="NE")
        self.pom = platform.headers("PRISON_OFFENDER_MANAGER", "pom.durham", prison=PRISON)
        self.court = platform.headers("PROBATION_PRACTITIONER", "court.duty", pdu=PDU, region="NE")
        self.practitioner = self.court  # until the case is allocated
        self.providers = {
            "accommodation": Provider(*ACCOMMODATION),
            "ete": Provider(*ETE),
        }
        self.crn = ""
        self.case_id = 0
        self.sentence_id = 0
        self.staff_code = ""
        self.staff_name = ""
        self.workload_before = 0
        self.tier = ""
        self.case_points = 0
        self.release_date = self.today + timedelta(days=548)  # halfway through 3 years: the conditional release

    # --- plumbing ---------------------------------------------------------------------------------

    async def call(self, method: str, service: str, path: str, headers: dict, expect: int = 200, **kwargs) -> Any:
        response = await self.http.request(method, self.p.urls[service] + path, headers=headers, **kwargs)
        check(
            response.status_code == expect,
            f"{method} {service}{path}: expected {expect}, got {response.status_code} {response.text[:500]}",
        )
        return response.json() if response.content else None

    async def get(self, service: str, path: str, headers: dict, **kwargs) -> Any:
        return await self.call("GET", service, path, headers, **kwargs)

    async def status(self, service: str, path: str, headers: dict) -> tuple[int, Any]:
        response = await self.http.get(self.p.urls[service] + path, headers=headers)
        return response.status_code, (response.json() if response.content else None)

    def provider_headers(self, provider: Provider) -> dict[str, str]:
        return self.p.headers(
            "PROVIDER_CASEWORKER",
            f"caseworker@{provider.provider_id}",
            provider_id=provider.provider_id,
            contract_refs=[provider.contract],
        )

    async def until(self, check_: Callable[[], Awaitable[Any]], what: str, timeout: float | None = None) -> Any:
        return await eventually(check_, what, timeout or self.timeout)

    def close(self) -> None:
        for provider in self.providers.values():
            provider.receiver.close()

    # --- the journey --------------------------------------------------------------------------------

    async def run(self) -> None:
        steps = [
            self.sentenced,
            self.queued,
            self.allocated,
            self.assessed,
            self.tiered,
            self.workload_updated,
            self.referred,
            self.providers_notified,
            self.feedback_and_update_shared,
            self.address_and_risk_reach_both,
            self.release_window,
            self.pack_generated,
            self.released_with_enhanced_support,
        ]
        for number, step in enumerate(steps, start=1):
            self.say("", f"{number}. {(step.__doc__ or step.__name__).strip()}")
            await step()

    async def sentenced(self) -> None:
        """A person is sentenced to 3 years' custody at Durham Crown Court."""
        person = await self.call(
            "POST",
            "case-allocation",
            "/people",
            self.court,
            expect=201,
            json={
                "first_name": "Sam",
                "last_name": f"Taylor-{uuid.uuid4().hex[:6]}",
                "date_of_birth": "1990-04-01",
                "sex": "MALE",
                "noms_number": f"A{random.randint(0, 9999):04d}{random.choice(LETTERS)}{random.choice(LETTERS)}",
            },
        )
        self.crn = person["crn"]
        self.person = self.p.headers("PERSON_ON_PROBATION", f"person.{self.crn.lower()}", crn=self.crn)
        await self.call(
            "POST",
            "case-allocation",
            f"/people/{self.crn}/addresses",
            self.court,
            expect=201,
            json={"status": "MAIN", **FIRST_ADDRESS, "start_date": (self.today - timedelta(days=400)).isoformat()},
        )
        sentence = await self.call(
            "POST",
            "case-allocation",
            f"/people/{self.crn}/sentences",
            self.court,
            expect=201,
            json={
                "conviction_date": self.today.isoformat(),
                "court": "Durham Crown Court",
                "offences": [{"code": "02801", "description": "Burglary in a dwelling", "main": True}],
                "sentence_type": "CUSTODY",
                "sentence_date": self.today.isoformat(),
                "length": {"value": 3, "unit": "YEARS"},
                "pdu_code": PDU,
                "custody": {"conditional_release_date": self.release_date.isoformat(), "prison_code": PRISON},
            },
        )
        self.sentence_id, self.case_id = sentence["id"], sentence["case_id"]
        check(sentence["custodial"] and sentence["status"] == "ACTIVE", f"sentence not active custody: {sentence}")
        self.say(
            "practitioner",
            f"{self.crn} sentenced today: {sentence['sentence_type']} {sentence['length']['value']} "
            f"{sentence['length']['unit'].lower()}, release expected {self.release_date}",
        )

    async def queued(self) -> None:
        """The case waits in the PDU's allocation queue with its due date."""
        queue = await self.get("case-allocation", f"/pdus/{PDU}/queue", self.spo, params={"size": 100})
        mine = [c for c in queue["content"] if c["crn"] == self.crn]
        check(len(mine) == 1, f"{self.crn} not in the {PDU} queue")
        case = mine[0]
        check(case["status"] == "UNALLOCATED", f"queued case is {case['status']}")
        due = date.fromisoformat(case["due_date"])
        check(self.today < due <= self.today + timedelta(days=14), f"due date {due} is not 5 working days on")
        self.say("SPO", f"queue {PDU}: {self.crn} {case['case_type']} case, unallocated, due {due}")
        handover = await self.get("case-allocation", f"/people/{self.crn}/handover", self.pom)
        check(handover["responsible"] == "POM", f"responsible now: {handover['responsible']}")
        self.say("POM", f"{self.crn} is mine in custody until handover to probation on {handover['handover_date']}")

    async def allocated(self) -> None:
        """The SPO allocates the case to a practitioner within capacity."""
        advice = await self.get("case-allocation", f"/cases/{self.case_id}/recommendations", self.spo)
        fits = [
            r
            for r in advice["practitioners"]
            if not r["over_case_limit"]
            and r["projected_capacity_percent"] is not None
            and r["projected_capacity_percent"] <= 100
        ]
        check(fits, "no practitioner with capacity was recommended")
        chosen = fits[0]
        before = await self.get("case-allocation", f"/staff/{chosen['staff_code']}/workload", self.spo)
        allocation = await self.call(
            "POST",
            "case-allocation",
            f"/cases/{self.case_id}/allocation",
            self.spo,
            json={"staff_code": chosen["staff_code"], "reason": "Capacity and experience with custody cases"},
        )
        check(allocation["staff_code"] == chosen["staff_code"], f"allocated to {allocation['staff_code']}")
        self.staff_code, self.staff_name = chosen["staff_code"], chosen["name"]
        self.workload_before = before["total_points"]
        self.practitioner = self.p.headers(
            "PROBATION_PRACTITIONER", f"pp.{self.staff_code.lower()}", staff_code=self.staff_code, pdu=PDU, region="NE"
        )
        self.say(
            "SPO",
            f"allocated {self.crn} to {chosen['name']} ({chosen['grade']}), "
            f"capacity {chosen['capacity_percent']}% → {chosen['projected_capacity_percent']}%",
        )
        case = await self.get("case-allocation", f"/cases/{self.case_id}", self.practitioner)
        check(case["status"] == "ALLOCATED" and case["staff_code"] == self.staff_code, f"case is {case['status']}")
        manager = await self.get("case-allocation", f"/people/{self.crn}/manager", self.practitioner)
        check(manager["allocated"] and manager["staff_code"] == self.staff_code, "manager not shown")
        self.say("practitioner", f"{self.crn} is now on my caseload ({self.staff_code})")
        self.say("the person", f"my probation practitioner is {manager['first_name']} {manager['last_name']}")

    async def assessed(self) -> None:
        """The practitioner completes an assessment, with a medium risk of serious harm."""

        async def started() -> Any:
            response = await self.http.post(
                f"{self.p.urls['risk-assessment']}/people/{self.crn}/assessments", json={}, headers=self.practitioner
            )
            return response.json() if response.status_code == 201 else None

        assessment = await self.until(started, "risk-assessment knows the person")
        sections = await self.get("risk-assessment", "/assessment-sections", self.practitioner)
        answers = {s["code"]: {"answers": {q["id"]: _mildest(q["answers"]) for q in s["questions"]}} for s in sections}
        await self.call(
            "PATCH",
            "risk-assessment",
            f"/assessments/{assessment['id']}",
            self.practitioner,
            json={"sections": answers},
        )
        done = await self.call(
            "POST",
            "risk-assessment",
            f"/assessments/{assessment['id']}/complete",
            self.practitioner,
            json={"rosh": rosh("MEDIUM")},
        )
        check(done["status"] == "COMPLETE", f"assessment is {done['status']}")
        self.say("practitioner", f"assessment v{done['version']} complete; RoSH medium")

    async def tiered(self) -> None:
        """The tier is computed and published."""

        async def tier() -> Any:
            code, body = await self.status("risk-assessment", f"/people/{self.crn}/tier", self.practitioner)
            return body if code == 200 else None

        calculated = await self.until(tier, "a tier calculated")
        self.tier = calculated["tier"]
        self.say(
            "practitioner",
            f"tier {self.tier} (protect {calculated['protectLevel']}, change {calculated['changeLevel']})",
        )

        async def case_tiered() -> Any:
            case = await self.get("case-allocation", f"/cases/{self.case_id}", self.spo)
            return case if case["tier"] == self.tier and case["points"] > 0 else None

        case = await self.until(case_tiered, "case-allocation weighs the case by the published tier")
        self.case_points = case["points"]
        self.say("SPO", f"case {self.case_id} is tier {case['tier']}: {case['points']} workload points")

    async def workload_updated(self) -> None:
        """The practitioner's workload takes the case's points."""
        workload = await self.get("case-allocation", f"/staff/{self.staff_code}/workload", self.spo)
        check(
            workload["total_points"] >= self.workload_before + self.case_points,
            f"workload {workload['total_points']} does not include the case's {self.case_points} points",
        )
        self.say(
            "SPO",
            f"{self.staff_name}: {workload['total_points']} points, {workload['cases']} cases, "
            f"capacity {workload['capacity_percent']}%",
        )

    async def referred(self) -> None:
        """The practitioner refers the person to an accommodation and an ETE provider."""
        for provider in self.providers.values():
            created = await self.call(
                "POST",
                "webhooks",
                f"/providers/{provider.provider_id}/endpoints",
                self.provider_headers(provider),
                expect=201,
                json={"url": provider.receiver.url},
            )
            provider.secret = created["secret"]
        for kind, provider in self.providers.items():
            draft = await self.call(
                "POST",
                "refer-monitor",
                "/referrals",
                self.practitioner,
                expect=201,
                json={
                    "crn": self.crn,
                    "intervention_id": provider.intervention,
                    "desired_outcomes": ["Settled accommodation on release"]
                    if kind == "accommodation"
                    else ["Into training or work on release"],
                    "custody": True,
                    "expected_release_date": self.release_date.isoformat(),
                },
            )

            async def sent(draft_id: str = draft["id"]) -> Any:
                # The provider view needs the allocation and address, which reach refer-monitor as events.
                response = await self.http.post(
                    f"{self.p.urls['refer-monitor']}/referrals/{draft_id}/send", headers=self.practitioner
                )
                return response.json() if response.status_code == 200 else None

            referral = await self.until(sent, f"the {kind} referral can be sent")
            provider.referral_id = referral["id"]
            self.say(
                "practitioner", f"referred to {provider.provider_id}: {referral['reference']} ({referral['status']})"
            )
        for provider in self.providers.values():
            view = await self.get(
                "refer-monitor", f"/referrals/{provider.referral_id}", self.provider_headers(provider)
            )
            check(view["crn"] == self.crn and view["provider_view"], f"{provider.provider_id} sees no referral")
            self.say(
                provider.provider_id, f"new referral {view['reference']} for {self.crn}, release {self.release_date}"
            )

    async def providers_notified(self) -> None:
        """Both providers receive signed webhooks."""
        for provider in self.providers.values():
            got = await self.until(
                partial(provider.delivered, "intervention.referral.sent"),
                f"{provider.provider_id} gets a signed referral.sent webhook",
            )
            self.say(provider.provider_id, f"webhook: intervention.referral.sent, signature valid ({len(got)})")

    async def feedback_and_update_shared(self) -> None:
        """Session feedback and a shareable update pass between the providers and probation."""
        acc, ete = self.providers["accommodation"], self.providers["ete"]
        acc_headers, ete_headers = self.provider_headers(acc), self.provider_headers(ete)
        referral = f"/referrals/{acc.referral_id}"
        await self.call("POST", "refer-monitor", f"{referral}/assign", acc_headers)
        held = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        appointment = await self.call(
            "POST",
            "refer-monitor",
            f"{referral}/appointments",
            acc_headers,
            expect=201,
            json={"kind": "INITIAL_ASSESSMENT", "scheduled_at": held},
        )
        base = f"{referral}/appointments/{appointment['id']}"
        await self.call("POST", "refer-monitor", f"{base}/attendance", acc_headers, json={"attendance": "YES"})
        feedback = "Engaged well; wants a one-bedroom flat near family in Durham"
        await self.call("POST", "refer-monitor", f"{base}/feedback", acc_headers, json={"summary": feedback})
        self.say(acc.provider_id, "initial assessment held in prison; feedback submitted")
        seen = await self.get("refer-monitor", f"{referral}/appointments", self.practitioner)
        check(feedback in json.dumps(seen), "the practitioner does not see the session feedback")
        self.say("practitioner", f"session feedback from {acc.provider_id}: “{feedback}”")

        update = "Enrolled on a CSCS card course starting the week after release"
        await self.call(
            "POST",
            "refer-monitor",
            f"/referrals/{ete.referral_id}/updates",
            ete_headers,
            expect=201,
            json={"category": "EMPLOYMENT_STATUS", "text": update},
        )
        self.say(ete.provider_id, f"shared an update: “{update}”")
        timeline = await self.get("refer-monitor", f"/people/{self.crn}/timeline", acc_headers)
        check(update in json.dumps(timeline), f"{acc.provider_id} does not see {ete.provider_id}'s update")
        self.say(acc.provider_id, f"on the person's timeline, from {ete.provider_id}: “{update}”")
        await self.until(
            partial(acc.delivered, "intervention.provider-update.created"),
            f"{acc.provider_id} gets a webhook for the shared update",
        )
        self.say(acc.provider_id, "webhook: intervention.provider-update.created, signature valid")

    async def address_and_risk_reach_both(self) -> None:
        """An address change and a rise in risk of serious harm reach both providers."""
        await self.call(
            "POST",
            "case-allocation",
            f"/people/{self.crn}/addresses",
            self.practitioner,
            expect=201,
            json={"status": "MAIN", **NEW_ADDRESS, "start_date": self.today.isoformat()},
        )
        self.say("practitioner", f"recorded a new main address: {NEW_ADDRESS['line1']}, {NEW_ADDRESS['postcode']}")
        raised = await self.call(
            "POST",
            "risk-assessment",
            f"/people/{self.crn}/rosh",
            self.practitioner,
            expect=201,
            json=rosh("HIGH", "new intelligence from police"),
        )
        check(raised, "RoSH not recorded")
        self.say("practitioner", "RoSH raised to high: new intelligence from police")
        for provider in self.providers.values():
            headers = self.provider_headers(provider)

            async def view_updated(p: Provider = provider, h: dict = headers) -> Any:
                view = (await self.get("refer-monitor", f"/referrals/{p.referral_id}", h))["provider_view"]
                text = json.dumps(view)
                return view if NEW_ADDRESS["postcode"] in text and "HIGH" in json.dumps(view.get("risk")) else None

            await self.until(view_updated, f"{provider.provider_id}'s view shows the new address and high risk")
            await self.until(
                partial(provider.delivered, "risk-assessment.rosh.changed"),
                f"{provider.provider_id} gets a webhook for the risk rise",
            )
            await self.until(
                partial(provider.delivered, "probation-case.address"),
                f"{provider.provider_id} gets a webhook for the address change",
            )
            for _, body in provider.receiver.received:
                for secret in VICTIM.values():
                    check(secret.encode() not in body, f"{provider.provider_id} was sent a victim detail")
            self.say(
                provider.provider_id,
                f"referral view: address {NEW_ADDRESS['postcode']}, RoSH high; webhooks for both, no victim details",
            )
        full = await self.get("risk-assessment", f"/people/{self.crn}/risk-summary", self.practitioner)
        check(VICTIM["name"] in json.dumps(full), "probation staff no longer see the victim record")

    async def release_window(self) -> None:
        """The release date enters the 12-week window."""
        due_path = "/prisoners"
        region = {"region": "NE", "days": 84, "size": 100}
        before = await self.get("resettlement", due_path, self.spo, params=region)
        check(self.crn not in {p["crn"] for p in before["content"]}, "due for release before the window")
        self.say("SPO", f"{self.crn} is not yet due for release in the next 12 weeks ({self.release_date})")
        # The parole board directs release: the confirmed release date (it comes first) is today.
        self.release_date = self.today
        await self.call(
            "PATCH",
            "case-allocation",
            f"/people/{self.crn}/sentences/{self.sentence_id}",
            self.practitioner,
            json={"confirmed_release_date": self.release_date.isoformat()},
        )
        self.say("practitioner", f"release confirmed for {self.release_date}")

        async def listed(headers: dict, params: dict) -> Any:
            due = await self.get("resettlement", due_path, headers, params=params)
            return next((p for p in due["content"] if p["crn"] == self.crn), None)

        row = await self.until(partial(listed, self.spo, region), "the SPO's list of people due for release")
        check(row["releaseDate"] == self.release_date.isoformat(), f"listed for release on {row['releaseDate']}")
        self.say("SPO", f"due for release in the North East within 12 weeks: {row['name']}, {row['releaseDate']}")
        pom = await self.until(
            partial(listed, self.pom, {"prison": PRISON, "days": 84}), "the POM's list of people due for release"
        )
        self.say("POM", f"due for release from {PRISON}: {pom['name']} ({pom['nomsNumber']}), {pom['releaseDate']}")

    async def pack_generated(self) -> None:
        """The resettlement pack is generated (the pack job, no human action)."""

        async def versions() -> Any:
            code, body = await self.status("resettlement", f"/people/{self.crn}/pack", self.practitioner)
            return body["versions"] if code == 200 and body["versions"] else None

        latest = (await self.until(versions, "a resettlement pack", timeout=self.pack_timeout))[0]
        html = await self.http.get(self.p.urls["resettlement"] + latest["htmlUrl"], headers=self.practitioner)
        check(html.status_code == 200 and "text/html" in html.headers["content-type"], "the pack does not open")
        self.say(
            "practitioner",
            f"resettlement pack v{latest['version']} ({latest['reason']}) for region {latest['regionCode']}",
        )
        mine = await self.get("resettlement", f"/people/{self.crn}/pack", self.person)
        check(mine["versions"], "the person does not see their pack")
        pdf = await self.http.get(self.p.urls["resettlement"] + latest["pdfUrl"], headers=self.person)
        check(pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), "the person cannot download the pack")
        self.say("the person", f"my resettlement pack, version {latest['version']}: {len(pdf.content) // 1024} KB PDF")
        hidden, _ = await self.status(
            "resettlement", f"/people/{self.crn}/pack", self.provider_headers(self.providers["ete"])
        )
        check(hidden == 404, f"a provider was answered {hidden} for the pack")

    async def released_with_enhanced_support(self) -> None:
        """Release: the enhanced support is booked."""
        await self.call(
            "PATCH",
            "case-allocation",
            f"/people/{self.crn}/sentences/{self.sentence_id}",
            self.practitioner,
            json={"released_on": self.today.isoformat()},
        )
        self.say("practitioner", f"{self.crn} released today, on licence")

        async def booked() -> Any:
            listed = await self.get("case-allocation", f"/people/{self.crn}/contacts", self.practitioner)
            found = [c for c in listed["contacts"] if c["contact_type"] == "ENHANCED_SUPPORT"]
            return found if len(found) >= 4 else None

        contacts = sorted(
            await self.until(booked, "enhanced support booked in case-allocation"), key=lambda c: c["contact_date"]
        )
        days = [(date.fromisoformat(c["contact_date"]) - self.today).days for c in contacts]
        check(days == [0, 3, 7, 10], f"enhanced support booked on days {days} after release")
        check({c["sentence_id"] for c in contacts} == {self.sentence_id}, "booked on another case")
        self.say("practitioner", "enhanced support booked: " + ", ".join(c["contact_date"] for c in contacts))
        report = await self.get("case-allocation", f"/people/{self.crn}/compliance", self.practitioner)
        (licence,) = [c for c in report["cases"] if c["sentence_id"] == self.sentence_id]
        check(licence["case_type"] == "LICENCE", f"case is {licence['case_type']} after release")
        week = next(p for p in licence["periods"] if p["kind"] == "WEEKLY_AFTER_RELEASE")
        check(week["planned"] == 2, f"first week after release has {week['planned']} planned contacts")
        self.say("practitioner", f"licence case: first week after release {week['planned']} contacts planned")
        handover = await self.get("case-allocation", f"/people/{self.crn}/handover", self.pom)
        check(handover["responsible"] == "COM", f"responsible after release: {handover['responsible']}")
        self.say("POM", "handed over: probation (the COM) is responsible now")


def _mildest(options: Any) -> str:
    """The first (lowest-scoring) answer a question offers: a person with no needs to speak of."""
    if isinstance(options, dict):
        return next(iter(options))
    first = options[0]
    return first if isinstance(first, str) else first.get("value") or first.get("code")

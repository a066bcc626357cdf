"""Request and response bodies. Responses are outbound models with a data class on every field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from probation_shared.limits import free_text, line
from probation_shared.redaction import Classified, DataClass, Outbound

Line40 = Annotated[str, line(40)]
Line100 = Annotated[str, line(100)]
Line200 = Annotated[str, line(200)]
Line300 = Annotated[str, line(300)]
Text1000 = Annotated[str, free_text(1000)]
Text4000 = Annotated[str, free_text(4000)]

Ref = Annotated[str | None, Classified(DataClass.REFERENCE)]
RefInt = Annotated[int | None, Classified(DataClass.REFERENCE)]
When = Annotated[datetime | None, Classified(DataClass.REFERENCE)]
SentenceDate = Annotated[date | None, Classified(DataClass.SENTENCE)]
Name = Annotated[str | None, Classified(DataClass.IDENTITY)]
Staff = Annotated[str | None, Classified(DataClass.STAFF)]
Public = Annotated[str, Classified(DataClass.REFERENCE)]  # directory entries: public services, nobody's data
Needs = Annotated[list[str], Classified(DataClass.HEALTH)]  # support needs include health and substance use
Notes = Annotated[str | None, Classified(DataClass.HEALTH)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrisonerView(Outbound):
    crn: Ref
    nomsNumber: Name
    name: Name
    releaseDate: SentenceDate
    prisonCode: Ref
    regionCode: Ref


class PrisonerPage(Outbound):
    content: list[PrisonerView]
    page: RefInt
    size: RefInt
    totalElements: RefInt
    totalPages: RefInt


class PathwayView(Outbound):
    pathway: Ref
    title: Ref
    status: Ref
    worker: Ref
    allowedNext: Annotated[list[str], Classified(DataClass.REFERENCE)]
    updatedAt: When
    updatedBy: Staff


class PlanView(Outbound):
    id: RefInt
    crn: Ref
    stage: Ref
    createdAt: When
    pathways: list[PathwayView]


class PathwayChange(Strict):
    status: Line40 | None = None  # checked against the pathway statuses (unknown → 422 naming `status`)
    worker: Line40 | None = None


class PathwayNotes(Strict):
    needs: Annotated[list[Line40], Field(max_length=20)] = []
    notes: Text4000 | None = None


class ReportBody(Strict):
    pathways: Annotated[dict[Line40, PathwayNotes], Field(max_length=7)] = {}


class ReportPathwayView(Outbound):
    pathway: Ref
    needs: Needs
    notes: Notes


class ReportView(Outbound):
    id: RefInt
    crn: Ref
    reportType: Ref
    status: Ref
    pathways: list[ReportPathwayView]
    createdAt: When
    submittedAt: When
    submittedBy: Staff


class NeedView(Outbound):
    code: Public
    need: Public


class CatalogueEntry(Outbound):
    pathway: Public
    title: Public
    worker: Public
    needs: list[NeedView]


class Catalogue(Outbound):
    pathways: list[CatalogueEntry]
    statuses: Annotated[dict[str, list[str]], Classified(DataClass.REFERENCE)]


class NewDirectoryEntry(Strict):
    pathway: Line40
    name: Line200
    what_they_do: Text1000
    town: Line100
    address: Line300
    phone: Line40
    opening_hours: Line200
    who_can_use_it: Line300


class DirectoryChange(Strict):
    pathway: Line40 | None = None
    name: Line200 | None = None
    what_they_do: Text1000 | None = None
    town: Line100 | None = None
    address: Line300 | None = None
    phone: Line40 | None = None
    opening_hours: Line200 | None = None
    who_can_use_it: Line300 | None = None


class DirectoryEntryView(Outbound):
    id: RefInt
    regionCode: Public
    pathway: Public
    name: Public
    whatTheyDo: Public
    town: Public
    address: Public
    phone: Public
    openingHours: Public
    whoCanUseIt: Public


class Directory(Outbound):
    regionCode: Public
    regionName: Public
    entries: list[DirectoryEntryView]


class PackVersionView(Outbound):
    version: RefInt
    reason: Ref
    releaseDate: SentenceDate
    regionCode: Ref
    generatedAt: When
    htmlUrl: Ref
    pdfUrl: Ref


class PackList(Outbound):
    crn: Ref
    versions: list[PackVersionView]


class LicenceConditionsBody(Strict):
    codes: Annotated[list[Line40], Field(max_length=40)]


class LicenceConditionView(Outbound):
    code: Annotated[str, Classified(DataClass.SENTENCE)]
    title: Public
    plainEnglish: Public


class LicenceConditionsView(Outbound):
    crn: Ref
    conditions: list[LicenceConditionView]


class LicenceConditionCatalogue(Outbound):
    conditions: list[LicenceConditionView]

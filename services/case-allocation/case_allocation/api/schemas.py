"""Request and response bodies; personal fields carry their data class for redaction."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from probation_shared.redaction import Classified, DataClass

Identity = Classified(DataClass.IDENTITY)
Sex = Literal["MALE", "FEMALE", "OTHER", "NOT_KNOWN"]


class NewPerson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex: Sex
    noms_number: str | None = Field(default=None, pattern=r"^[A-Z][0-9]{4}[A-Z]{2}$")


class PersonView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    crn: str
    noms_number: Annotated[str | None, Identity] = None
    first_name: Annotated[str, Identity]
    last_name: Annotated[str, Identity]
    date_of_birth: Annotated[date, Identity]
    sex: Annotated[Sex, Identity]

"""Assemblies: the local People's Assemblies of the network."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.events import utcnow

REGIONS = (
    "Scotland",
    "Wales",
    "Northern Ireland",
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


class Assembly(SQLModel, table=True):
    """A local People's Assembly."""

    __tablename__ = "assembly"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=120)
    area: str = Field(max_length=120)
    region: str = Field(max_length=40, index=True)
    description: str = Field(default="", max_length=4000)
    contact: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)

"""Use cases for assemblies."""

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from app.db import UnitOfWork
from app.errors import ServiceError
from app.events import record
from assemblies.events import AssemblyCreated, AssemblyUpdated
from assemblies.models import REGIONS, Assembly

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def create_assembly(
    uow: UnitOfWork,
    slug: str,
    name: str,
    area: str,
    region: str,
    description: str = "",
    contact: str = "",
    created_by: int | None = None,
) -> Assembly:
    """Create an assembly after checking its slug, name and region."""
    slug = slug.strip().lower()
    if not (2 <= len(slug) <= 60 and SLUG_PATTERN.fullmatch(slug)):
        raise ServiceError(
            "invalid_slug",
            "The short name must be 2–60 lower-case letters, digits and hyphens.",
            field="slug",
        )
    _check_details(name, area, region)
    if find_by_slug(uow.session, slug):
        raise ServiceError("slug_taken", f"The short name '{slug}' is already used.", field="slug")
    assembly = Assembly(
        slug=slug,
        name=name.strip(),
        area=area.strip(),
        region=region,
        description=description.strip(),
        contact=contact.strip(),
    )
    uow.session.add(assembly)
    uow.session.flush()
    record(uow, AssemblyCreated(assembly.id, slug, assembly.name, region, created_by))
    return assembly


def _check_details(name: str, area: str, region: str) -> None:
    if region not in REGIONS:
        raise ServiceError(
            "invalid_region", f"Region must be one of: {', '.join(REGIONS)}.", field="region"
        )
    if not name.strip():
        raise ServiceError("invalid_name", "The assembly needs a name.", field="name")
    if not area.strip():
        raise ServiceError("invalid_area", "Say which area the assembly covers.", field="area")


EDITABLE = ("name", "area", "region", "description", "contact")


def update_assembly(
    uow: UnitOfWork, assembly_id: int, by: int | None = None, **changes
) -> Assembly:
    """Edit an assembly's details (not its slug: printed posters link to it)."""
    assembly = uow.session.get(Assembly, assembly_id)
    if assembly is None:
        raise ServiceError("no_such_assembly", "There is no such assembly.", 404)
    values = {name: (changes.get(name, getattr(assembly, name)) or "").strip() for name in EDITABLE}
    _check_details(values["name"], values["area"], values["region"])
    changed = sorted(name for name in EDITABLE if getattr(assembly, name) != values[name])
    if changed:
        for name in changed:
            setattr(assembly, name, values[name])
        uow.session.add(assembly)
        record(uow, AssemblyUpdated(assembly_id, changed, by))
    return assembly


def find_by_slug(session: Session, slug: str) -> Assembly | None:
    """The assembly with this slug, if any."""
    return session.exec(select(Assembly).where(Assembly.slug == slug)).first()


def all_assemblies(session: Session) -> list[Assembly]:
    """Every assembly, by name."""
    return list(session.exec(select(Assembly).order_by(Assembly.name)))


def names_by_id(session: Session, ids: set[int]) -> dict[int, str]:
    """Assembly names for the given ids."""
    if not ids:
        return {}
    rows = session.exec(select(Assembly.id, Assembly.name).where(Assembly.id.in_(ids)))
    return dict(rows.all())


@dataclass(frozen=True)
class AssemblyFacts:
    """What a higher floor may know of an assembly: its id, short name, name and region."""

    id: int
    slug: str
    name: str
    region: str


def assembly_facts(session: Session, assembly_id: int) -> AssemblyFacts | None:
    """An assembly's slug, name and region (the query the House of the People's projection
    uses, so that it never reads the assembly table itself), or None if there is none."""
    row = session.exec(
        select(Assembly.id, Assembly.slug, Assembly.name, Assembly.region).where(
            Assembly.id == assembly_id
        )
    ).first()
    return AssemblyFacts(*row) if row else None

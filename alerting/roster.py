"""Staff and shifts changed through the API: validated, applied at once, kept in the database.

The facility file is the base. An API change is stored in ``rosters`` with a
hash of the file's roster it was made over; at start the stored roster is
applied only while the file's roster is still that base. Edit the file and
restart, and the file wins (with a warning naming the overridden change).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import MutableMapping, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from alerting.channels import Channels
from alerting.schema import rosters
from shouhu.errors import ConfigError, ShouhuError
from shouhu.facility import Facility, Shift, Staff

log = logging.getLogger(__name__)


class RosterError(ShouhuError):
    """A roster change that would make the facility invalid; nothing was changed."""


def roster_hash(facility: Facility) -> str:
    data = {
        "staff": [s.model_dump() for s in facility.staff],
        "shifts": [s.model_dump() for s in facility.shifts],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Roster:
    def __init__(
        self, engine: AsyncEngine, facilities: MutableMapping[str, Facility], channels: Channels
    ) -> None:
        self.engine = engine
        self.facilities = facilities
        self.channels = channels
        self._base = {fid: roster_hash(f) for fid, f in facilities.items()}

    async def load(self) -> None:
        """Apply stored API changes over the facility files (see the module doc)."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(rosters))).all()
        for row in rows:
            facility = self.facilities.get(row.facility)
            if facility is None:
                continue
            stored = json.loads(row.staff)
            if stored.get("base") != self._base[row.facility]:
                log.warning(
                    "%s: the facility file's staff or shifts changed since the API change by %s;"
                    " using the file",
                    row.facility,
                    row.updated_by,
                )
                continue
            try:
                updated = self._validated(facility, stored["staff"], json.loads(row.shifts))
            except RosterError as exc:
                log.error(
                    "%s: the API change by %s no longer fits the file (%s); using the file",
                    row.facility,
                    row.updated_by,
                    exc,
                )
                continue
            self.facilities[row.facility] = updated
            log.info("%s: staff and shifts from the API change by %s", row.facility, row.updated_by)

    async def put_staff(self, facility_id: str, member: Staff, *, by: str, now: float) -> Staff:
        facility = self._facility(facility_id)
        staff = [s for s in facility.staff if s.id != member.id]
        index = next((i for i, s in enumerate(facility.staff) if s.id == member.id), len(staff))
        staff.insert(index, member)
        await self._save(facility, [s.model_dump() for s in staff], None, by=by, now=now)
        return member

    async def delete_staff(self, facility_id: str, staff_id: str, *, by: str, now: float) -> None:
        facility = self._facility(facility_id)
        if facility.member(staff_id) is None:
            raise KeyError(staff_id)
        staff = [s.model_dump() for s in facility.staff if s.id != staff_id]
        await self._save(facility, staff, None, by=by, now=now)

    async def put_shifts(
        self, facility_id: str, shifts: Sequence[Shift], *, by: str, now: float
    ) -> None:
        facility = self._facility(facility_id)
        staff = [s.model_dump() for s in facility.staff]
        await self._save(facility, staff, [s.model_dump() for s in shifts], by=by, now=now)

    def _facility(self, facility_id: str) -> Facility:
        facility = self.facilities.get(facility_id)
        if facility is None:
            raise KeyError(facility_id)
        return facility

    async def _save(
        self,
        facility: Facility,
        staff: list[dict[str, Any]],
        shifts: list[dict[str, Any]] | None,
        *,
        by: str,
        now: float,
    ) -> None:
        shift_data = shifts if shifts is not None else [s.model_dump() for s in facility.shifts]
        updated = self._validated(facility, staff, shift_data)
        values = {
            "staff": json.dumps({"base": self._base[facility.id], "staff": staff}),
            "shifts": json.dumps(shift_data),
            "updated_at": now,
            "updated_by": by,
        }
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                rosters.update().where(rosters.c.facility == facility.id).values(**values)
            )
            if changed.rowcount == 0:
                await conn.execute(rosters.insert().values(facility=facility.id, **values))
        self.facilities[facility.id] = updated  # committed first, then in force
        log.info("%s: staff and shifts changed by %s", facility.id, by)

    def _validated(
        self, facility: Facility, staff: list[dict[str, Any]], shifts: list[dict[str, Any]]
    ) -> Facility:
        data = facility.model_dump()
        data.update(staff=staff, shifts=shifts)
        try:
            updated = Facility.model_validate(data)
            self.channels.validate(updated)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            raise RosterError(f"{where}: {message}" if where else message) from exc
        except ConfigError as exc:
            raise RosterError(str(exc)) from exc
        return updated

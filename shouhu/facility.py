"""The facility file: who lives where, which device is whose, who is on duty.

Loaded once at start and validated; an error names the file, the line and
the field, e.g. ``examples/facility.yaml:42: residents[3].age: Input should
be a valid integer``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shouhu.errors import ConfigError

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Id = Annotated[str, Field(pattern=_ID)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_hhmm(value: str) -> dt.time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"expected a time as HH:MM, got {value!r}")
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeRange(_Model):
    """A daily span, which may run past midnight (22:00 to 07:00)."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        _parse_hhmm(value)
        return value

    def contains(self, moment: dt.time) -> bool:
        start, end = _parse_hhmm(self.start), _parse_hhmm(self.end)
        if start <= end:
            return start <= moment < end
        return moment >= start or moment < end


class Info(_Model):
    id: Id
    name: str
    address: str
    access_instructions: str = ""
    phone: str = ""
    timezone: str = "UTC"
    night: TimeRange = TimeRange(start="22:00", end="07:00")
    # The language of what Shouhu sends: pages, emergency dispatch, the handover sheet.
    language: Literal["en", "zh-CN"] = "en"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Zone(_Model):
    id: Id
    name: str


class Contact(_Model):
    name: str
    relation: str = ""
    phone: str = ""


class Baselines(_Model):
    """Configured overrides of what Shouhu learns from a resident's nights."""

    hr_sleep: float | None = Field(None, ge=20, le=200)
    rr_sleep: float | None = Field(None, ge=4, le=60)
    spo2: float | None = Field(None, ge=50, le=100)
    hr_max: float | None = Field(None, ge=40, le=250)


class Resident(_Model):
    id: Id
    name: str
    age: int = Field(ge=0, le=130)
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    room: str
    bed: str = ""
    zone: Id
    conditions: list[str] = []
    dnr: bool = False
    allergies: list[str] = []
    medications: list[str] = []
    emergency_contact: Contact | None = None
    baselines: Baselines = Baselines()
    bed_exit_minutes: float = Field(20, gt=0, le=720)

    @property
    def hypercapnic(self) -> bool:
        """Whether NEWS2 SpO2 Scale 2 applies (COPD with hypercapnic failure)."""
        lowered = {c.lower() for c in self.conditions}
        return bool(lowered & {"copd", "hypercapnic_respiratory_failure"})


class Device(_Model):
    id: Id
    kind: Literal["wearable", "bed", "button"]
    resident: Id | None = None
    placement: Literal["wrist", "waist", "pendant", "bed", "wall"] | None = None
    interval_s: float = Field(1.0, gt=0, le=3600)  # how often it reports

    @model_validator(mode="after")
    def _placement_fits_kind(self) -> Device:
        if self.kind == "wearable" and self.placement not in (None, "wrist", "waist", "pendant"):
            raise ValueError("a wearable is worn at the wrist, waist or pendant")
        return self


class Shift(_Model):
    id: Id
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        _parse_hhmm(value)
        return value

    @property
    def span(self) -> TimeRange:
        return TimeRange(start=self.start, end=self.end)


Role = Literal["nurse", "charge_nurse", "doctor", "manager"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Staff(_Model):
    id: Id
    name: str
    role: Role
    zones: list[Id] = []
    shifts: list[Id] = []
    days: list[Weekday] = list(WEEKDAYS)
    contacts: list[str] = []  # Apprise URLs: mailto://, json://, dingtalk://, ...
    phone: str = ""


EscalationTarget = Literal[
    "zone_nurses", "charge_nurse", "all_nurses", "doctor", "manager", "emergency_services"
]


class EscalationStep(_Model):
    target: EscalationTarget
    after_s: float = Field(0, ge=0, le=86400)  # seconds after the incident opened


class EscalationPolicy(_Model):
    high: list[EscalationStep] = [
        EscalationStep(target="zone_nurses", after_s=0),
        EscalationStep(target="charge_nurse", after_s=30),
        EscalationStep(target="all_nurses", after_s=30),
        EscalationStep(target="emergency_services", after_s=90),
    ]
    medium: list[EscalationStep] = [
        EscalationStep(target="zone_nurses", after_s=0),
        EscalationStep(target="charge_nurse", after_s=120),
        EscalationStep(target="all_nurses", after_s=300),
    ]
    low: list[EscalationStep] = [
        EscalationStep(target="zone_nurses", after_s=0),
        EscalationStep(target="charge_nurse", after_s=1800),
    ]
    reminder_s: float = Field(300, gt=0)  # repeat for accepted, unresolved incidents
    # A page not delivered this long after it was created is a paging failure (a technical
    # alarm) and brings the next step forward; a handheld that does not confirm receipt
    # within receipt_timeout_s is tried on the person's next channel (Staff.contacts).
    page_deadline_s: float = Field(30, gt=0, le=3600)
    receipt_timeout_s: float = Field(10, gt=0, le=3600)
    # Kinds that skip the ladder and call emergency services at once.
    immediate_emergency: list[str] = ["no_vital_signs"]


class EmergencyServices(_Model):
    name: str = "120"
    channel: str = ""  # an Apprise URL; empty = dispatch sheet only, shown on the board
    fallback: list[str] = []  # tried in order when the channel fails


class Facility(_Model):
    facility: Info
    zones: list[Zone]
    shifts: list[Shift] = [
        Shift(id="day", start="07:00", end="19:00"),
        Shift(id="night", start="19:00", end="07:00"),
    ]
    residents: list[Resident]
    devices: list[Device]
    staff: list[Staff]
    escalation: EscalationPolicy = EscalationPolicy()
    emergency_services: EmergencyServices = EmergencyServices()

    @model_validator(mode="after")
    def _references_resolve(self) -> Facility:
        _unique("zones", [z.id for z in self.zones])
        _unique("residents", [r.id for r in self.residents])
        _unique("devices", [d.id for d in self.devices])
        _unique("staff", [s.id for s in self.staff])
        _unique("shifts", [s.id for s in self.shifts])
        zones = {z.id for z in self.zones}
        residents = {r.id for r in self.residents}
        shifts = {s.id for s in self.shifts}
        for i, resident in enumerate(self.residents):
            if resident.zone not in zones:
                raise AtPath(("residents", i, "zone"), f"unknown zone {resident.zone!r}")
        for i, device in enumerate(self.devices):
            if device.resident is not None and device.resident not in residents:
                raise AtPath(("devices", i, "resident"), f"unknown resident {device.resident!r}")
        for i, member in enumerate(self.staff):
            for j, zone in enumerate(member.zones):
                if zone not in zones:
                    raise AtPath(("staff", i, "zones", j), f"unknown zone {zone!r}")
            for j, shift in enumerate(member.shifts):
                if shift not in shifts:
                    raise AtPath(("staff", i, "shifts", j), f"unknown shift {shift!r}")
        return self

    @property
    def id(self) -> str:
        return self.facility.id

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.facility.timezone)

    @property
    def language(self) -> str:
        return self.facility.language

    def resident(self, resident_id: str) -> Resident | None:
        return next((r for r in self.residents if r.id == resident_id), None)

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def member(self, staff_id: str) -> Staff | None:
        return next((s for s in self.staff if s.id == staff_id), None)

    def is_night(self, ts: float) -> bool:
        local = dt.datetime.fromtimestamp(ts, self.tz).time()
        return self.facility.night.contains(local)


class AtPath(ValueError):
    """A cross-reference error that knows where in the file it belongs."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _unique(section: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise AtPath((section, i, "id"), f"duplicate id {value!r}")
        seen.add(value)


def load_facility(path: str | Path) -> Facility:
    """Read and validate a facility file, or raise ConfigError naming file:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read facility file: {exc.strerror}") from exc
    return parse_facility(text, source=str(path))


def parse_facility(text: str, *, source: str = "<facility>") -> Facility:
    shape = "a facility file is a mapping with 'facility', 'residents', ..."
    return parse_yaml_model(text, Facility, source=source, shape=shape)


M = TypeVar("M", bound=BaseModel)


def parse_yaml_model(text: str, model: type[M], *, source: str, shape: str) -> M:
    """Validate a YAML document against ``model``; ConfigError names ``source:line: field``.

    A validator that raises ``AtPath`` places its error at that path's line.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        context = ""
        if exc.context and exc.context_mark is not None:
            context = f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise ConfigError(f"{source}:{line}: invalid YAML: {exc.problem}{context}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: {shape}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise located_error(exc, root, source) from exc


def located_error(
    exc: ValidationError | AtPath, root: yaml.Node | None, source: str
) -> ConfigError:
    """A ConfigError naming ``source:line: field: message`` for a validation failure."""
    if isinstance(exc, AtPath):
        loc, message, more = exc.loc, str(exc), ""
    else:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        message = first["msg"]
        ctx_error = (first.get("ctx") or {}).get("error")
        if isinstance(ctx_error, AtPath):
            loc, message = ctx_error.loc, str(ctx_error)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return ConfigError(f"{source}:{line_of(root, loc)}: {dotted(loc)}: {message}{more}")


def dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest node of ``loc`` present in the YAML tree."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line

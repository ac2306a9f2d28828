"""Scenarios: which facility, which span of time, which seed, which emergencies.

A scenario is built in code (``Scenario(facility=..., start=<unix>, ...)``) or
read from YAML by ``load_scenario``; errors in the file name ``file:line: field``
like the facility file's do. In YAML, times are local to the facility's time
zone: ``start: "2026-11-29 21:00"``, an event ``at: "02:13"`` (the first 02:13
at or after the start), ``at: "+90m"`` (after the start) or a full date-time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shouhu.errors import ConfigError
from shouhu.facility import (
    AtPath,
    Facility,
    line_of,
    load_facility,
    located_error,
    parse_yaml_model,
)
from simulator.truth import TruthKind

EventKind = TruthKind
Speed = float | Literal["max"]
MAX_DURATION_S = 2 * 86400.0  # memory grows with the span (~0.5 MB per resident-hour)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceRealism(_Model):
    """How imperfect the devices are. The defaults are what real hardware does."""

    bed_missing: tuple[float, float] = (0.20, 0.30)  # share of bed samples lost, per sensor
    duplicate_rate: float = Field(0.002, ge=0, le=0.5)  # QoS 1 redeliveries
    reorder_rate: float = Field(0.003, ge=0, le=0.5)  # messages that arrive 1-3 s late
    clock_skew_s: float = Field(0.5, ge=0, le=600)  # s.d. of device clock offsets
    acc_hz: float = Field(50.0, gt=0, le=200)
    artifacts: bool = True  # motion artifacts in wearable HR and SpO2


class ScriptedEvent(_Model):
    """One scripted emergency. ``at`` is Unix seconds (the onset in the ground truth)."""

    at: float
    resident: str
    kind: EventKind
    severity: float = Field(0.7, ge=0, le=1)
    duration_s: float | None = Field(None, gt=0, le=MAX_DURATION_S)  # default per kind
    device: str | None = None  # device faults: which device (default: the wearable)
    outcome: Literal["still", "struggling"] = "still"  # fall: what the resident does after
    device_event: bool = False  # fall: the wearable's own fall algorithm also reports it
    course: Literal["sudden", "gradual"] = "sudden"  # chest distress: abrupt, or a silent build
    exercise: bool = False  # a drill: every message about it carries exercise: true


class Scenario(_Model):
    facility: Facility
    start: float  # Unix seconds
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)
    seed: int = 0
    speed: Speed = "max"  # real-time factor when publishing, or as fast as possible
    events: list[ScriptedEvent] = []
    residents: list[str] | None = None  # simulate only these (default: everyone)
    devices: DeviceRealism = DeviceRealism()
    name: str = ""

    @model_validator(mode="after")
    def _events_fit(self) -> Scenario:
        if isinstance(self.speed, float) and self.speed <= 0:
            raise AtPath(("speed",), "speed must be positive, or 'max'")
        known = {r.id for r in self.facility.residents}
        for i, resident in enumerate(self.residents or []):
            if resident not in known:
                raise AtPath(("residents", i), f"unknown resident {resident!r}")
        chosen = set(self.residents) if self.residents is not None else known
        for i, event in enumerate(self.events):
            _check_event(self, event, i, chosen)
        return self

    @property
    def end(self) -> float:
        return self.start + self.duration_s

    @property
    def simulated(self) -> list[str]:
        """The residents this scenario simulates, in facility order."""
        chosen = set(self.residents) if self.residents is not None else None
        return [r.id for r in self.facility.residents if chosen is None or r.id in chosen]


def starting_at(scenario: Scenario, start: float) -> Scenario:
    """The same scenario from ``start`` (whole seconds); events keep their offsets."""
    start = float(int(start))
    shift = start - scenario.start
    events = [e.model_copy(update={"at": e.at + shift}) for e in scenario.events]
    return scenario.model_copy(update={"start": start, "events": events})


def _check_event(scenario: Scenario, event: ScriptedEvent, i: int, chosen: set[str]) -> None:
    if event.resident not in chosen:
        raise AtPath(("events", i, "resident"), f"resident {event.resident!r} is not simulated")
    if not scenario.start <= event.at < scenario.end:
        raise AtPath(("events", i, "at"), "the event falls outside the scenario's time span")
    if event.device is not None:
        device = scenario.facility.device(event.device)
        if device is None or device.resident != event.resident:
            raise AtPath(
                ("events", i, "device"), f"{event.device!r} is not a device of {event.resident}"
            )
    kinds = {d.kind for d in scenario.facility.devices if d.resident == event.resident}
    needs = {"sos": {"wearable", "button"}, "fall": {"wearable"}, "fall_cancelled": {"wearable"}}
    if event.kind in needs and not kinds & needs[event.kind]:
        raise AtPath(("events", i, "kind"), f"{event.resident} has no device that reports it")


# --- the YAML file -----------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(rf"^\s*(?:{_NUMBER}\s*h)?\s*(?:{_NUMBER}\s*m)?\s*(?:{_NUMBER}\s*s)?\s*$")


class _EventSpec(_Model):
    at: str | float
    resident: str
    kind: EventKind
    severity: float = Field(0.7, ge=0, le=1)
    duration: str | float | None = None
    device: str | None = None
    outcome: Literal["still", "struggling"] = "still"
    device_event: bool = False
    course: Literal["sudden", "gradual"] = "sudden"
    exercise: bool = False


class _ScenarioFile(_Model):
    name: str = ""
    facility: str
    start: str
    duration: str | float
    seed: int = 0
    speed: Speed = "max"
    residents: list[str] | None = None
    devices: DeviceRealism = DeviceRealism()
    events: list[_EventSpec] = []


def parse_duration(value: str | float) -> float:
    """``"9h"``, ``"1h30m"``, ``"90m"``, ``"45s"`` or a number of seconds."""
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match or not any(match.groups()):
            raise ValueError(f"expected a duration like 9h, 1h30m, 90m or 45s, got {value!r}")
        h, m, s = (float(g) if g else 0.0 for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


def parse_local(value: str, tz: dt.tzinfo) -> float:
    """``"2026-11-29 21:00"`` (or ISO 8601) in the facility's zone -> Unix seconds."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(
            f"expected a local date-time like '2026-11-29 21:00', got {value!r}"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.timestamp()


def resolve_at(value: str | float, *, start: float, tz: dt.tzinfo) -> float:
    """An event time: seconds or ``+90m`` after the start, ``HH:MM[:SS]``, or a date-time."""
    if isinstance(value, int | float):
        return start + float(value)
    text = value.strip()
    if text.startswith("+"):
        return start + parse_duration(text[1:])
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        hour, minute, *rest = (int(part) for part in text.split(":"))
        clock = dt.time(hour, minute, rest[0] if rest else 0)
        local = dt.datetime.fromtimestamp(start, tz)
        moment = dt.datetime.combine(local.date(), clock, tzinfo=tz)
        if moment.timestamp() < start:
            moment = dt.datetime.combine(local.date() + dt.timedelta(days=1), clock, tzinfo=tz)
        return moment.timestamp()
    return parse_local(text, tz)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (and the facility file it names), or raise ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read scenario file: {exc.strerror}") from exc
    return parse_scenario(text, source=str(path), base=path.parent)


def parse_scenario(text: str, *, source: str = "<scenario>", base: Path = Path(".")) -> Scenario:
    shape = "a scenario file is a mapping with 'facility', 'start', 'duration', 'events', ..."
    spec = parse_yaml_model(text, _ScenarioFile, source=source, shape=shape)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    facility_path = Path(spec.facility)
    if not facility_path.is_absolute():
        facility_path = base / facility_path
    try:
        facility = load_facility(facility_path)
        return _build(spec, facility)
    except AtPath as exc:
        raise located_error(exc, root, source) from exc
    except ValidationError as exc:
        raise located_error(exc, root, source) from exc
    except ConfigError as exc:
        raise ConfigError(f"{source}:{line_of(root, ('facility',))}: facility: {exc}") from exc


def _build(spec: _ScenarioFile, facility: Facility) -> Scenario:
    tz = facility.tz
    with _located("start"):
        start = parse_local(spec.start, tz)
    with _located("duration"):
        duration = parse_duration(spec.duration)
        if duration > MAX_DURATION_S:
            raise ValueError(f"at most {MAX_DURATION_S / 3600:.0f} h: split longer spans")
    events = []
    for i, e in enumerate(spec.events):
        with _located("events", i, "at"):
            at = resolve_at(e.at, start=start, tz=tz)
        with _located("events", i, "duration"):
            length = None if e.duration is None else parse_duration(e.duration)
        fields = e.model_dump(exclude={"at", "duration"})
        events.append(ScriptedEvent(at=at, duration_s=length, **fields))
    return Scenario(
        facility=facility,
        start=start,
        duration_s=duration,
        seed=spec.seed,
        speed=spec.speed,
        events=events,
        residents=spec.residents,
        devices=spec.devices,
        name=spec.name,
    )


@contextlib.contextmanager
def _located(*loc: str | int) -> Iterator[None]:
    try:
        yield
    except ValueError as exc:
        raise AtPath(loc, str(exc)) from exc

from __future__ import annotations

import json

import jsonschema
import pytest

from gateway.protocol import SCHEMAS
from gateway.schemas import render
from shouhu.facility import Facility
from simulator.engine import Simulation
from simulator.scenario import Scenario, ScriptedEvent
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "schemas"


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_published_schemas_are_current(name: str) -> None:
    assert (DOCS / f"{name}.json").read_text(encoding="utf-8") == render(name), (
        "docs/schemas is stale: run `shouhu schemas`"
    )


def test_simulated_messages_pass_the_published_schemas(facility: Facility) -> None:
    telemetry = json.loads((DOCS / "telemetry.json").read_text())
    event = json.loads((DOCS / "event.json").read_text())
    status = json.loads((DOCS / "status.json").read_text())
    start = 1_764_353_580.0
    sos = ScriptedEvent(at=start + 30, resident="r-001", kind="sos")
    scenario = Scenario(facility=facility, start=start, duration_s=60, seed=3, events=[sos])
    messages = list(Simulation(scenario).messages())
    assert any(m.topic.endswith("/event") for m in messages)
    checker = jsonschema.FormatChecker()
    validators = {
        name: jsonschema.Draft202012Validator(schema, format_checker=checker)
        for name, schema in (("telemetry", telemetry), ("event", event), ("status", status))
    }
    for message in messages:
        validators[message.topic.rsplit("/", 1)[1]].validate(json.loads(message.payload))

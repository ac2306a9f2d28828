from __future__ import annotations

import json

import jsonschema
import pytest

from gateway.protocol import SCHEMAS
from gateway.schemas import render
from shouhu.facility import Facility
from simulator.stream import SteadyStream
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
    stream = SteadyStream(facility, seed=3)
    messages = list(stream.second(1_764_353_580.0))
    messages.append(stream.event(stream.wearable_of("r-001"), 1_764_353_581.0, "sos"))
    for message in messages:
        schema = event if message.topic.endswith("/event") else telemetry
        jsonschema.validate(
            json.loads(message.payload), schema, format_checker=jsonschema.FormatChecker()
        )

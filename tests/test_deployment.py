"""docker-compose cannot run here (no Docker engine): check what can be checked by reading it."""

from __future__ import annotations

import yaml

from shouhu.broker import mosquitto_config
from tests.conftest import ROOT


def test_compose_wires_broker_database_and_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"mosquitto", "postgres", "shouhu"} <= set(services)
    env = services["shouhu"]["environment"]
    assert env["SHOUHU_MQTT_URL"] == "mqtt://mosquitto:1883"
    assert env["SHOUHU_DB_URL"].startswith("postgresql://")
    assert (ROOT / env["SHOUHU_FACILITY"].replace("/etc/shouhu/", "examples/")).exists()
    mounted = services["mosquitto"]["volumes"][0].split(":")[0]
    assert (ROOT / mounted).exists()
    assert (ROOT / "Dockerfile").exists()


def _option(conf: str, name: str) -> int:
    values = [line.split()[1] for line in conf.splitlines() if line.startswith(name + " ")]
    assert values, f"{name} not set"
    return int(values[0])


def test_mosquitto_queues_bursts_instead_of_dropping_them() -> None:
    # At the default max_queued_messages of 1000, over half of a 100k burst was dropped.
    for conf in ((ROOT / "deploy" / "mosquitto.conf").read_text(), mosquitto_config(1883)):
        assert _option(conf, "max_queued_messages") >= 100_000

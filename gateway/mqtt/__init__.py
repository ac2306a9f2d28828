"""The MQTT seam. The only package that imports MQTT client libraries.

Which client where (figures from ``shouhu bench``, docs/performance.md):

- Ingest, the firehose of telemetry, uses **gmqtt**. A bare subscriber took
  QoS 1 messages about 3x faster with gmqtt than with aiomqtt here (e.g.
  60k vs 19k msg/s), and a profile of the core at 5,000 msg/s showed paho's
  per-packet work (under aiomqtt) taking over half of the process's CPU,
  against a few per cent for Shouhu's own decoding and detectors.
- Egress (pages, incident states, dead letters) uses **aiomqtt**, whose
  ``publish`` returns once the broker has acknowledged a QoS 1 message: a
  page counts as sent only then. Its rates are low; its own connection
  keeps pages from queueing behind an ingest backlog.
- Tools (simulator, bench probe, demo) use aiomqtt for the same reason;
  the load generator uses paho directly (``FastPublisher``), which keeps
  thousands of QoS 1 messages in flight where aiomqtt awaits each one.
"""

from gateway.mqtt.address import BrokerAddress, parse_url, wait_for_broker
from gateway.mqtt.bus import Handler, MqttBus
from gateway.mqtt.publisher import FastPublisher
from gateway.mqtt.tools import MqttClient

__all__ = [
    "BrokerAddress",
    "FastPublisher",
    "Handler",
    "MqttBus",
    "MqttClient",
    "parse_url",
    "wait_for_broker",
]

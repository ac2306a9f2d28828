"""Facts as JSON, to store with an incident and render again later.

A fact is ``{"key": ..., "params": {...}}``; a param that is a fact is such
an object, a tuple of facts is a list of them, anything else is a JSON scalar.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shouhu.domain import Fact, FactValue


def facts_to_json(facts: Sequence[Fact]) -> list[dict[str, Any]]:
    return [_encode(fact) for fact in facts]


def facts_from_json(data: object) -> tuple[Fact, ...]:
    """The facts in ``data``; ValueError if it is not a list of facts."""
    if not isinstance(data, list):
        raise ValueError(f"expected a list of facts, got {type(data).__name__}")
    return tuple(_decode(item) for item in data)


def dump_facts(facts: Sequence[Fact]) -> str:
    return json.dumps(facts_to_json(facts), ensure_ascii=False, separators=(",", ":"))


def load_facts(text: str | None) -> tuple[Fact, ...]:
    return facts_from_json(json.loads(text)) if text else ()


def _encode(fact: Fact) -> dict[str, Any]:
    return {"key": fact.key, "params": {k: _encode_value(v) for k, v in fact.params.items()}}


def _encode_value(value: FactValue) -> Any:
    if isinstance(value, Fact):
        return _encode(value)
    if isinstance(value, tuple):
        return [_encode(f) for f in value]
    return value


def _decode(item: object) -> Fact:
    if not isinstance(item, dict) or not isinstance(item.get("key"), str):
        raise ValueError(f"not a fact: {item!r}")
    params = item.get("params") or {}
    if not isinstance(params, dict):
        raise ValueError(f"fact {item['key']}: params must be an object")
    return Fact(item["key"], **{str(k): _decode_value(v) for k, v in params.items()})


def _decode_value(value: object) -> FactValue:
    if isinstance(value, dict):
        return _decode(value)
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"not a fact value: {value!r}")

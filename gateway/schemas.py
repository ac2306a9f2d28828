"""JSON Schemas of the protocol's messages, generated from the payload models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.protocol import SCHEMAS


def schema_of(name: str) -> dict[str, Any]:
    schema = SCHEMAS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://shouhu.dev/schemas/v1/{name}.json"
    return schema


def render(name: str) -> str:
    return json.dumps(schema_of(name), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = out / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written

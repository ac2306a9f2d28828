"""Evidence and summaries in both languages: the incident, its timeline, the board."""

from __future__ import annotations

import pytest

from shouhu.domain import AlertKind, Fact, Priority
from tests.api.conftest import Env

pytestmark = [pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]

FALL = (
    Fact(
        "fall.impact", peak=4.5, at="02:13:08", how=Fact("fall.still"), still=9.0,
        part=Fact("fall.body"), tilt=80.0,
    ),
    Fact("fall.cancelled", at="02:13:12"),
)  # fmt: skip
FALL_EN = (
    "Hard impact (4.5 g) at 02:13:08, then lying still for 9 s (body turned 80° from its"
    " position before the impact). The resident pressed cancel at 02:13:12; check on them anyway."
)
FALL_ZH = (
    "02:13:08 受到强烈撞击（4.5 g），随后躺着不动 9 秒（身体较撞击前转动了 80°）。"
    "住户在 02:13:12 按了取消；仍请去查看。"
)


async def test_an_incident_reads_in_english_and_in_chinese(env: Env) -> None:
    opened = await env.open_incident(
        "r-007", kind=AlertKind.FALL, priority=Priority.MEDIUM, facts=FALL
    )
    nurse = await env.as_user("nurse-east")
    incident = (await nurse.get(f"/api/v1/incidents/{opened.id}")).json()
    assert incident["evidence"] == FALL_EN  # the English text, as before
    assert incident["evidence_i18n"] == {"en": FALL_EN, "zh-CN": FALL_ZH}
    assert incident["summary_i18n"] == {
        "en": "Fall detected: 黄德福, room 207",
        "zh-CN": "检测到跌倒：黄德福，207 房",
    }
    detected = next(e for e in incident["timeline"] if e["type"] == "detected")
    assert detected["evidence_i18n"] == {"en": FALL_EN, "zh-CN": FALL_ZH}
    paged = next(e for e in incident["timeline"] if e["type"] == "paged")
    assert paged["evidence_i18n"] is None

    card = next(
        i for i in (await nurse.get("/api/v1/board")).json()["items"] if i["id"] == opened.id
    )
    assert card["evidence_i18n"]["zh-CN"] == FALL_ZH
    assert card["summary_i18n"]["zh-CN"] == "检测到跌倒：黄德福，207 房"


async def test_new_evidence_joins_in_both_languages(env: Env) -> None:
    key = "test-join-words"
    first = await env.open_incident(
        "r-008", kind=AlertKind.SOS, key=key, facts=(Fact("sos.pressed"),)
    )
    up = (Fact("fall.up_again", since="02:20:00"),)
    joined = await env.open_incident("r-008", kind=AlertKind.SOS, key=key, facts=up)
    assert joined.id == first.id
    incident = (await (await env.as_user("charge")).get(f"/api/v1/incidents/{first.id}")).json()
    assert incident["evidence_i18n"] == {
        "en": "Up again: upright since 02:20:00.",
        "zh-CN": "已起身：自 02:20:00 起保持直立。",
    }
    updated = [e for e in incident["timeline"] if e["type"] == "updated"]
    assert updated[-1]["evidence_i18n"]["zh-CN"] == "已起身：自 02:20:00 起保持直立。"


async def test_evidence_without_facts_shows_its_english_in_both(env: Env) -> None:
    opened = await env.open_incident("r-009")  # a test alert: English text, no facts
    incident = (await (await env.as_user("charge")).get(f"/api/v1/incidents/{opened.id}")).json()
    assert incident["evidence_i18n"] == {"en": "sos for r-009", "zh-CN": "sos for r-009"}
    assert incident["summary_i18n"]["zh-CN"].startswith("SOS 呼叫：")

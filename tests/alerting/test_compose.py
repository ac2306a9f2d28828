"""Pages and the dispatch message in the facility's language; English stays available."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from alerting.compose import compose_page
from alerting.emergency import dispatch_facts, dispatch_text
from alerting.incidents import Incident, State, TimelineEvent, summary_fact
from alerting.page_outbox import PageRecord
from alerting.paging import EMERGENCY_SERVICES
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Priority
from shouhu.facility import Facility

NIGHT = dt.datetime(2026, 11, 30, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
EVIDENCE = (
    Fact(
        "chest.signs",
        count=2,
        signs=(
            Fact("chest.hr", value=104.0, usual=64.0, held=52.0),
            Fact("chest.spo2", value=90.0, usual=95.0, held=40.0),
        ),
    ),
)


def in_language(facility: Facility, language: str) -> Facility:
    info = facility.facility.model_copy(update={"language": language})
    return facility.model_copy(update={"facility": info})


def incident(*, exercise: bool = False) -> Incident:
    alert = Alert(
        "demo-home", "r-007", AlertKind.CHEST_DISTRESS, Priority.HIGH, NIGHT,
        english(EVIDENCE), facts=EVIDENCE, exercise=exercise,
    )  # fmt: skip
    summary = summary_fact(alert, "黄德福", "207")
    return Incident(
        id="inc-1", facility="demo-home", resident="r-007", kind=alert.kind,
        priority=alert.priority, state=State.PAGED, opened_at=NIGHT, updated_at=NIGHT,
        summary=english((summary,)), evidence=alert.evidence, exercise=exercise,
        summary_facts=(summary,), evidence_facts=EVIDENCE,
        timeline=(TimelineEvent(NIGHT, "detected", "system", detail={"onset": NIGHT - 60}),),
    )  # fmt: skip


def record(staff: str, purpose: str = "escalation") -> PageRecord:
    return PageRecord(
        f"inc-1.1.{staff}", "inc-1", "demo-home", staff, 1, purpose, "", 0, 0, "pending",
        NIGHT, None, NIGHT + 30, False, "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "summary", "title", "lines"),
    [
        (
            "en",
            "Chest distress suspected: 黄德福, room 207",
            "[Reminder] [HIGH] Chest distress suspected: 黄德福, room 207",
            [
                "Priority: high   Incident: inc-1",
                "Detected: Possible chest distress: 2 signs together. heart rate 104/min"
                " (usual asleep 64) for 52 s; SpO2 down to 90% (usual asleep 95) for 40 s.",
                "Latest vitals: hr 104.0, spo2 90.0, worn yes",
                "Still open: resolve it when the resident is safe.",
                "Page id: inc-1.1.n-e-night",
            ],
        ),
        (
            "zh-CN",
            "疑似胸部不适：黄德福，207 房",
            "[提醒] [高] 疑似胸部不适：黄德福，207 房",
            [
                "优先级：高   事件：inc-1",
                "检测到：疑似胸部不适：2 项体征同时出现。心率 104 次/分（平时睡眠 64）持续 52 秒；"
                "血氧降至 90%（平时睡眠 95%）持续 40 秒。",
                "最新生命体征：心率 104.0，血氧 90.0，佩戴 是",
                "事件仍未结束：住户安全后请结束事件。",
                "呼叫编号：inc-1.1.n-e-night",
            ],
        ),
    ],
)
def test_a_page_to_a_nurse_is_in_the_facilitys_language(
    facility: Facility, language: str, summary: str, title: str, lines: list[str]
) -> None:
    home = in_language(facility, language)
    vitals = {"hr": 104.0, "spo2": 90.0, "worn": True}
    page = compose_page(record("n-e-night", "reminder"), incident(), home, vitals)
    assert page.language == language
    assert page.summary == summary and page.title == title
    assert page.body.splitlines() == [summary, *lines]


def test_a_drill_says_so_first_in_either_language(facility: Facility) -> None:
    drill = incident(exercise=True)
    assert drill.summary == "DRILL: Chest distress suspected: 黄德福, room 207"
    page = compose_page(record("n-e-night"), drill, in_language(facility, "zh-CN"), {})
    assert page.summary == "演练：疑似胸部不适：黄德福，207 房"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "EMERGENCY at 守护示范养老院 (Shouhu Demo Care Home)",
                "Patient: 黄德福, 89, male, room 207 bed A",
                "DNR: no",
                "Conditions: dementia",
                "Allergies: penicillin",
                "What: Chest distress suspected: 黄德福, room 207 (Possible chest distress: 2 signs"
                " together. heart rate 104/min (usual asleep 64) for 52 s; SpO2 down to 90%"
                " (usual asleep 95) for 40 s.)",
                "Latest vitals: Heart rate 104/min, SpO2 90%",
                "With the patient: staff on the way",
            ],
        ),
        (
            "zh-CN",
            [
                "紧急呼救：守护示范养老院 (Shouhu Demo Care Home)",
                "患者：黄德福，89 岁，男，207 房 A 床",
                "DNR（不施行心肺复苏）：否",
                "病史：dementia",
                "过敏：penicillin",
                "情况：疑似胸部不适：黄德福，207 房（疑似胸部不适：2 项体征同时出现。心率 104 次/分"
                "（平时睡眠 64）持续 52 秒；血氧降至 90%（平时睡眠 95%）持续 40 秒。）",
                "最新生命体征：心率 104 次/分，血氧 90%",
                "在患者身边：工作人员正在赶来",
            ],
        ),
    ],
)
def test_the_dispatch_message_is_in_the_facilitys_language(
    facility: Facility, language: str, expected: list[str]
) -> None:
    home = in_language(facility, language)
    page = compose_page(record(EMERGENCY_SERVICES), incident(), home, {"hr": 104.0, "spo2": 90.0})
    lines = page.body.splitlines()
    for line in expected:
        assert line in lines, line
    assert page.dispatch is not None and page.dispatch["language"] == language


def test_the_dispatch_facts_carry_english_and_chinese_whatever_the_language(
    facility: Facility,
) -> None:
    facts = dispatch_facts(in_language(facility, "zh-CN"), incident(), {}, language="zh-CN")
    what = facts["incident"]
    assert what["summary_i18n"] == {
        "en": "Chest distress suspected: 黄德福, room 207",
        "zh-CN": "疑似胸部不适：黄德福，207 房",
    }
    assert what["evidence_i18n"]["en"] == english(EVIDENCE)
    assert what["evidence"] == what["evidence_i18n"]["zh-CN"]
    in_english = dispatch_text(dispatch_facts(facility, incident(), {}, language="en"))
    assert in_english.startswith("EMERGENCY at ")


def test_an_incident_stored_without_facts_pages_its_english_text(facility: Facility) -> None:
    old = replace(incident(), summary_facts=(), evidence_facts=())
    page = compose_page(record("n-e-night"), old, in_language(facility, "zh-CN"), {})
    assert page.summary == "Chest distress suspected: 黄德福, room 207"
    assert "检测到：Possible chest distress: 2 signs together." in page.body

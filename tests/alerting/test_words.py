"""The words catalogs: every message in both languages, numbers and units as a nurse reads them."""

from __future__ import annotations

import logging
import string
import typing

import pytest

from alerting.handover import KEY_EVENTS
from alerting.words import (
    CATALOGS,
    LANGUAGES,
    dump_facts,
    english,
    facts_from_json,
    load_facts,
    localized,
    render,
)
from shouhu.domain import AlertKind, Fact, Priority
from shouhu.facility import Device, Resident, Role

EN, ZH = CATALOGS["en"].messages, CATALOGS["zh-CN"].messages
# Messages whose Chinese is the English: a bracketed tag and a name-value pair.
SAME_IN_BOTH = {"page.title", "page.vital"}


def _fields(template: str) -> dict[str, str]:
    """Placeholder name -> format spec."""
    return {name: spec or "" for _, name, spec, _ in string.Formatter().parse(template) if name}


def _sample(spec: str) -> object:
    if spec in CATALOGS["en"].joiners:
        return (Fact("yes"), Fact("no"))
    return 7.25 if spec else "X"


def test_both_languages_have_the_same_messages_with_the_same_placeholders() -> None:
    assert sorted(EN) == sorted(ZH)
    for key, template in EN.items():
        assert _fields(template) == _fields(ZH[key]), key


@pytest.mark.parametrize("key", sorted(EN))
def test_every_message_renders_in_both_languages(key: str) -> None:
    params = {name: _sample(spec) for name, spec in _fields(EN[key]).items()}
    fact = Fact(key, **params)  # type: ignore[arg-type]
    en, zh = render((fact,), "en"), render((fact,), "zh-CN")
    for text in (en, zh):
        assert text and "{" not in text and "}" not in text
    if key not in SAME_IN_BOTH:
        assert en != zh, f"{key} is not translated"


@pytest.mark.parametrize(
    ("family", "values"),
    [
        ("kind", [k.value for k in AlertKind]),
        ("priority", [p.value for p in Priority]),
        ("priority_tag", [p.value for p in Priority]),
        ("device", list(typing.get_args(Device.model_fields["kind"].annotation))),
        ("sex", list(typing.get_args(Resident.model_fields["sex"].annotation))),
        ("role", list(typing.get_args(Role))),
        ("event", sorted(KEY_EVENTS)),
        ("news2.param", ["rr", "spo2", "hr", "temp", "sbp", "acvpu", "o2"]),
        ("vital_label", ["hr", "rr", "spo2", "skin_temp"]),
        ("dispatch.vital", ["hr", "rr", "spo2", "skin_temp"]),
    ],
)
def test_words_looked_up_by_value_exist_for_every_value(family: str, values: list[str]) -> None:
    for language in LANGUAGES:
        missing = [v for v in values if f"{family}.{v}" not in CATALOGS[language].messages]
        assert missing == [], f"{language}: no words for {family} {missing}"


def _chest() -> Fact:
    return Fact(
        "chest.signs",
        count=3,
        signs=(
            Fact("chest.hr", value=104.4, usual=63.6, held=52.2),
            Fact("chest.spo2", value=90.0, usual=96.0, held=31.0),
            Fact("chest.restless", held=40.0),
        ),
    )


@pytest.mark.parametrize(
    ("facts", "en", "zh"),
    [
        (
            (_chest(),),
            "Possible chest distress: 3 signs together. heart rate 104/min (usual asleep 64)"
            " for 52 s; SpO2 down to 90% (usual asleep 96) for 31 s;"
            " restless or sitting up in bed for 40 s.",
            "疑似胸部不适：3 项体征同时出现。心率 104 次/分（平时睡眠 64）持续 52 秒；"
            "血氧降至 90%（平时睡眠 96%）持续 31 秒；在床上躁动或坐起，持续 40 秒。",
        ),
        (
            (
                Fact(
                    "chest.signs",
                    count=2,
                    signs=(
                        Fact("chest.rr", value=None, usual=14, held=3),
                        Fact("chest.restless", held=3),
                    ),
                ),
            ),
            "Possible chest distress: 2 signs together. breathing ?/min (usual asleep 14)"
            " for 3 s; restless or sitting up in bed for 3 s.",
            "疑似胸部不适：2 项体征同时出现。呼吸 ? 次/分（平时睡眠 14）持续 3 秒；"
            "在床上躁动或坐起，持续 3 秒。",
        ),
        (
            (Fact("sos.pressed"),),
            "The resident pressed the SOS button.",
            "住户按下了 SOS 求助按钮。",
        ),
        (
            (
                Fact(
                    "fall.impact",
                    peak=4.06,
                    at="02:13:05",
                    how=Fact("fall.still"),
                    still=8.4,
                    part=Fact("fall.wrist"),
                    tilt=71.6,
                ),
                Fact("fall.cancelled", at="02:13:09"),
            ),
            "Hard impact (4.1 g) at 02:13:05, then lying still for 8 s (wrist turned 72° from"
            " its position before the impact). The resident pressed cancel at 02:13:09;"
            " check on them anyway.",
            "02:13:05 受到强烈撞击（4.1 g），随后躺着不动 8 秒（手腕较撞击前转动了 72°）。"
            "住户在 02:13:09 按了取消；仍请去查看。",
        ),
        (
            (
                Fact(
                    "device.battery_low",
                    kind=Fact("device.wearable"),
                    device="wb-207",
                    percent=19.4,
                ),
            ),
            "Wristband/pendant wb-207 battery at 19 %: please charge it.",
            "腕带/挂坠 wb-207 电量 19%：请充电。",
        ),
        (
            (
                Fact(
                    "news2.deteriorating",
                    window=5,
                    held=2,
                    score=Fact(
                        "news2.unmeasured",
                        score=Fact(
                            "news2.total",
                            total=7,
                            parts=(
                                Fact("news2.rr", value=26.0, points=3),
                                Fact("news2.spo2", value=91.0, points=3),
                            ),
                        ),
                        missing=(Fact("news2.param.temp"), Fact("news2.param.sbp")),
                    ),
                ),
                Fact("news2.skin", temp=34.96),
            ),
            "Vital signs deteriorating: NEWS2 7 from respiration rate 26/min (3), SpO2 91% (3);"
            " not measured: temperature, systolic blood pressure; median of the last 5 min,"
            " alarming for 2 min. Skin temperature 35.0 °C (not scored).",
            "生命体征恶化：NEWS2 评分 7：呼吸频率 26 次/分（3 分），血氧 91%（3 分）；"
            "未测量：体温、收缩压；取最近 5 分钟的中位数，已持续报警 2 分钟。"
            "皮肤温度 35.0 °C（不计分）。",
        ),
        (
            (
                Fact(
                    "summary.drill",
                    text=Fact("summary.room", what=Fact("kind.sos"), who="黄德福", room="207"),
                ),
            ),
            "DRILL: SOS button pressed: 黄德福, room 207",
            "演练：SOS 呼叫：黄德福，207 房",
        ),
    ],
)
def test_facts_in_words(facts: tuple[Fact, ...], en: str, zh: str) -> None:
    assert english(facts) == en
    assert render(facts, "zh-CN") == zh
    assert localized(facts, "stored") == {"en": en, "zh-CN": zh}


def test_facts_survive_json() -> None:
    facts = (_chest(), Fact("fall.up_again", since="02:20:00"), Fact("device.unwatched"))
    again = load_facts(dump_facts(facts))
    assert again == facts
    assert english(again) == english(facts)
    assert load_facts("") == () and load_facts(None) == ()


@pytest.mark.parametrize("bad", [{"key": 1}, [{"params": {}}], [{"key": "x", "params": [1]}]])
def test_what_is_not_facts_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        facts_from_json(bad)


def test_without_facts_the_stored_text_stands_in_every_language() -> None:
    assert localized((), "The resident pressed the SOS button.") == dict.fromkeys(
        LANGUAGES, "The resident pressed the SOS button."
    )


def test_a_message_a_later_catalog_dropped_shows_the_stored_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="alerting.words.render"):
        shown = localized((Fact("gone.message", n=1),), "what was stored")
    assert shown == dict.fromkeys(LANGUAGES, "what was stored")
    assert "gone.message" in caplog.text
    with pytest.raises(KeyError):
        render((Fact("gone.message"),), "en")

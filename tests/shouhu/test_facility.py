from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shouhu.errors import ConfigError
from shouhu.facility import load_facility, parse_facility
from tests.conftest import EXAMPLE


def test_example_facility_is_complete() -> None:
    facility = load_facility(EXAMPLE)
    assert len(facility.residents) >= 24
    for resident in facility.residents:
        kinds = {d.kind for d in facility.devices if d.resident == resident.id}
        assert {"wearable", "bed"} <= kinds, resident.id
    roles_shifts = {(s.role, shift) for s in facility.staff for shift in s.shifts}
    assert ("nurse", "day") in roles_shifts and ("nurse", "night") in roles_shifts


def _edited(old: str, new: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return (
        text.splitlines().index(needle) + 1
        if needle in text.splitlines()
        else next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    age: 82", "    age: old", "residents[0].age", "valid integer"),
        (
            "    zone: east\n    conditions: []\n    dnr: false\n    allergies: []\n"
            "    medications: []\n    emergency_contact: {name: 王先生",
            "    zone: north\n    conditions: []\n    dnr: false\n    allergies: []\n"
            "    medications: []\n    emergency_contact: {name: 王先生",
            "residents[0].zone",
            "unknown zone 'north'",
        ),
        (
            "  timezone: Asia/Shanghai",
            "  timezone: Mars/Olympus",
            "facility.timezone",
            "unknown time zone",
        ),
        (
            "  language: zh-CN",
            "  language: fr",
            "facility.language",
            "Input should be 'en' or 'zh-CN'",
        ),
        (
            "{id: wb-001, kind: wearable, resident: r-001",
            "{id: wb-001, kind: wearable, resident: r-999",
            "devices[0].resident",
            "unknown resident 'r-999'",
        ),
        (
            "{id: n-e-day1, name: 周丽, role: nurse",
            "{id: n-e-day1, name: 周丽, role: janitor",
            "staff[0].role",
            "Input should be",
        ),
    ],
)
def test_errors_name_file_line_and_field(old: str, new: str, field: str, message: str) -> None:
    text = _edited(old, new)
    with pytest.raises(ConfigError) as caught:
        parse_facility(text, source="facility.yaml")
    error = str(caught.value)
    expected_line = _line_of(
        text, new.splitlines()[0].strip() if "zone: north" not in new else "zone: north"
    )
    assert error.startswith(f"facility.yaml:{expected_line}: {field}: "), error
    assert message in error


def test_the_language_is_english_unless_the_file_says_otherwise() -> None:
    assert load_facility(EXAMPLE).language == "zh-CN"
    english = parse_facility(_edited("  language: zh-CN", ""))
    assert english.language == "en"


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"^f.yaml:4: invalid YAML: .*started on line 3"):
        parse_facility("facility:\n  id: x\n  name: [unclosed\n", source="f.yaml")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read facility file"):
        load_facility(tmp_path / "absent.yaml")


def test_night_hours_follow_the_facility_time_zone() -> None:
    facility = load_facility(EXAMPLE)  # Asia/Shanghai, night 22:00-07:00
    at = dt.datetime(2026, 11, 29, 2, 13, tzinfo=facility.tz).timestamp()
    assert facility.is_night(at)
    assert not facility.is_night(at + 10 * 3600)

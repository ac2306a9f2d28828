from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from shouhu.errors import ConfigError
from simulator.replay import read_track, replay_messages
from tests.conftest import ROOT

FALLS_DEV = ROOT.parent / "shared" / "data" / "falls-dev"
SHARED = FALLS_DEV if FALLS_DEV.is_dir() else Path("/work/shared/data/falls-dev")
TELEMETRY = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "schemas" / "telemetry.json").read_text()),
    format_checker=jsonschema.FormatChecker(),
)
START = 1_795_975_980.0


def bodies(track_path: Path, **kwargs: str) -> list[dict[str, object]]:
    track = read_track(track_path, **kwargs)
    out = []
    for message in replay_messages(track, facility="demo-home", device="wb-007", start=START):
        body = json.loads(message.payload)
        TELEMETRY.validate(body)
        out.append(body)
    return out


def test_a_csv_of_vitals_and_acceleration_replays_second_by_second(tmp_path: Path) -> None:
    rows = ["t,hr,spo2,worn,ax,ay,az"]
    for k in range(150):  # 3 s at 50 Hz; vitals in the first row of each second only
        t = k / 50
        vitals = "71,96,true" if k % 50 == 0 else ",,"
        rows.append(f"{t:.2f},{vitals},0.01,0.99,{0.2 if k == 75 else 0.0}")
    path = tmp_path / "walk.csv"
    path.write_text("\n".join(rows) + "\n")
    out = bodies(path)
    assert len(out) == 3
    assert [b["seq"] for b in out] == [1, 2, 3]
    assert out[0]["hr"] == 71 and out[0]["spo2"] == 96 and out[0]["worn"] is True
    acc = [np.array(b["acc"]["g"]) for b in out]  # type: ignore[index]
    assert all(a.shape == (50, 3) for a in acc)
    assert acc[1][25, 2] == pytest.approx(0.2)


def test_a_csv_without_time_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("hr,spo2\n70,96\n")
    with pytest.raises(ConfigError, match=r"bad.csv:1: needs a 't'"):
        read_track(path)
    path.write_text("t,hr\n0,70\n1,seventy\n")
    with pytest.raises(ConfigError, match=r"bad.csv:3: hr 'seventy' is not a number"):
        read_track(path)


def test_csv_date_times_are_read_alike_in_every_machine_time_zone(tmp_path: Path) -> None:
    """A date-time without an offset would be read in the machine's zone: refused."""
    path = tmp_path / "night.csv"
    path.write_text("ts,hr\n2026-11-01T01:59:59-04:00,70\n2026-11-01T01:00:00-05:00,71\n")
    assert [b["hr"] for b in bodies(path)] == [70, 71]  # one second apart, across a DST change
    path.write_text("ts,hr\n2026-11-01T01:59:59,70\n2026-11-01T02:00:00,71\n")
    with pytest.raises(ConfigError, match=r"night.csv:2: time '2026-11-01T01:59:59' needs a UTC"):
        read_track(path)


needs_data = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"falls-dev recordings not found at {SHARED}"
)


@needs_data
def test_a_sisfall_fall_replays_at_50_hz_with_its_impact() -> None:
    out = bodies(SHARED / "SisFall" / "SA01" / "F01_SA01_R01.txt.xz")
    assert 13 <= len(out) <= 15  # a 15 s trial
    g = np.concatenate([np.array(b["acc"]["g"]) for b in out])  # type: ignore[index]
    magnitude = np.linalg.norm(g, axis=1)
    assert out[0]["acc"]["hz"] == 50.0  # type: ignore[index]
    assert magnitude.max() > 2.5  # the impact
    assert 0.8 < np.median(magnitude) < 1.2  # gravity, the rest of the time


@needs_data
def test_a_umafall_wrist_sensor_replays_at_20_hz() -> None:
    path = sorted((SHARED / "UMAFall").glob("*_Fall_*.xz"))[0]
    out = bodies(path, position="wrist")
    assert out and out[0]["acc"]["hz"] == 20.0  # type: ignore[index]
    with pytest.raises(ConfigError, match="no KNEE accelerometer"):
        read_track(path, position="knee")

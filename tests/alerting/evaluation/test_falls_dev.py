"""The fall detector on real recordings (falls-dev), and the readers of its files.

The data set is not in the repository (no licence is stated with it); it sits
next to the checkout at ../shared/data/falls-dev. Without it the scoring test
is skipped and says where it looked.
"""

from __future__ import annotations

import lzma
from pathlib import Path

import numpy as np
import pytest

from alerting.evaluation.falls_data import Entry, load, manifest, read_sisfall, resample
from alerting.evaluation.falls_dev import default_root, evaluate_falls_dev, held, run_recording

_ROOT = default_root()
FALLS_DEV = _ROOT if (_ROOT / "MANIFEST.csv").is_file() else None


@pytest.mark.slow
@pytest.mark.skipif(FALLS_DEV is None, reason=f"falls-dev not found at {_ROOT}")
def test_waist_targets_on_the_real_recordings() -> None:
    assert FALLS_DEV is not None
    report = evaluate_falls_dev(FALLS_DEV)
    text = report.format_report()
    sisfall = report.score("SisFall", "waist")
    assert sisfall is not None and sisfall.falls >= 500 and sisfall.adls >= 700, text
    assert sisfall.sensitivity >= 0.97 and sisfall.specificity >= 0.97, text
    assert max(sisfall.delays) <= 15.0, text
    uma_waist = report.score("UMAFall", "waist")
    assert uma_waist is not None and uma_waist.sensitivity >= 0.95, text
    assert uma_waist.specificity >= 0.95, text
    wrist = report.score("UMAFall", "wrist")
    assert wrist is not None and wrist.sensitivity >= 0.85 and wrist.specificity >= 0.85, text
    assert len(report.cross) == 2, text
    for check in report.cross:  # thresholds tuned on other subjects hold up
        assert check.held_out.sensitivity >= 0.95, text
        assert check.held_out.specificity >= 0.95, text
    assert "target (SisFall waist, both >= 95%): met" in text


def test_a_missing_folder_is_reported_not_raised(tmp_path: Path) -> None:
    report = evaluate_falls_dev(tmp_path / "nowhere")
    assert not report.found
    assert "not found" in report.format_report()
    assert str(tmp_path / "nowhere") in report.format_report()


def _write_xz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(path, "wt") as f:
        f.write(text)


def test_sisfall_counts_become_g(tmp_path: Path) -> None:
    path = tmp_path / "F01_SA01_R01.txt.xz"
    _write_xz(path, "  256,0,-512,1,2,3,4,5,6;\n 0,256,0,1,2,3,4,5,6;\n")
    g = read_sisfall(path)
    assert g.tolist() == [[1.0, 0.0, -2.0], [0.0, 1.0, 0.0]]


UMA = """% Universidad de Malaga
% MAC Address; Sensor_ID; Position; Device Model
%f8:95:c7:f3:ba:82; 0; RIGHTPOCKET; phone
%C4:BE:84:70:0E:80; 3; WRIST; SensorTag
%C4:BE:84:71:A5:02; 2; WAIST; SensorTag
% TimeStamp; Sample No; X-Axis; Y-Axis; Z-Axis; Sensor Type; Sensor ID;
"""


def test_umafall_streams_by_body_position(tmp_path: Path) -> None:
    rows = []
    for i in range(60):  # 3 s at 20 Hz for each of wrist, waist; gyroscope rows ignored
        rows.append(f"{i * 50};{i};0.0;1.0;0.0;0;3")
        rows.append(f"{i * 50};{i};0.0;0.0;1.0;0;2")
        rows.append(f"{i * 50};{i};9.0;9.0;9.0;1;2")
    _write_xz(tmp_path / "UMAFall" / "x.csv.xz", UMA + "\n".join(rows) + "\n")
    entry = Entry("UMAFall/x.csv.xz", "UMAFall", "UMA02", "fall", "forwardFall")
    recs = {r.placement: r for r in load(tmp_path, entry)}
    assert set(recs) == {"wrist", "waist"}
    assert recs["wrist"].hz == 20.0
    assert np.allclose(recs["wrist"].g, [0.0, 1.0, 0.0])
    assert np.allclose(recs["waist"].g, [0.0, 0.0, 1.0])


def test_manifest_names_umafall_subjects_and_activities(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.csv").write_text(
        "path,dataset,subject,label,activity_code,fs_hz,source_path\n"
        "SisFall/SA01/D01_SA01_R01.txt.xz,SisFall,SA01,adl,D01,200,x\n"
        "UMAFall/UMAFall_Subject_02_ADL_Walking_2_2016-06-13_20-28-00.csv.xz,"
        "UMAFall,,adl,,~20,x\n"
    )
    sis, uma = manifest(tmp_path)
    assert (sis.subject, sis.activity) == ("SA01", "D01")
    assert (uma.subject, uma.activity, uma.label) == ("UMA02", "Walking", "adl")


def test_resampling_keeps_gravity_and_length() -> None:
    g = np.tile([0.0, 1.0, 0.0], (2000, 1))  # 10 s at 200 Hz
    out = resample(g, 200.0, 50.0)
    assert abs(len(out) - 500) <= 1
    assert np.allclose(out[2:-2], [0.0, 1.0, 0.0])


def test_recording_is_held_before_and_after() -> None:
    g = np.arange(60, dtype=float).reshape(20, 3)  # 1 s at 20 Hz
    out = held(g, 20.0, 2.0)
    assert len(out) == 80 + 20 + 40
    assert np.array_equal(out[80:100], g)
    assert np.array_equal(out[-20:], g)


@pytest.mark.skipif(FALLS_DEV is None, reason=f"falls-dev not found at {_ROOT}")
def test_one_real_fall_and_one_real_jump() -> None:
    assert FALLS_DEV is not None
    entries = {e.path.split("/")[-1][:11]: e for e in manifest(FALLS_DEV)}
    (fall,) = load(FALLS_DEV, entries["F01_SA01_R0"])
    (jump,) = load(FALLS_DEV, entries["D19_SA01_R0"])
    outcome = run_recording(fall)
    assert outcome.alert is not None
    assert outcome.alert.evidence.startswith("Hard impact (")
    assert not run_recording(jump).detected

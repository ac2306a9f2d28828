"""Read the falls-dev recordings (SisFall, UMAFall) as accelerometer streams.

The data is not part of the repository (no licence is stated with it); it
lives in ``../shared/data/falls-dev`` next to the checkout, described by its
README.txt and MANIFEST.csv. Each recording becomes one ``Recording`` per
worn sensor we can place on a Shouhu wearable: SisFall's waist device;
UMAFall's waist, wrist and chest SensorTags (chest stands for a pendant).
"""

from __future__ import annotations

import csv
import lzma
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shouhu.errors import ShouhuError

SISFALL_HZ = 200.0
SISFALL_G_PER_COUNT = 1 / 256  # ADXL345, 13 bit, +-16 g (columns 1-3)
UMAFALL_HZ = 20.0  # the SensorTags' nominal rate
UMAFALL_PLACEMENTS = {"WAIST": "waist", "WRIST": "wrist", "CHEST": "pendant"}
_UMA_SENSOR = re.compile(r"^%\s*[0-9A-Fa-f:]+;\s*(\d+);\s*(\w+);")


class DataError(ShouhuError):
    """A falls-dev file is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Recording:
    path: str  # relative to the falls-dev folder
    dataset: str  # SisFall | UMAFall
    subject: str
    label: str  # fall | adl
    activity: str  # D01..D19, F01..F15 or UMAFall's movement name
    placement: str  # waist | wrist | pendant
    hz: float
    g: npt.NDArray[np.float64]  # (n, 3) in g, uniformly sampled at hz


@dataclass(frozen=True, slots=True)
class Entry:
    """One MANIFEST.csv row."""

    path: str
    dataset: str
    subject: str
    label: str
    activity: str


def manifest(root: Path) -> list[Entry]:
    try:
        with open(root / "MANIFEST.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise DataError(f"{root / 'MANIFEST.csv'}: cannot read: {exc.strerror}") from exc
    entries = []
    for row in rows:
        activity = row["activity_code"] or _uma_activity(row["path"])
        subject = row["subject"] or _uma_subject(row["path"])
        entries.append(Entry(row["path"], row["dataset"], subject, row["label"], activity))
    return entries


def _uma_activity(path: str) -> str:
    match = re.search(r"_(ADL|Fall)_(.+?)_\d+_\d{4}-", path)
    return match.group(2) if match else "?"


def _uma_subject(path: str) -> str:
    match = re.search(r"Subject_(\d+)", path)
    return f"UMA{match.group(1)}" if match else "?"


def load(root: Path, entry: Entry) -> list[Recording]:
    """The recordings of one manifest entry (one for SisFall, up to three for UMAFall)."""
    if entry.dataset == "SisFall":
        return [_recording(entry, "waist", SISFALL_HZ, read_sisfall(root / entry.path))]
    if entry.dataset == "UMAFall":
        out = []
        for position, (t, g) in sorted(read_umafall(root / entry.path).items()):
            placement = UMAFALL_PLACEMENTS.get(position)
            if placement is not None and len(t) > UMAFALL_HZ:
                out.append(_recording(entry, placement, UMAFALL_HZ, to_grid(t, g, UMAFALL_HZ)))
        return out
    return []


def _recording(entry: Entry, placement: str, hz: float, g: npt.NDArray[np.float64]) -> Recording:
    return Recording(
        entry.path, entry.dataset, entry.subject, entry.label, entry.activity, placement, hz, g
    )


def read_sisfall(path: Path) -> npt.NDArray[np.float64]:
    """The ADXL345 columns of a SisFall file, in g."""
    try:
        with lzma.open(path, "rt", encoding="ascii") as f:
            text = f.read()
    except (OSError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    counts = np.array(text.replace(";", " ").replace(",", " ").split(), dtype=np.int32)
    if counts.size % 9:
        raise DataError(f"{path}: expected 9 values per sample, got {counts.size} values")
    return np.asarray(counts.reshape(-1, 9)[:, 0:3] * SISFALL_G_PER_COUNT, dtype=np.float64)


Stream = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]  # times (s), samples (g)


def read_umafall(path: Path) -> dict[str, Stream]:
    """Accelerometer streams of a UMAFall file by body position (WAIST, WRIST, ...)."""
    positions: dict[int, str] = {}
    rows: list[list[float]] = []
    try:
        with lzma.open(path, "rt", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("%"):
                    match = _UMA_SENSOR.match(line)
                    if match:
                        positions[int(match.group(1))] = match.group(2).upper()
                    continue
                parts = line.strip().split(";")
                if len(parts) >= 7 and parts[0] and parts[5].strip() == "0":
                    rows.append([float(parts[0]), *map(float, parts[2:5]), float(parts[6])])
    except (OSError, lzma.LZMAError, ValueError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    streams: dict[str, Stream] = {}
    for sensor, position in positions.items():
        mine = table[table[:, 4] == sensor]
        if len(mine):
            streams[position] = (mine[:, 0] / 1000.0, mine[:, 1:4])
    return streams


def to_grid(
    t: npt.NDArray[np.float64], g: npt.NDArray[np.float64], hz: float
) -> npt.NDArray[np.float64]:
    """Linear interpolation of irregular samples onto a uniform ``hz`` grid."""
    t, first = np.unique(t, return_index=True)
    g = g[first]
    grid = np.arange(t[0], t[-1], 1.0 / hz)
    return np.stack([np.interp(grid, t, g[:, k]) for k in range(3)], axis=1)


def resample(g: npt.NDArray[np.float64], hz: float, to_hz: float) -> npt.NDArray[np.float64]:
    """Uniform samples at ``hz`` to ``to_hz``, averaging first when reducing the rate.

    The average over one output period is the anti-aliasing a wearable's own
    low-pass filter would do.
    """
    if abs(hz - to_hz) < 1e-9:
        return g
    width = round(hz / to_hz)
    if width > 1:
        kernel = np.ones(width) / width
        g = np.stack([np.convolve(g[:, k], kernel, mode="same") for k in range(3)], axis=1)
    t = np.arange(len(g)) / hz
    grid = np.arange(0.0, t[-1], 1.0 / to_hz)
    return np.stack([np.interp(grid, t, g[:, k]) for k in range(3)], axis=1)


def recordings(
    root: Path, *, datasets: tuple[str, ...] = ("SisFall", "UMAFall"), subsample: int = 1
) -> Iterator[Recording]:
    """Every recording of the manifest (every ``subsample``-th file per dataset)."""
    for dataset in datasets:
        for entry in [e for e in manifest(root) if e.dataset == dataset][::subsample]:
            yield from load(root, entry)

"""Plot one resident's simulated span: sleep, vital signs as the devices report them, movement.

    python -m simulator.plot examples/scenarios/chest-distress.yaml --resident r-007 --out x.png
    python -m simulator.plot --docs      # the two figures in docs/img (quiet, chest distress)

Shaded bands are published ranges for older adults asleep (docs/simulator.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes

from simulator.devices import BedRenderer, WearableRenderer
from simulator.engine import Simulation
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SLEEP_HR = (50.0, 70.0)  # beats/min
SLEEP_RR = (12.0, 20.0)  # breaths/min
DOCS = [  # scenario, resident, figure, minutes either side of the first event (0: whole span)
    ("quiet-night.yaml", "r-007", "night-quiet.png", 0),
    ("chest-distress.yaml", "r-007", "night-chest-distress.png", 0),
    ("chest-distress.yaml", "r-007", "night-chest-distress-zoom.png", 30),
]


def _binned(values: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    """The median of each bin's reported values (NaN where nothing was reported)."""
    n = len(values) // size * size
    blocks = values[:n].reshape(-1, size)
    out = np.full(len(blocks), np.nan)
    seen = ~np.all(np.isnan(blocks), axis=1)
    out[seen] = np.nanmedian(blocks[seen], axis=1)
    return out


def _dates(stamps: list[float]) -> npt.NDArray[np.float64]:
    """Matplotlib date numbers (days since its default 1970 epoch) of Unix times."""
    return np.asarray(stamps, dtype=np.float64) / 86400.0


def plot_resident(
    sim: Simulation, resident: str, out: Path, *, window: tuple[float, float] | None = None
) -> Path:
    """One figure of ``resident``'s span, or of ``window`` (Unix seconds) within it."""
    sc = sim.scenario
    tz = sc.facility.tz
    lo, hi = (
        (0, sim.n) if window is None else (int(window[0] - sc.start), int(window[1] - sc.start))
    )
    state = sim.residents[resident]
    beh, vit = state.behaviour, state.vitals
    wearable = next(
        r
        for r in sim.renderers
        if isinstance(r, WearableRenderer) and r.device.resident == resident
    )
    bed = next(
        r for r in sim.renderers if isinstance(r, BedRenderer) and r.device.resident == resident
    )
    size = 60 if hi - lo > 3 * 3600 else 10
    t = _dates([sc.start + s for s in range(lo, hi)])
    tm = t[size // 2 :: size][: (hi - lo) // size]
    cut = slice(lo, hi)
    fig, axes = plt.subplots(
        6, 1, figsize=(13, 13), sharex=True, gridspec_kw={"height_ratios": [1, 2, 2, 1.6, 1.2, 1.2]}
    )
    name = sc.facility.resident(resident)
    title = f"{resident} ({name.age if name else '?'} y, "
    title += ", ".join(name.conditions) if name and name.conditions else "no conditions"
    title += f") — {sc.name or 'scenario'}, seed {sc.seed}"
    fig.suptitle(title, fontsize=12)

    stage_axis = {0: 4, 4: 3, 1: 2, 2: 1, 3: 0}  # wake, REM, N1, N2, N3 from the top
    level = np.vectorize(stage_axis.get)(beh.stage[cut])
    ax = axes[0]
    ax.step(t, level, where="post", lw=0.8, color="#334")
    ax.fill_between(
        t,
        -0.5,
        4.5,
        where=~beh.in_bed[cut],
        color="#f4a",
        alpha=0.15,
        step="post",
        label="out of bed",
    )
    ax.set_yticks([0, 1, 2, 3, 4], ["N3", "N2", "N1", "REM", "wake"])
    ax.legend(loc="upper right", fontsize=8)

    def vital(
        ax: Axes,
        true: npt.NDArray[np.float64],
        seen: npt.NDArray[np.float64],
        label: str,
        band: tuple[float, float] | None,
        color: str,
    ) -> None:
        ax.plot(t, true[cut], lw=0.5, color="#999", label="true (body)")
        ax.plot(
            tm,
            _binned(seen[cut], size),
            ".",
            ms=2.5,
            color=color,
            label=f"{label}: {size} s median",
        )
        if band:
            ax.axhspan(*band, color="#3a3", alpha=0.08, label="published asleep range")
        ax.set_ylabel(label)
        ax.legend(loc="upper left", fontsize=8, ncol=3)

    vital(axes[1], vit.hr, wearable.hr, "HR, wearable (/min)", SLEEP_HR, "#c22")
    vital(axes[2], vit.rr, bed.rr, "RR, bed sensor (/min)", SLEEP_RR, "#26c")
    vital(axes[3], vit.spo2, wearable.spo2, "SpO2, wearable (%)", None, "#a60")
    vital(axes[4], vit.skin, wearable.skin, "skin temp (°C)", None, "#777")
    ax = axes[5]
    ax.plot(
        tm,
        _binned(bed.movement[cut], size),
        lw=0.8,
        color="#555",
        label=f"bed movement index ({size} s median)",
    )
    ax.plot(
        tm,
        _binned(beh.activity[cut].astype(np.float64), size),
        lw=0.6,
        color="#8a2",
        alpha=0.7,
        label="activity (true)",
    )
    ax.set_ylabel("movement")
    ax.legend(loc="upper left", fontsize=8)
    for event in sc.events:
        if event.resident == resident and sc.start + lo <= event.at < sc.start + hi:
            for ax in axes:
                ax.axvline(float(_dates([event.at])[0]), color="#d00", lw=1, ls="--")
            axes[0].annotate(
                event.kind, (float(_dates([event.at])[0]), 4.2), color="#d00", fontsize=9
            )
    every = {"byminute": [0]} if hi - lo > 3 * 3600 else {"byminute": range(0, 60, 10)}
    axes[-1].xaxis.set_major_locator(mdates.MinuteLocator(tz=tz, **every))  # type: ignore[no-untyped-call,arg-type]
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))  # type: ignore[no-untyped-call]
    axes[-1].set_xlabel(f"local time ({sc.facility.facility.timezone})")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.plot", description=__doc__)
    parser.add_argument("scenario", nargs="?", type=Path)
    parser.add_argument("--resident", default="r-007")
    parser.add_argument("--out", type=Path, default=Path("resident.png"))
    parser.add_argument(
        "--zoom",
        type=float,
        default=0,
        metavar="MINUTES",
        help="show only this many minutes either side of the first event",
    )
    parser.add_argument("--docs", action="store_true", help="write the figures in docs/img")
    args = parser.parse_args(argv)
    jobs = [(args.scenario, args.resident, args.out, args.zoom)] if args.scenario else []
    if args.docs:
        scenarios = ROOT / "examples" / "scenarios"
        jobs += [(scenarios / s, r, ROOT / "docs" / "img" / png, z) for s, r, png, z in DOCS]
    if not jobs:
        parser.error("give a SCENARIO, or --docs")
    for path, resident, out, zoom in jobs:
        scenario = load_scenario(path).model_copy(update={"residents": [resident]})
        sim = Simulation(scenario)
        window = None
        events = [e.at for e in scenario.events if e.resident == resident]
        if zoom and events:
            window = (
                max(events[0] - zoom * 60, scenario.start),
                min(events[0] + zoom * 60, scenario.end),
            )
        print(plot_resident(sim, resident, out, window=window))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

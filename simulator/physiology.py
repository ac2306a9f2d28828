"""Who a resident is, physiologically: baselines from age, conditions and medication.

Numbers and their sources are in docs/simulator.md. Everything is drawn from
the resident's own random stream, so a resident is the same person in every
scenario run with the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shouhu.facility import Resident

BETA_BLOCKERS = (
    "metoprolol",
    "bisoprolol",
    "atenolol",
    "carvedilol",
    "propranolol",
    "nebivolol",
    "sotalol",
)
RESTLESS = {"restless", "restless_sleeper", "restless_legs", "parkinsons", "dementia", "insomnia"}


@dataclass(frozen=True, slots=True)
class Profile:
    resident: str
    age: int
    hr_rest: float  # awake, resting in a chair, beats/min
    hr_gain: float  # response to activity and distress (beta-blockers blunt it)
    hr_beat_sd: float  # second-to-second scatter of the reported rate (large in AF)
    af: bool
    beta_blocked: bool
    rr_rest: float  # awake, breaths/min
    spo2: float  # awake baseline, %
    rem_desat: float  # extra SpO2 fall in REM sleep (hypoventilation in COPD), %
    copd: bool
    restless: float  # 0..1: posture changes and limb movements in sleep
    bedtime_h: float  # local clock hours, e.g. 21.3
    wake_h: float
    nocturia: float  # expected toileting trips a night
    apnea_per_h: float  # desaturation events per hour of sleep
    n3_share: float  # slow-wave sleep scale (falls with age)
    fragile: bool  # dementia: more night wandering, less consolidated sleep


def _conditions(resident: Resident) -> set[str]:
    return {c.strip().lower().replace(" ", "_").replace("-", "_") for c in resident.conditions}


def is_beta_blocked(medications: list[str]) -> bool:
    names = " ".join(medications).lower()
    return any(drug in names for drug in BETA_BLOCKERS)


def profile_for(resident: Resident, rng: np.random.Generator) -> Profile:
    """A resident's baselines; configured ``baselines`` in the facility file win."""
    cond = _conditions(resident)
    copd = "copd" in cond
    af = bool(cond & {"atrial_fibrillation", "af", "afib"})
    beta = is_beta_blocked(resident.medications)
    heart_failure = "heart_failure" in cond
    female = resident.sex == "female"

    hr = rng.normal(68.0, 5.0) + (2.0 if female else 0.0)
    hr += (5.0 if copd else 0.0) + (6.0 if heart_failure else 0.0) + (6.0 if af else 0.0)
    if beta:
        hr -= 9.0
    rr = rng.normal(19.0 if copd else 16.0, 1.5) + (1.5 if heart_failure else 0.0)
    spo2 = float(np.clip(rng.normal(90.0, 1.0), 88, 92)) if copd else rng.normal(95.8, 1.0)
    base = resident.baselines
    if base.hr_sleep is not None:
        hr = base.hr_sleep / 0.9
    if base.rr_sleep is not None:
        rr = base.rr_sleep / 0.92
    if base.spo2 is not None:
        spo2 = base.spo2

    restless = float(rng.beta(2, 9))
    if cond & RESTLESS:
        restless = float(np.clip(restless + 0.45, 0, 1))
    nocturia = 1.0 + 0.04 * max(0, resident.age - 70) + rng.uniform(-0.3, 0.3)
    if cond & {"diabetes", "heart_failure", "bph"} or "furosemide" in " ".join(
        resident.medications
    ):
        nocturia += 0.6
    apnea = float(rng.uniform(8, 20)) if rng.random() < 0.3 else float(rng.uniform(0, 4))
    return Profile(
        resident=resident.id,
        age=resident.age,
        hr_rest=float(np.clip(hr, 50, 95)),
        hr_gain=0.55 if beta else 1.0,
        hr_beat_sd=float(rng.uniform(7, 11)) if af else float(rng.uniform(0.6, 1.2)),
        af=af,
        beta_blocked=beta,
        rr_rest=float(np.clip(rr, 11, 24)),
        spo2=float(np.clip(spo2, 80, 99)),
        rem_desat=float(rng.uniform(2.0, 4.0)) if copd else float(rng.uniform(0.3, 1.0)),
        copd=copd,
        restless=restless,
        bedtime_h=float(rng.normal(21.0, 0.5)),
        wake_h=float(rng.normal(6.0, 0.4)),
        nocturia=float(max(0.2, nocturia)),
        apnea_per_h=apnea,
        n3_share=float(np.clip(1.9 - 0.015 * resident.age + rng.normal(0, 0.1), 0.1, 1.0)),
        fragile="dementia" in cond,
    )

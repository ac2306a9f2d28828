from __future__ import annotations

import numpy as np
import pytest

from alerting.baselines import PRIOR, BaselineBook
from tests.alerting.detectors.helpers import at, facility


def learn(book: BaselineBook, resident: str, hours: float, **usual: float) -> None:
    rng = np.random.default_rng(0)
    start = at("23:00")
    for second in range(int(hours * 3600)):
        for signal, value in usual.items():
            book.add(resident, start + second, signal, value + rng.normal(0, 1))


def test_defaults_before_anything_is_learned() -> None:
    b = BaselineBook(facility()).baseline("r-1")
    assert b.value == PRIOR and set(b.source.values()) == {"default"}


@pytest.mark.parametrize(("hours", "within"), [(0.5, 6.0), (2, 2.0), (8, 0.5)])
def test_learned_values_approach_the_residents_own(hours: float, within: float) -> None:
    book = BaselineBook(facility())
    learn(book, "r-1", hours, hr=50.0, spo2=89.0)
    b = book.baseline("r-1")
    assert 50 < b["hr"] <= 50 + within  # shrunk towards the prior of 64 less and less
    assert b["spo2"] < 92 and b.source["hr"] == "learned"
    assert 0.5 < b.spread["hr"] < 2.0  # the noise's SD, robustly


def test_configured_values_take_precedence() -> None:
    book = BaselineBook(facility())
    learn(book, "r-cfg", 2, hr=70.0)
    b = book.baseline("r-cfg")
    assert b["hr"] == 55 and b.source["hr"] == "configured"


def test_an_abnormal_epoch_can_be_discarded() -> None:
    book = BaselineBook(facility(), epoch_s=60, min_samples=30)
    learn(book, "r-1", 10 / 60, hr=60.0)
    before = book.version("r-1")
    for i in range(50):
        book.add("r-1", at("23:10") + i, "hr", 130.0)
    book.discard_epoch("r-1")
    book.add("r-1", at("23:12"), "hr", 60.0)
    assert book.version("r-1") == before + 1  # only the last quiet epoch closed
    assert book.baseline("r-1")["hr"] < 64

"""Each incident keeps the resident's vitals from minutes before the alert until it is resolved."""

from __future__ import annotations

import pytest

from alerting.core import SNAPSHOT_SECONDS
from alerting.incidents import Outcome
from shouhu.facility import Facility
from tests.alerting.escalation_harness import NIGHT, harness

pytestmark = pytest.mark.postgres


async def test_snapshot_runs_from_before_the_alert_until_resolved_across_a_restart(
    db_url: str, facility: Facility
) -> None:
    async with harness(db_url, facility) as h:
        for t in range(-900, 1, 60):  # the quarter hour before: only the last ten minutes count
            h.reading(t, hr=70 + t / 60, spo2=96)
        h.reading(-30, "bed-007", rr=18)
        h.reading(-20, "wb-008", hr=60)  # another resident's wearable: not in this snapshot
        incident = await h.alert()
        for t in range(10, 61, 10):
            h.reading(t, hr=120, spo2=91)
        await h.responder.flush_vitals()
    async with harness(db_url, facility) as h:  # the core restarted: still recording
        for t in range(70, 121, 10):
            h.reading(t, hr=130, spo2=89)
        h.clock.set(NIGHT + 125)
        await h.responder.resolve(incident.id, "n-e-night", outcome=Outcome.HANDLED)
        h.reading(130, hr=80, spo2=97)  # after resolution: not recorded
        await h.responder.flush_vitals()
        rows = await h.store.vitals_of(incident.id)
    times = [round(r["ts"] - NIGHT) for r in rows]
    assert times[0] >= -SNAPSHOT_SECONDS and times[0] == -600
    assert times == sorted(times) and times[-1] == 120
    assert [t for t in times if t > 0] == list(range(10, 121, 10))
    assert {r["device"] for r in rows} == {"wb-007", "bed-007"}
    assert next(r for r in rows if r["device"] == "bed-007")["rr"] == 18
    assert rows[-1]["hr"] == 130

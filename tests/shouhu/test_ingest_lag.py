"""The gateway's lag counters (shown on /healthz): how far behind the devices' clocks."""

from __future__ import annotations

from shouhu.service import GatewayCounters


def test_lag_peak_covers_this_and_the_previous_second() -> None:
    counters = GatewayCounters()
    counters.observe_lag(0.5, 100.1)
    counters.observe_lag(0.2, 100.9)
    assert (counters.lag_s, counters.lag_peak_s) == (0.2, 0.5)
    counters.observe_lag(0.1, 101.2)  # the previous second's peak still shows
    assert (counters.lag_s, counters.lag_peak_s) == (0.1, 0.5)
    counters.observe_lag(0.05, 102.0)  # now only 101's and 102's
    assert counters.lag_peak_s == 0.1
    counters.observe_lag(0.01, 110.0)  # after a silence, old peaks are forgotten
    assert counters.lag_peak_s == 0.01

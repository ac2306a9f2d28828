"""Running statistics for the hot path: O(1) per sample, no numpy allocations."""

from __future__ import annotations

from collections import deque


class FlagWindow:
    """The share of samples within the last ``span`` seconds for which a sign held.

    Robust to a single artifact (one flag among many) and to dropouts (the
    share is of the samples that arrived, not of the seconds that passed).
    """

    __slots__ = ("_flags", "_true", "span")

    def __init__(self, span: float) -> None:
        self.span = span
        self._flags: deque[tuple[float, bool]] = deque()
        self._true = 0

    def add(self, ts: float, flag: bool) -> None:
        self._flags.append((ts, flag))
        self._true += flag
        self.expire(ts)

    def expire(self, now: float) -> None:
        horizon = now - self.span
        flags = self._flags
        while flags and flags[0][0] <= horizon:
            self._true -= flags.popleft()[1]

    @property
    def count(self) -> int:
        return len(self._flags)

    @property
    def share(self) -> float:
        return self._true / len(self._flags) if self._flags else 0.0

    def holds(self, *, share: float, at_least: int) -> bool:
        """Whether the sign held in ``share`` of at least ``at_least`` samples."""
        n = len(self._flags)
        return n >= at_least and self._true >= share * n

    def clear(self) -> None:
        self._flags.clear()
        self._true = 0


class MeanWindow:
    """The mean of the values of the last ``span`` seconds, kept as a running sum."""

    __slots__ = ("_sum", "_values", "span")

    def __init__(self, span: float) -> None:
        self.span = span
        self._values: deque[tuple[float, float]] = deque()
        self._sum = 0.0

    def add(self, ts: float, value: float) -> None:
        self._values.append((ts, value))
        self._sum += value
        self.expire(ts)

    def expire(self, now: float) -> None:
        horizon = now - self.span
        values = self._values
        while values and values[0][0] <= horizon:
            self._sum -= values.popleft()[1]

    @property
    def count(self) -> int:
        return len(self._values)

    @property
    def mean(self) -> float:
        return self._sum / len(self._values) if self._values else 0.0


class RecentValues:
    """The last few values of a signal, for a robust figure in the evidence."""

    __slots__ = ("_values",)

    def __init__(self, size: int = 15) -> None:
        self._values: deque[float] = deque(maxlen=size)

    def add(self, value: float) -> None:
        self._values.append(value)

    def median(self) -> float | None:
        if not self._values:
            return None
        ordered = sorted(self._values)
        mid = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[mid]
        return (ordered[mid - 1] + ordered[mid]) / 2

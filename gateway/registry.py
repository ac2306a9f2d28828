"""Which device belongs to which resident, per facility."""

from __future__ import annotations

from collections.abc import Iterable

from shouhu.facility import Device, Facility


class DeviceRegistry:
    """Maps (facility, device) to the device record and its resident.

    Facilities are kept strictly apart: a device id known in one facility is
    unknown in every other.
    """

    def __init__(self, facilities: Iterable[Facility] = ()) -> None:
        self._devices: dict[tuple[str, str], Device] = {}
        for facility in facilities:
            self.load(facility)

    def load(self, facility: Facility) -> None:
        for key in [k for k in self._devices if k[0] == facility.id]:
            del self._devices[key]
        for device in facility.devices:
            self._devices[(facility.id, device.id)] = device

    def lookup(self, facility: str, device: str) -> Device | None:
        return self._devices.get((facility, device))

    def devices(self, facility: str) -> list[Device]:
        return [d for (f, _), d in self._devices.items() if f == facility]

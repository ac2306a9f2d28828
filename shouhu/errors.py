"""One root exception; subclasses say what the caller should do."""


class ShouhuError(Exception):
    """Root of every error Shouhu raises on purpose."""


class ConfigError(ShouhuError):
    """Bad configuration or facility file: stop at start, naming what is wrong."""


class RejectedMessage(ShouhuError):
    """An inbound message that cannot be used: count it, dead-letter it, carry on."""

    def __init__(self, reason: str, *, device: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.device = device


class TransientError(ShouhuError):
    """An outside system failed in a way worth retrying (broker, database, provider)."""

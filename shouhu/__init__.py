"""Shouhu (守护): an emergency-response monitor for elder-care facilities."""

__version__ = "0.1.0"

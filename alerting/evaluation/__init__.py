"""Scoring the detectors: simulated scenarios and real recordings."""

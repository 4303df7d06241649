"""Tendon rehab dashboard: a clinician's weekly view of tendon loading, pain response and adherence."""

__version__ = "0.1.0"

"""The clinic's words for rules, severities, risks and stages, shared by the app, the CLI and the reports."""

from __future__ import annotations

import math
from collections.abc import Iterable

# Rule ids are for code; clinicians read these words.
ALERT_WORDS = {
    "rising_streak": "rising soreness",
    "pain_above_ceiling": "above pain ceiling",
    "load_spike": "load spike",
    "not_logging": "not logging",
    "low_adherence": "low adherence",
    "flare": "flare",
}

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

RISK_ORDER = {"red": 0, "amber": 1, "green": 2}

RISK_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}

STAGE_LABELS = {
    "isometric": "Isometric",
    "isotonic": "Isotonic",
    "heavy_slow": "Heavy slow resistance",
    "eccentric": "Eccentric",
    "energy_storage": "Energy storage",
    "plyometric": "Plyometric",
    "other": "Other",
}

def alert_word(rule: str) -> str:
    """Return the clinician's words for one alert rule id (unknown ids shown with spaces)."""
    return ALERT_WORDS.get(rule, rule.replace("_", " "))

def alert_words(rules: Iterable[str] | None) -> str:
    """Return alert rule ids as readable words joined by commas, each once, in their given order."""
    if rules is None:
        return ""
    if isinstance(rules, float) and math.isnan(rules):
        return ""
    return ", ".join(dict.fromkeys(alert_word(rule) for rule in rules))

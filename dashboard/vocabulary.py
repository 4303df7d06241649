"""The clinic's words for rules, severities, risks and stages, shared by the app, the CLI and the reports.

Rules and stages are defined once, in SQL (queries/macros/metric_rules.sql and metric_stages.sql), because
the metrics need them there; this module reads the same rows, so the app and the reports use the words,
severities and risks the metrics use.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.sql import query


@dataclass(frozen=True)
class Rule:
    """One alert rule: its id, the words clinicians read, its severity and the risk it gives."""

    rule: str
    words: str
    severity: str
    risk: str


@dataclass(frozen=True)
class Stage:
    """One programme stage: its id, its words and its rank in the loading progression (None: unranked)."""

    stage: str
    words: str
    rank: int | None


def _read(macro: str) -> list[tuple]:
    """Return the rows of one vocabulary table macro, defined in an in-memory database."""
    import duckdb

    connection = duckdb.connect(":memory:")
    try:
        connection.execute(query(macro).text)
        return connection.execute(f"select * from {macro}() order by position").fetchall()
    finally:
        connection.close()


@functools.cache
def _tables() -> dict[str, Any]:
    """Return RULES, STAGES and the lookups made from them, read from the SQL once per process."""
    rules = tuple(
        Rule(rule, words, severity, risk) for rule, words, severity, risk, _ in _read("metric_rules")
    )
    stages = tuple(Stage(stage, words, rank) for stage, words, rank, _ in _read("metric_stages"))
    return {
        "RULES": rules,
        "STAGES": stages,
        "RULE_BY_ID": {rule.rule: rule for rule in rules},
        "ALERT_WORDS": {rule.rule: rule.words for rule in rules},
        "STAGE_LABELS": {stage.stage: stage.words for stage in stages},
        "STAGE_RANKS": {stage.stage: stage.rank for stage in stages},
    }


def __getattr__(name: str) -> Any:
    """Return RULES, STAGES, RULE_BY_ID, ALERT_WORDS, STAGE_LABELS or STAGE_RANKS, read on first use."""
    # Read on first use, not at import: opening DuckDB costs a command that never shows a rule's words.
    if name not in _TABLE_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    tables = _tables()
    globals().update(tables)  # later reads find them without coming here
    return tables[name]


_TABLE_NAMES = ("RULES", "STAGES", "RULE_BY_ID", "ALERT_WORDS", "STAGE_LABELS", "STAGE_RANKS")
# Declared, not bound: the first read of one goes through __getattr__, which binds them all.
RULES: tuple[Rule, ...]
STAGES: tuple[Stage, ...]
RULE_BY_ID: dict[str, Rule]
ALERT_WORDS: dict[str, str]
STAGE_LABELS: dict[str, str]
STAGE_RANKS: dict[str, int | None]

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
RISK_ORDER = {"red": 0, "amber": 1, "green": 2}
RISK_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
RISK_MEANINGS = {
    "red": "a high alert is active: a flare, rising soreness or pain above the ceiling",
    "amber": "a medium alert is active: a load spike, not logging or low adherence",
    "green": "no alert is active",
}


def alert_word(rule: str) -> str:
    """Return the clinician's words for one alert rule id (unknown ids shown with spaces)."""
    return _tables()["ALERT_WORDS"].get(rule, str(rule).replace("_", " "))


def alert_words(rules: Iterable[str] | None) -> str:
    """Return alert rule ids as readable words joined by commas, each once, in their given order."""
    if rules is None:
        return ""
    if isinstance(rules, float) and math.isnan(rules):
        return ""
    return ", ".join(dict.fromkeys(alert_word(rule) for rule in rules))


def score_words(value: float | None) -> str:
    """Return a pain score as short text: 6 not 6.0, 2.5 stays 2.5, 2.15 stays 2.15."""
    return f"{float(value):g}"


def reference_words(reference: float | None, clinician_set: bool) -> str:
    """Return a patient's reference morning level: 'usual 3/10', 'acceptable 4/10 (set)' or not yet known."""
    if reference is None or reference != reference:
        return "usual level not yet known"
    if clinician_set:
        return f"acceptable {score_words(reference)}/10 (set)"
    return f"usual {score_words(reference)}/10"


def reason(rule: str, detail: str | None) -> str:
    """Return one alert as a reason in words, like 'rising soreness: morning pain 2 → 3 → 6 (16–18 Nov)'."""
    words = alert_word(rule)
    detail = (detail or "").strip()
    if not detail:
        return words
    if detail.lower().startswith(words):
        return detail
    return f"{words}: {detail}"

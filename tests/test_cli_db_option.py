"""Given `--db` before or after any subcommand, expect the same database used; given two, expect a refusal."""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import pytest

from dashboard.cli import build_parser, main
from dashboard.db import DB_ENV_VAR, close_database

# Tried in turn for a required argument until its type accepts one: a date, a number, a week, a word.
CANDIDATE_VALUES = ("2026-11-22", "1", "2026-W47", "x")


def _value_for(action: argparse.Action) -> str:
    """Return a value the argument's type and choices accept."""
    if action.choices:
        return str(next(iter(action.choices)))
    for candidate in CANDIDATE_VALUES:
        try:
            (action.type or str)(candidate)
        except (argparse.ArgumentTypeError, ValueError):
            continue
        return candidate
    raise AssertionError(f"no candidate value suits {action.dest}")


def _leaf_commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], list[str]]]:
    """Return every runnable command line: its words, and the required arguments it needs to parse."""
    subcommands = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if not subcommands:
        required = []
        for group in parser._mutually_exclusive_groups:
            if group.required:  # one of them is needed: the first, as a flag or with a value
                first = group._group_actions[0]
                required += [first.option_strings[0]] + ([] if first.nargs == 0 else [_value_for(first)])
        for action in parser._actions:
            if action.option_strings and action.required:
                required += [action.option_strings[0], _value_for(action)]
            elif not action.option_strings and action.nargs not in ("?", "*", argparse.REMAINDER):
                required.append(_value_for(action))
        return [(words, required)]
    return [
        leaf
        for action in subcommands
        for name, subparser in action.choices.items()
        for leaf in _leaf_commands(subparser, (*words, name))
    ]


LEAVES = _leaf_commands(build_parser())


def test_given_the_parser_expect_every_command_group_to_be_walked() -> None:
    names = {" ".join(words) for words, _ in LEAVES}
    assert {"import", "demo", "generate", "review", "alerts", "serve", "audit"} <= names
    assert {"report clinic", "report patient", "user add", "user passwd", "user demo-accounts"} <= names


@pytest.mark.parametrize(("words", "required"), LEAVES, ids=[" ".join(words) for words, _ in LEAVES])
def test_given_db_after_any_subcommand_expect_it_used(words: tuple[str, ...], required: list[str]) -> None:
    parser = build_parser()
    assert parser.parse_args([*words, *required, "--db", "after.duckdb"]).db == "after.duckdb"
    assert parser.parse_args(["--db", "before.duckdb", *words, *required]).db == "before.duckdb"
    assert parser.parse_args([*words, *required]).db is None
    assert not hasattr(parser.parse_args([*words, *required, "--db", "after.duckdb"]), "db_after_command")


def test_given_db_between_a_group_and_its_action_expect_it_used() -> None:
    assert build_parser().parse_args(["user", "--db", "mid.duckdb", "list"]).db == "mid.duckdb"
    assert build_parser().parse_args(["report", "--db", "mid.duckdb", "patient", "--patient", "P1",
                                      "--out", "p.pdf"]).db == "mid.duckdb"


def test_given_db_after_the_double_dash_of_serve_expect_it_left_to_streamlit() -> None:
    args = build_parser().parse_args(["serve", "--db", "clinic.duckdb", "--", "--db", "streamlit-own"])
    assert args.db == "clinic.duckdb"
    assert args.streamlit_options == ["--", "--db", "streamlit-own"]


def test_given_two_different_databases_expect_a_refusal_naming_both(capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["--db", "live.duckdb", "audit", "--db", "copy.duckdb"])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "--db is given twice" in err and "live.duckdb" in err and "copy.duckdb" in err
    # The same file named twice is no conflict.
    assert build_parser().parse_args(["--db", "a.duckdb", "audit", "--db", "a.duckdb"]).db == "a.duckdb"


@pytest.fixture
def copy_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_db_file: Path) -> Path:
    """Return a closed sample-clinic database; $REHAB_DB names another file, which must stay unmade."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db_file, path)
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "default.duckdb"))
    yield path
    close_database(path)
    close_database(tmp_path / "default.duckdb")


def test_given_report_clinic_with_db_last_expect_the_report_from_that_database(
    copy_db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "week.csv"
    argv = ["report", "clinic", "--week", "2026-W47", "--as-of", "2026-11-23", "--out", str(out)]
    assert main([*argv, "--db", str(copy_db)]) == 0, capsys.readouterr().err
    close_database(copy_db)
    listed = {row["Patient ID"] for row in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())}
    assert "P002" in listed and len(listed) >= 20
    assert not (tmp_path / "default.duckdb").exists(), "the default database was not touched"


def test_given_import_and_review_with_db_last_expect_both_on_that_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "other.duckdb"
    patients = tmp_path / "patients.csv"
    patients.write_text("patient_id,start_date\nQ1,2026-11-01\n", encoding="utf-8")
    try:
        assert main(["import", str(patients), "--db", str(target)]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert main(["review", "--week", "2026-W46", "--as-of", "2026-11-15", "--format", "csv",
                     "--db", str(target)]) == 0
    finally:
        close_database(target)
    assert "Q1" in capsys.readouterr().out

"""Given `rehab serve` command lines, expect port, address and Streamlit's own options to arrive intact."""

from __future__ import annotations

import pytest

from dashboard.cli import build_parser
from dashboard.cli_serve import streamlit_config, streamlit_options


def test_given_options_after_a_double_dash_expect_them_passed_to_streamlit_without_it() -> None:
    args = build_parser().parse_args(
        ["--db", "clinic.duckdb", "serve", "--port", "8600", "--", "--server.headless", "true"]
    )
    assert (args.db, args.port, args.address) == ("clinic.duckdb", 8600, None)
    assert streamlit_options(args) == ["--server.headless", "true"]


def test_given_no_streamlit_options_expect_the_defaults_and_nothing_passed_on() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.port, args.address) == (8501, None)
    assert streamlit_options(args) == []


def test_given_an_address_expect_it_kept_apart_from_streamlit_options() -> None:
    args = build_parser().parse_args(["serve", "--address", "127.0.0.1", "--", "--theme.base", "dark"])
    assert args.address == "127.0.0.1"
    assert streamlit_options(args) == ["--theme.base", "dark"]


def test_given_streamlit_options_expect_config_typed_as_config_toml_reads_them() -> None:
    options = ["--server.headless", "true", "--browser.gatherUsageStats=false", "--server.fileWatcherType",
               "none", "--server.maxUploadSize", "5"]
    assert streamlit_config(options) == {
        "server.headless": True, "browser.gatherUsageStats": False, "server.fileWatcherType": "none",
        "server.maxUploadSize": 5,
    }


@pytest.mark.parametrize("options", [["headless"], ["--server.headless"], ["--port", "1"]])
def test_given_a_malformed_streamlit_option_expect_a_message_naming_it(options) -> None:
    with pytest.raises(SystemExit, match="rehab serve: .*(Streamlit option|no value)"):
        streamlit_config(options)


def test_given_an_idle_limit_expect_it_kept_for_the_server() -> None:
    assert build_parser().parse_args(["serve", "--idle-limit", "30m"]).idle_limit == "30m"
    assert build_parser().parse_args(["serve"]).idle_limit is None

"""Given the package's modules, expect only dashboard/app.py and dashboard/app_pages/ to import streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import dashboard

PACKAGE = Path(dashboard.__file__).resolve().parent
APP_FILES = {PACKAGE / "app.py"}
APP_DIRS = {PACKAGE / "app_pages"}


def streamlit_imports(path: Path) -> list[int]:
    """Return the lines on which a module imports streamlit, however it spells it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            names = [str(node.args[0].value)] if called in ("import_module", "__import__") else []
        else:
            continue
        if any(name == "streamlit" or name.startswith("streamlit.") for name in names):
            lines.append(node.lineno)
    return lines


def is_app(path: Path) -> bool:
    """Return whether the file belongs to the Streamlit app."""
    return path in APP_FILES or any(directory in path.parents for directory in APP_DIRS)


def test_given_every_module_outside_the_app_expect_no_streamlit_import():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "db.py" in modules
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in modules
        if not is_app(path)
        for line in streamlit_imports(path)
    ]
    assert not offenders, (
        "only dashboard/app.py and dashboard/app_pages/ may import streamlit; move this code there or pass "
        f"data in: {', '.join(offenders)}"
    )


def test_given_the_checker_expect_it_to_see_every_spelling_of_the_import(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text(
        "import os\nimport streamlit as st\nfrom streamlit import session_state\n"
        "import streamlit.components.v1\nimport importlib\nimportlib.import_module('streamlit')\n"
        "from .streamlit import x\nimport streamlit_extras\n"
    )
    assert streamlit_imports(path) == [2, 3, 4, 6]

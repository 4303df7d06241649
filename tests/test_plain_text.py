"""Given imported text with Markdown in it, expect `plain` to make it show as written in Markdown."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from dashboard.app_pages._text import WORD_JOINER, plain

IMAGE_NAME = "![x](http://127.0.0.1:9/a.png)"
LINK_NAME = "[Session expired - sign in again](http://127.0.0.1:9/login)"


def shown(markdown: str) -> str:
    """Return what a reader sees of escaped Markdown: each escaped character itself, no word joiner."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def unescaped_marks(markdown: str) -> list[str]:
    """Return the ASCII punctuation marks not preceded by a backslash (each could start Markdown)."""
    bare = re.sub(r"\\.", "", markdown)
    return [char for char in bare if char in string.punctuation]


def test_given_an_image_or_a_link_as_a_name_expect_every_mark_escaped():
    for name in (IMAGE_NAME, LINK_NAME):
        assert shown(plain(name)) == name
        assert unescaped_marks(plain(name)) == []
    assert plain("José Mensah") == "José Mensah"
    assert plain("O'Brien") == "O\\'Brien"


def test_given_bare_addresses_expect_nothing_a_bare_link_could_start_from():
    text = plain("see http://127.0.0.1:9/x, HTTPS://x.org, www.x.org, WWW.X.ORG or ann@x.org")
    seen = text.replace("\\", "")
    assert "://" not in seen and not re.search("www", seen, re.IGNORECASE)
    assert f"@{WORD_JOINER}" in seen and "@x" not in seen
    assert shown(text) == "see http://127.0.0.1:9/x, HTTPS://x.org, www.x.org, WWW.X.ORG or ann@x.org"


def test_given_arrows_expect_them_kept_not_turned_into_symbols():
    text = plain("pain 3 -> 5, load <= 20 kg -- then ~= 4 <-> 6")
    for pair in ("->", "<=", "--", "~=", "<-"):
        assert pair not in text.replace("\\", "")
    assert shown(text) == "pain 3 -> 5, load <= 20 kg -- then ~= 4 <-> 6"


def test_given_line_breaks_expect_one_line_so_no_heading_list_or_code_block_starts():
    text = plain("# Heading\n\n- item\n    code\n> quote")
    assert "\n" not in text
    assert shown(text) == "# Heading - item code > quote"


def test_given_streamlit_directives_expect_them_escaped():
    text = plain(":red[alarm] :material/home: $x^2$ <b>bold</b> **strong** `code`")
    assert unescaped_marks(text) == []
    assert shown(text) == ":red[alarm] :material/home: $x^2$ <b>bold</b> **strong** `code`"


@given(st.text(alphabet=string.printable + "éøß·–→\u202e", max_size=60))
def test_given_any_text_expect_it_read_back_as_written_on_one_line(text):
    markdown = plain(text)
    assert shown(markdown) == " ".join(text.split())
    assert unescaped_marks(markdown) == []

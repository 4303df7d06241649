"""Imported text (names, conditions, notes, exercise names, file names) shown as written, never as Markdown.

Streamlit parses Markdown in st.markdown, st.caption, st.title/header/subheader, st.info/success/warning/error
and widget labels; st.text, st.dataframe cells and select box options (format_func) are plain text already.
Where text must go through Markdown, `plain` makes every character show as itself: the Markdown marks are
backslash-escaped, and a word joiner (U+2060, invisible) breaks what escaping cannot stop, namely the bare
links GFM makes of `http://…`, `www.…` and `a@b.c`, and Streamlit's `->`, `<=`, `--` typography.
"""

from __future__ import annotations

import re
import string

WORD_JOINER = "\u2060"
# Every ASCII punctuation mark may be backslash-escaped in CommonMark, and each is a mark somewhere.
_MARKS = frozenset(string.punctuation)
# Pairs Streamlit turns into arrows and symbols ("->" → "→"); a word joiner between them keeps both.
_TYPOGRAPHY = frozenset("-<>=~")
_WWW = re.compile(r"(w)(ww\.)", re.IGNORECASE)


def _breaks_after(char: str, following: str) -> bool:
    """Return whether a word joiner goes between two characters: "http:" + "//", "a@" + "b", "-" + ">"."""
    typography = char in _TYPOGRAPHY and following in _TYPOGRAPHY
    return (char, following) == (":", "/") or char == "@" or typography


def plain(text: object) -> str:
    """Return text for a Markdown element that shows exactly as written, on one line."""
    # One line: a line break could start a heading, a list or a code block.
    words = _WWW.sub(rf"\1{WORD_JOINER}\2", " ".join(str(text).split()))
    out = []
    for index, char in enumerate(words):
        if char not in _MARKS:
            out.append(char)
            continue
        out.append("\\" + char)
        if _breaks_after(char, words[index + 1 : index + 2]):
            out.append(WORD_JOINER)
    return "".join(out)

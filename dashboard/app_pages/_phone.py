"""Narrow screens (a phone, 390 px wide): compact rows of filters and figures, and a sidebar that closes.

Streamlit stacks every st.columns row below 640 px, which put the review's table a thousand pixels down.
The rows named here (by their container key, which Streamlit gives as the class st-key-<key>) stay rows.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's own breakpoint: columns stack below it.
NARROW = "640px"
# Streamlit's sidebar overlays the page below this width; it closes itself after a page is chosen only when
# the browser calls itself a mobile device, so a narrow window (or a phone in desktop mode) kept it open.
SIDEBAR_OVERLAY_PX = 768

# Filters: two to a row. Figures: one row of small numbers. Facts: two to a row.
_CSS = f"""
<style>
@media (max-width: {NARROW}) {{
  .st-key-review_filters [data-testid="stHorizontalBlock"],
  .st-key-patient_facts [data-testid="stHorizontalBlock"] {{
    flex-flow: row wrap; gap: 0.5rem 0.75rem;
  }}
  .st-key-review_filters [data-testid="stColumn"],
  .st-key-patient_facts [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.75rem) !important; min-width: calc(50% - 0.75rem) !important;
    width: auto !important;
  }}
  .st-key-review_figures [data-testid="stHorizontalBlock"] {{ flex-flow: row nowrap; gap: 0.25rem; }}
  .st-key-review_figures [data-testid="stColumn"] {{
    flex: 1 1 auto !important; min-width: 0 !important; width: auto !important;
  }}
  .st-key-review_figures [data-testid="stMetricValue"] {{ font-size: 1.3rem; }}
  /* Whole words only: "Adherence" must not break into "Adherenc" and "e". */
  .st-key-review_figures [data-testid="stMetricLabel"] * {{
    font-size: 0.66rem !important; white-space: normal !important; overflow-wrap: normal !important;
    word-break: normal !important;
  }}
  .st-key-review_figures [data-testid="stMetricLabel"] [data-testid="stTooltipIcon"] {{ display: none; }}
  [data-testid="stMain"] h1 {{ font-size: 1.9rem; padding-top: 0; }}
  [data-testid="stMainBlockContainer"] {{ padding-top: 3.5rem; }}
}}
</style>
"""

# Trusted, fixed text: no imported value goes into it. One listener per browser tab, however often it runs.
_CLOSE_SIDEBAR_JS = f"""
<script>
if (!window.rehabClosesSidebar) {{
  window.rehabClosesSidebar = true;
  document.addEventListener("click", (event) => {{
    const link = event.target.closest && event.target.closest("[data-testid='stSidebarNav'] a");
    if (!link || window.innerWidth >= {SIDEBAR_OVERLAY_PX}) return;
    setTimeout(() => {{
      const close = document.querySelector("[data-testid='stSidebarCollapseButton'] button");
      const sidebar = document.querySelector("[data-testid='stSidebar']");
      if (close && sidebar && sidebar.getBoundingClientRect().right > 0) close.click();
    }}, 0);
  }}, true);
}}
</script>
"""


def compact_rows() -> None:
    """Keep the keyed filter, figure and fact rows as rows on a phone (no space taken on the page)."""
    st.html(_CSS)


def close_sidebar_after_navigation() -> None:
    """Close the sidebar once a page is chosen in it on a narrow screen, where it covers the page."""
    st.html(_CLOSE_SIDEBAR_JS, unsafe_allow_javascript=True)

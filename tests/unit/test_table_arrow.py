"""ui.widgets.arrow_table: the Arrow table st.dataframe would make, made once per frame object."""

from __future__ import annotations

import pandas as pd
from streamlit import dataframe_util

from ui.widgets import arrow_table


def test_the_browser_gets_the_same_bytes_as_from_the_frame_itself() -> None:
    shown = pd.DataFrame({"ACO": ["A1001", "A2210"], "Savings rate": ["3.79%", "-1.20%"],
                          "Earned": [107.9e6, float("nan")], "Years": [12, 3]})
    assert (dataframe_util.convert_arrow_table_to_arrow_bytes(arrow_table(shown))
            == dataframe_util.convert_pandas_df_to_arrow_bytes(shown))


def test_made_once_per_frame_and_afresh_for_a_changed_copy() -> None:
    shown = pd.DataFrame({"ACO": ["A1001", "A2210"], "Years": [12, 3]})
    first = arrow_table(shown)
    assert arrow_table(shown) is first
    more = shown.assign(Track=["ENHANCED", "BASIC"])
    assert arrow_table(more).column_names == ["ACO", "Years", "Track"]
    assert arrow_table(shown.head(1)).num_rows == 1
    assert "_aco_lens_arrow" not in shown.columns

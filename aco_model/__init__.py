"""ACO Lens settlement model: pure, typed rules of the Medicare Shared Savings Program (42 CFR 425).

No Streamlit here: pages and command lines call these functions.
"""

from aco_model.msr import corridor_rates, variable_msr
from aco_model.reconciliation import AcoYear, Settlement, Step, settle
from aco_model.rules import TRACKS, YEARS, RuleError, is_offered, track_rules, year_rules
from aco_model.vectorized import settle_frame

__all__ = [
    "AcoYear", "RuleError", "Settlement", "Step", "TRACKS", "YEARS", "corridor_rates", "is_offered",
    "settle", "settle_frame", "track_rules", "variable_msr", "year_rules",
]

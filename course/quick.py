"""Quick mode and its budgets: the one place that says how small a run is under test or grading.

Quick mode is on when ``COURSE_QUICK=1`` or nbgrader is executing the notebook
(``NBGRADER_EXECUTION`` is set), spec section 5.  Then the loader cuts every
pass to ``QUICK_BATCHES`` batches of at most ``QUICK_BATCH_SIZE`` examples and
:func:`course.train_ch6` runs at most ``QUICK_EPOCHS`` epoch, so a whole
notebook runs in well under a minute on two CPU cores.
"""
from __future__ import annotations

import os

QUICK_BATCHES = 2      # batches per pass in quick mode
QUICK_BATCH_SIZE = 16  # largest batch in quick mode
QUICK_EPOCHS = 1       # epochs of train_ch6 in quick mode


def quick_mode():
    """True when ``COURSE_QUICK=1`` or nbgrader is executing the notebook (spec section 5)."""
    return os.environ.get("COURSE_QUICK", "") not in ("", "0") or bool(os.environ.get("NBGRADER_EXECUTION"))

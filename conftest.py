"""pytest setup for the whole repository (tests/ and the nbval run over solutions/).

Notebooks run in quick mode under test (spec section 5), with this Python's
``bin/`` first on PATH because nbgrader shells out to ``alembic``.
"""
import os
import sys
from pathlib import Path

os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ["COURSE_QUICK"] = "1"
os.environ.setdefault("PYTHONHASHSEED", "0")

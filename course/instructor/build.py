"""The instructor's build: ``python -m course build``.

It regenerates, from ``source/``:

* ``release/NN_topic/NN_topic.ipynb`` with nbgrader's ``generate_assignment``
  (solutions replaced by a stub, hidden tests removed, cells locked);
* ``solutions/NN_topic.ipynb``: the source with the nbgrader markers removed,
  executed in quick mode by the course's notebook runner, outputs stored, for nbval.

It also makes filled-in student notebooks from the solutions (the demo's and
the tests' synthetic submissions).
"""
from __future__ import annotations

import copy
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from ..cells import answer_cells, grade_id
from ..coursedir import assignments, course_dir, release_path, solution_path, source_path
from ..runner import run_notebook, tool_env
from . import CheckFailed
from .nbgrader_tools import nbgrader

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
IGNORE_OUTPUT_TAGS = {"nbval-ignore-output", "nbval-skip"}


def graded_assignments(root=None):
    """The assignments with exercises (answer code cells): every one but the welcome notebook."""
    return [asg for asg in assignments(root)
            if answer_cells(nbformat.read(source_path(asg, root), as_version=4), asg)]


# ----------------------------------------------------------------------------
# solutions

def strip_markers(source):
    """The cell source with the nbgrader solution / hidden-test marker lines removed."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in MARKERS)


def make_solution(nb):
    """The answer key: a copy of the source notebook without nbgrader's markers (not yet executed)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.source = strip_markers(cell.source)
    return nb


def filled_release(asg, replace=None, root=None):
    """The student notebook with every answer cell filled in: ``replace[name]`` where given, else the solution.

    Used to make synthetic submissions (tests, ``python -m course demo``).
    """
    solved = answer_cells(make_solution(nbformat.read(source_path(asg, root), as_version=4)), asg)
    nb = nbformat.read(release_path(asg, root), as_version=4)
    for name, cell in answer_cells(nb, asg).items():
        cell.source = (replace or {}).get(name, solved[name].source)
    return nb


def execute(nb, cwd, timeout=600):
    """Execute ``nb`` in quick mode with the course's runner; raise ``CheckFailed`` naming the first failing cell."""
    with tempfile.TemporaryDirectory(prefix="course-build-") as job:
        executed, status, _ = run_notebook(nb, job, cell_timeout=timeout, notebook_timeout=timeout * 4, cwd=cwd,
                                           env=tool_env(COURSE_QUICK="1", PYTHONHASHSEED="0"))
    for cell in executed.cells if executed is not None else []:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise CheckFailed(f"cell {grade_id(cell) or '?'} failed:\n{out.get('ename')}: {out.get('evalue')}"[:2500])
    if status != "ok" or executed is None:
        raise CheckFailed(f"the notebook did not run to the end ({status})")
    return executed


def normalized(nb, with_outputs=True):
    """What must reproduce exactly: sources, tags and (``with_outputs``) the outputs of cells not tagged to be ignored."""
    out = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        entry = {"type": cell.cell_type, "source": cell.source, "tags": sorted(tags)}
        if with_outputs and cell.cell_type == "code" and not tags & IGNORE_OUTPUT_TAGS:
            outputs = []
            for o in cell.get("outputs", []):
                o = {k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                # a stream may arrive in any number of chunks: compare its text, as nbval does
                if o.get("output_type") == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                        and outputs[-1].get("name") == o.get("name"):
                    outputs[-1] = dict(outputs[-1], text=outputs[-1]["text"] + o["text"])
                    continue
                if "data" in o:
                    o["data"] = {k: v for k, v in o["data"].items()
                                 if not k.startswith("image/") and "widget" not in k}
                outputs.append(o)
            entry["outputs"] = outputs
        out.append(entry)
    return json.dumps(out, sort_keys=True, indent=1)


def build_solution(asg, root=None):
    """Regenerate ``solutions/<asg>.ipynb``; keep the file untouched if only ignored outputs would change."""
    src = nbformat.read(source_path(asg, root), as_version=4)
    nb = execute(make_solution(src), cwd=Path(root) / "solutions")
    dest = solution_path(asg, root)
    if dest.exists() and normalized(nbformat.read(dest, as_version=4)) == normalized(nb):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


# ----------------------------------------------------------------------------
# release

def build_release(asg, root=None, db=None):
    """Regenerate ``release/<asg>/`` with nbgrader's ``generate_assignment``."""
    nbgrader("generate_assignment", asg, "--force", "--log-level=WARN", root=root, db=db)
    # nbgrader copies every file of the source folder; only notebooks ship.
    return release_path(asg, root)


def build(root=None, only=None, jobs=2, log=print):
    """Regenerate ``release/`` and ``solutions/`` for every assignment (or those in ``only``).

    nbgrader records the assignments in a throwaway gradebook: building never
    touches the class's grades (``python -m course grade`` syncs its own).
    """
    root = course_dir(root)
    todo = list(only) if only else assignments(root)
    with tempfile.TemporaryDirectory(prefix="course-build-") as tmp:
        for asg in todo:
            build_release(asg, root, db=Path(tmp) / "gradebook.db")
            log(f"release/{asg}/{asg}.ipynb")
    errors = []

    def one(asg):
        try:
            build_solution(asg, root)
            log(f"solutions/{asg}.ipynb")
        except CheckFailed as err:
            errors.append(f"solutions/{asg}.ipynb: {err}")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, todo))
    if errors:
        raise CheckFailed("\n".join(sorted(errors)))

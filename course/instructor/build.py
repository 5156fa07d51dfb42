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
import hashlib
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from ..cells import answer_cells, grade_id
from ..coursedir import assignments, course_dir, release_path, solution_path, source_path
from ..runner import run_notebook, tool_env
from . import CheckFailed
from .nbgrader_tools import nbgrader

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
RECORDED_TAG = "recorded-run"    # the answer key shows a real run of this cell (python -m course build --train)
TRAIN_CELL_TIMEOUT = 1800        # seconds for one recorded cell of a --train build
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


def execute(nb, cwd, timeout=600, root=None):
    """Execute ``nb`` in quick mode with the course's runner; raise ``CheckFailed`` naming the first failing cell.
    The course's ``data/`` (``root``), where it exists, is where the notebook finds Fashion-MNIST."""
    data = Path(root) / "data" if root is not None else None
    extra = {"COURSE_DATA": str(data)} if data is not None and data.is_dir() and "COURSE_DATA" not in os.environ else {}
    with tempfile.TemporaryDirectory(prefix="course-build-") as job:
        executed, status, _ = run_notebook(nb, job, cell_timeout=timeout, notebook_timeout=timeout * 4, cwd=cwd,
                                           env=tool_env(COURSE_QUICK="1", PYTHONHASHSEED="0", **extra))
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


def recorded(cell):
    """A cell whose outputs in the answer key come from a real run (``python -m course build --train``)."""
    return cell.get("cell_type") == "code" and RECORDED_TAG in cell.get("metadata", {}).get("tags", [])


def _fingerprint(source):
    return hashlib.sha256(source.encode()).hexdigest()[:16]


_TOGGLE = "_recorded_run_"


def with_real_runs(nb):
    """``nb`` with every recorded cell between two cells that leave quick mode for it and time it (the rest of
    the notebook still runs in quick mode)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if recorded(cell):
            cells.append(nbformat.v4.new_code_cell(
                f'import os as {_TOGGLE}os, time as {_TOGGLE}time\n{_TOGGLE}os.environ["COURSE_QUICK"] = "0"\n'
                f"{_TOGGLE}t0 = {_TOGGLE}time.perf_counter()", metadata={_TOGGLE: True}))
            cells.append(cell)
            cells.append(nbformat.v4.new_code_cell(
                f'{_TOGGLE}os.environ["COURSE_QUICK"] = "1"\nprint(f"{{{_TOGGLE}time.perf_counter() - {_TOGGLE}t0:.1f}}")',
                metadata={_TOGGLE: True}))
        else:
            cells.append(cell)
    out.cells = cells
    return out


def without_toggles(nb, device):
    """Remove :func:`with_real_runs`'s cells, marking each recorded cell with its run: device, seconds, date and
    a fingerprint of its source (a later change of the cell makes the recording stale)."""
    cells, date = [], time.strftime("%Y-%m-%d")
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get(_TOGGLE):
            continue
        if recorded(cell):
            after = nb.cells[i + 1]
            text = "".join(o.get("text", "") for o in after.get("outputs", []) if o.get("output_type") == "stream")
            seconds = float(text.strip() or "nan")
            cell.metadata.setdefault("course", {})["recorded"] = {
                "device": device, "seconds": seconds, "date": date, "source": _fingerprint(cell.source)}
        cells.append(cell)
    nb.cells = cells
    return nb


def keep_recorded_runs(nb, old):
    """Copy the recorded runs of the answer key ``old`` into the freshly built ``nb``, cell by cell, where the
    cell's source is unchanged; return the grade ids of recorded cells that have no (current) recording."""
    if old is None:
        return [grade_id(c) or "?" for c in nb.cells if recorded(c)]
    runs = {grade_id(c): c for c in old.cells if recorded(c) and c.get("metadata", {}).get("course", {}).get("recorded")}
    missing = []
    for cell in nb.cells:
        if not recorded(cell):
            continue
        prev = runs.get(grade_id(cell))
        if prev is not None and prev.metadata["course"]["recorded"].get("source") == _fingerprint(cell.source):
            cell.outputs = copy.deepcopy(prev.outputs)
            cell.execution_count = prev.get("execution_count")
            cell.metadata.setdefault("course", {})["recorded"] = copy.deepcopy(prev.metadata["course"]["recorded"])
        else:
            missing.append(grade_id(cell) or "?")
    return missing


def device_description():
    """The device the recorded runs train on, in words."""
    import os

    import torch
    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return f"cpu ({len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} cores)"


def build_solution(asg, root=None, train=False, log=print):
    """Regenerate ``solutions/<asg>.ipynb``; keep the file untouched if only ignored outputs would change.

    Quick mode throughout; the recorded cells (tag ``recorded-run``) keep their recorded real runs from the
    existing answer key while their source is unchanged.  ``train``: run the recorded cells outside quick mode
    instead (the device's own budget: the CPU one on a CPU, d2l's on a GPU), in
    ``solutions/training/<asg>/``, emptied first, so nothing is resumed and notebook 13 finds the other
    notebooks' checkpoints at ``../NN_topic/checkpoints/`` as students do."""
    root = Path(root)
    src = make_solution(nbformat.read(source_path(asg, root), as_version=4))
    dest = solution_path(asg, root)
    old = nbformat.read(dest, as_version=4) if dest.exists() else None
    if train and any(recorded(c) for c in src.cells):
        work = root / "solutions" / "training" / asg
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        start = time.perf_counter()
        nb = without_toggles(execute(with_real_runs(src), cwd=work, timeout=TRAIN_CELL_TIMEOUT, root=root),
                             device_description())
        log(f"solutions/{asg}.ipynb: recorded runs in {time.perf_counter() - start:.0f} s")
    else:
        nb = execute(src, cwd=root / "solutions", root=root)
        missing = keep_recorded_runs(nb, old)
        if missing and old is not None:
            log(f"solutions/{asg}.ipynb: no recorded run of {', '.join(missing)} (python -m course build --train {asg})")
    if old is not None and normalized(old) == normalized(nb) and not train:
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


def build(root=None, only=None, jobs=2, log=print, train=False):
    """Regenerate ``release/`` and ``solutions/`` for every assignment (or those in ``only``).

    nbgrader records the assignments in a throwaway gradebook: building never
    touches the class's grades (``python -m course grade`` syncs its own).
    ``train``: record real runs of the training cells (:func:`build_solution`), one notebook at a time in
    teaching order (training takes every core, and 13 reads the checkpoints of 05-12).
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
            build_solution(asg, root, train=train, log=log)
            log(f"solutions/{asg}.ipynb")
        except CheckFailed as err:
            errors.append(f"solutions/{asg}.ipynb: {err}")

    with ThreadPoolExecutor(max_workers=1 if train else max(1, jobs)) as pool:
        list(pool.map(one, todo))
    if errors:
        raise CheckFailed("\n".join(sorted(errors)))

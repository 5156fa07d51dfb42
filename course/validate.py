"""``python -m course validate NOTEBOOK.ipynb``: the student's self-check.

It runs a notebook the way the grader will (a fresh kernel, every cell in
order, quick mode, the same per-cell time limit), with the test cells as the
course released them, then lists each test cell as passed or failed; for a failed
cell it prints the cell's checklist (every check, ✓ or ✗, with the message
and hint of each failed one).  Only the visible tests are in a student's
notebook; the hidden ones run at grading time.

Unlike ``nbgrader validate``, it exits 1 when any test cell fails, so a script
or a CI job can rely on it: 0 means every visible test passed.
"""
from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .cells import assignment_of, grade_id, is_test, nbgrader_meta
from .coursedir import CourseDirError, find_course_dir, release_path
from .runner import run_notebook, tool_env

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHECKLIST = re.compile(r"^\S.*: \d+ of \d+ checks passed")


class ValidateError(Exception):
    """The notebook cannot be validated at all (missing, not a notebook, not from this course)."""


@dataclass
class TestResult:
    grade_id: str
    points: float
    passed: bool
    message: str = ""
    checklist: str = ""


def checklist_of(cell):
    """The checklist a test cell printed (``course.testing.Checks``), or "" if it printed none."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    lines, block = ANSI.sub("", text).split("\n"), []
    for line in lines:
        if CHECKLIST.match(line):
            block = [line]
        elif block and line.startswith("  "):
            block.append(line)
        elif block:
            break
    return "\n".join(block)


def _read(path):
    path = Path(path)
    if not path.is_file():
        raise ValidateError(f"{path}: no such notebook")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file gets the same clear answer
        raise ValidateError(f"{path} is not a readable notebook ({type(err).__name__}: {err}); "
                            "open it in JupyterLab, or start again from a fresh copy of the release "
                            "and paste your answers back") from None


def restore_tests(nb, asg, root):
    """Put back the released test cells (edited or deleted ones), as the grader does; return the ids restored."""
    release = release_path(asg, root)
    if not release.exists():
        return []
    cells = [c for c in nbformat.read(release, as_version=4).cells if grade_id(c)]
    order = [grade_id(c) for c in cells]
    master = {grade_id(c): c for c in cells if nbgrader_meta(c).get("locked")}
    restored, seen = [], set()
    for i, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid in master:
            seen.add(gid)
            if is_test(master[gid]) and cell.source != master[gid].source:
                nb.cells[i] = nbformat.from_dict(dict(master[gid]))
                restored.append(gid)
    # a deleted test cell goes back after the cell that preceded it in the release
    for gid in order:
        if gid in seen or gid not in master or not is_test(master[gid]):
            continue
        before = order[:order.index(gid)]
        at = 0
        for i, cell in enumerate(nb.cells):
            if grade_id(cell) in before:
                at = i + 1
        nb.cells.insert(at, nbformat.from_dict(dict(master[gid])))
        restored.append(gid)
    return restored


def error_message(cell):
    """The last error a cell raised, as one line a student can act on."""
    for out in reversed(cell.get("outputs", [])):
        if out.get("output_type") == "error":
            value = ANSI.sub("", out.get("evalue", "")).strip()
            first = value.split("\n")[0] if value else ""
            return f"{out.get('ename', 'Error')}: {first}" if first else out.get("ename", "Error")
    return ""


def run(nb, cwd, cell_timeout=120, notebook_timeout=1800):
    """Execute every code cell with the course's runner (errors do not stop it); return ok, cell-timeout or kernel-died.

    It runs in a scratch folder, as the grader does; ``nb`` is updated in place with the outputs.
    """
    with tempfile.TemporaryDirectory(prefix="course-validate-") as tmp:
        job = Path(tmp)
        env = tool_env(COURSE_QUICK="1", NBGRADER_EXECUTION="validate", PYTHONHASHSEED="0",
                       JUPYTER_RUNTIME_DIR=str(job / "runtime"))
        if "COURSE_DATA" not in env and (Path(cwd) / "data").is_dir():
            env["COURSE_DATA"] = str(Path(cwd) / "data")  # the student's ./data, seen from the scratch folder
        executed, status, _ = run_notebook(nb, job, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                                           env=env)
        if executed is not None:
            nb.cells = executed.cells
    return "ok" if status == "ok" else ("cell-timeout" if "timeout" in status else "kernel-died")


def validate(path, root=None, cell_timeout=120, log=print):
    """Run ``path`` as the grader would and report every test cell; return True when all pass.

    ``root`` is the course directory (default: the nearest one above the
    working directory, else above the notebook), whose ``release/`` holds the
    test cells as released.
    """
    path = Path(path).resolve()
    nb = _read(path)
    asg = assignment_of(nb)
    if asg is None:
        raise ValidateError(f"{path} has no nbgrader cells of this course: is it a course notebook?")
    if root is None:
        try:
            root = find_course_dir()
        except CourseDirError:
            try:
                root = find_course_dir(start=path.parent)
            except CourseDirError as err:
                raise ValidateError(str(err)) from None
    restored = restore_tests(nb, asg, root)
    log(f"Validating {path.name} ({asg}): a fresh kernel, every cell in order, quick mode ...")
    if restored:
        log(f"  note: {len(restored)} test cell(s) differ from the release and were put back, as the grader "
            f"will: {', '.join(restored)}")
    start = time.perf_counter()
    status = run(nb, path.parent, cell_timeout)
    results, other_errors = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id", "?")
        message = error_message(cell)
        ran = cell.get("execution_count") is not None or cell.get("outputs")
        if is_test(cell) and not gid.endswith("-canary-tests"):  # the canary is the grader's, not a test
            if not ran and not message:
                message = "not run: an earlier cell stopped the kernel"
            results.append(TestResult(gid, float(meta.get("points", 0)), ran and not message, message,
                                      checklist_of(cell)))
        elif message and not is_test(cell):
            other_errors.append((gid, message))
    for gid, message in other_errors:
        log(f"  ERROR {gid}: {message}")
    for r in results:
        pts = f"{r.points:g} point{'s' if r.points != 1 else ''}"
        log(f"  {'PASS' if r.passed else 'FAIL'}  {r.grade_id} ({pts})" + ("" if r.passed else f": {r.message}"))
        if not r.passed and r.checklist:
            log("\n".join("        " + line for line in r.checklist.split("\n")))
    unanswered = [grade_id(c) for c in nb.cells if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")
                  and "YOUR ANSWER HERE" in c.source]
    if unanswered:
        log(f"  note: written answers still to write (graded by hand): {', '.join(unanswered)}")
    if status == "kernel-died":
        log("  the kernel died during the run (os._exit, a crash or out of memory): the grader stops there too")
    elif status == "cell-timeout":
        log(f"  a cell ran longer than {cell_timeout} s and the run stopped there, as grading would")
    passed = sum(r.passed for r in results)
    ok = status == "ok" and passed == len(results)
    if not results:
        log(f"No autograded tests in this notebook ({time.perf_counter() - start:.0f} s)"
            + ("." if status == "ok" else ", and it did not run to the end."))
        return status == "ok"
    log(f"{passed} of {len(results)} test cells pass ({time.perf_counter() - start:.0f} s). "
        + ("Every visible test passes; hidden tests run at grading." if ok else
           "Fix the failures above, then run this again."))
    return ok

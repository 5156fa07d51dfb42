"""The instructor's check: ``python -m course check`` fails, saying why, when the repository is not fit to ship.

It fails when a source notebook is malformed (outputs left in, bad or
duplicated nbgrader metadata), when a release notebook leaks a solution or a
hidden test, when a solution fails its own tests, or when regenerating would
change ``release/`` or ``solutions/``.  The outputs of cells tagged
``nbval-ignore-output`` are not compared; among them, the ``recorded-run`` cells
show real runs that ``python -m course build --train`` recorded, and the check
names those that have none.
"""
from __future__ import annotations

import ast
import re
import tempfile
from pathlib import Path

import nbformat

from ..cells import grade_id, nbgrader_meta
from ..coursedir import assignments, course_dir, release_path, solution_path, source_path
from . import CheckFailed
from .build import IGNORE_OUTPUT_TAGS, RECORDED_TAG, build, build_release, make_solution, normalized, recorded
from .nbgrader_tools import scratch_course

LEAKS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")
GRADE_ID = re.compile(r"^(?P<asg>\d\d_[a-z0-9_]+)-[A-Za-z0-9_]+(-[A-Za-z0-9_]+)+$")


def lint_checks(source, points):
    """Problems with one test cell made of checks (``course.testing.Checks``); an empty list when it is sound.

    Every check is declared ``@checks.visible(description, points=..., hint=...)``
    or ``@checks.hidden(...)`` with literal points and a hint; hidden checks sit
    in the hidden-tests block and visible ones outside it, at least one is
    visible, the cell ends with ``checks.run()``, and the checks' points add up
    to the cell's points.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return [f"does not parse ({err})"]
    lines = source.split("\n")
    begin = next((i + 1 for i, line in enumerate(lines) if line.strip() == "### BEGIN HIDDEN TESTS"), None)
    end = next((i + 1 for i, line in enumerate(lines) if line.strip() == "### END HIDDEN TESTS"), None)
    problems, total, kinds = [], 0.0, []
    for node in ast.walk(tree):
        for deco in getattr(node, "decorator_list", []):
            if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr in ("visible", "hidden")):
                continue
            kind, kw = deco.func.attr, {k.arg: k.value for k in deco.keywords}
            desc = deco.args[0].value if deco.args and isinstance(deco.args[0], ast.Constant) else None
            if not isinstance(desc, str) or not desc:
                problems.append(f"line {deco.lineno}: a check's description is a literal string")
                desc = "?"
            pts = kw.get("points", ast.Constant(1))
            if not (isinstance(pts, ast.Constant) and isinstance(pts.value, (int, float)) and pts.value > 0):
                problems.append(f"check '{desc}': points must be a positive number literal")
            else:
                total += pts.value
            hint = kw.get("hint")
            if not (isinstance(hint, ast.Constant) and isinstance(hint.value, str) and hint.value.strip()):
                problems.append(f"check '{desc}': needs a hint (a literal string) telling the student what to fix")
            inside = begin is not None and end is not None and begin < deco.lineno < end
            if (kind == "hidden") != inside:
                problems.append(f"check '{desc}': {kind} checks belong "
                                + ("inside" if kind == "hidden" else "outside") + " the hidden-tests block")
            kinds.append(kind)
    if not kinds:
        return ["declares no checks: write it as `checks = Checks(name)` with @checks.visible / @checks.hidden"]
    if "visible" not in kinds:
        problems.append("has no visible check: students must be able to run at least one")
    last = tree.body[-1] if tree.body else None
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
            and isinstance(last.value.func, ast.Attribute) and last.value.func.attr == "run"):
        problems.append("must end with `checks.run()` (its value is the partial credit under grading)")
    if abs(total - float(points)) > 1e-9:
        problems.append(f"its checks add up to {total:g} points, but the cell is worth {points:g}")
    return problems


def lint_source(asg, root=None):
    """Problems with one source notebook's outputs and nbgrader metadata (an empty list when it is sound)."""
    root = course_dir(root)
    path = source_path(asg, root)
    rel = path.relative_to(root)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable notebook is a problem to report
        return [f"{rel}: not a readable notebook ({err})"]
    problems, ids = [], {}
    written = 0
    for i, cell in enumerate(nb.cells):
        where = f"{rel} cell {i}"
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"{where}: has outputs or an execution count (source notebooks are stripped: "
                            "run `jupyter nbconvert --clear-output --inplace` on it)")
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            problems.append(f"{where}: has no nbgrader metadata (every non-answer cell must be locked)")
            continue
        gid = meta.get("grade_id", "")
        where = f"{rel} cell {i} ({gid or 'no grade_id'})"
        m = GRADE_ID.match(gid or "")
        if not m or m.group("asg") != asg:
            problems.append(f"{where}: grade_id must look like '{asg}-<name>-<aspect>'")
        if gid in ids:
            problems.append(f"{where}: duplicate grade_id (also cell {ids[gid]})")
        ids[gid] = i
        solution, grade, locked = meta.get("solution", False), meta.get("grade", False), meta.get("locked", False)
        points = meta.get("points")
        if (grade or meta.get("task")) != (points is not None):
            problems.append(f"{where}: points belong on graded cells, and every graded cell needs points")
        if solution and locked:
            problems.append(f"{where}: an answer cell cannot be locked")
        if not solution and not locked:
            problems.append(f"{where}: every non-answer cell must be locked")
        if cell.cell_type == "code" and solution:
            if "### BEGIN SOLUTION" not in cell.source or "### END SOLUTION" not in cell.source:
                problems.append(f"{where}: an answer cell needs ### BEGIN SOLUTION / ### END SOLUTION")
            if grade:
                problems.append(f"{where}: answer cells carry no points; points live on test cells")
        if cell.cell_type == "code" and grade and not solution:
            first = cell.source.lstrip().split("\n", 1)[0]
            if not first.startswith(('"""', "'''")):
                problems.append(f"{where}: a test cell opens with a one-line docstring saying what it checks")
            if points:  # the 0-point canary is not made of checks
                problems += [f"{where}: {p}" for p in lint_checks(cell.source, points)]
        if cell.cell_type == "markdown" and solution and grade:
            written += 1
        tags = set(cell.metadata.get("tags", []))
        if RECORDED_TAG in tags and (cell.cell_type != "code" or solution or grade
                                     or not tags & IGNORE_OUTPUT_TAGS):
            problems.append(f"{where}: a {RECORDED_TAG} cell is an ungraded code cell tagged nbval-ignore-output too "
                            "(its recorded outputs come from `python -m course build --train`, not this build)")
    if written == 0:
        problems.append(f"{rel}: needs at least one manually graded written answer")
    scored = [c for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("grade")
              and nbgrader_meta(c).get("points")]
    canary = [c for c in nb.cells if grade_id(c) == f"{asg}-canary-tests"]
    if scored and not (canary and canary[0].cell_type == "code" and nbgrader_meta(canary[0]).get("grade")
                       and nbgrader_meta(canary[0]).get("points") == 0):
        problems.append(f"{rel}: an autograded notebook needs a 0-point test cell '{asg}-canary-tests' that fails "
                        "under grading (copy it from 01_convolution); `python -m course grade` flags a passing one")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Summary", "Further exercises"):
        if not re.search(rf"^#+ .*{heading}", text, re.M):
            problems.append(f"{rel}: has no '{heading}' section")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{rel}: the kernelspec must be python3")
    return problems


def scan_release(path, root=None):
    """Problems with one generated student notebook: any solution or hidden test that reached it."""
    text = Path(path).read_text(encoding="utf-8")
    rel = Path(path).relative_to(course_dir(root))
    return [f"{rel}: contains '{leak}' (a solution or hidden test leaked)" for leak in LEAKS if leak in text]


def _tree(root, sub):
    base = Path(root) / sub
    return {p.relative_to(base).as_posix(): p for p in base.rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts and "checkpoints" not in p.parts}


def check(root=None, jobs=2, log=print, execute=True):
    """Run every check; raise :class:`CheckFailed` listing all problems found.

    ``execute=False`` (``check --no-execute``) does everything but run the
    solutions: their sources must still match ``source/``, but whether they
    pass their own tests and reproduce their stored outputs is left to nbval
    over ``solutions/``, which the test suite runs anyway.
    """
    root = course_dir(root)
    todo = assignments(root)
    problems = []
    for asg in todo:
        problems += lint_source(asg, root)
        if not release_path(asg, root).exists():
            problems.append(f"release/{asg}/{asg}.ipynb is missing: run `python -m course build`")
        if not solution_path(asg, root).exists():
            problems.append(f"solutions/{asg}.ipynb is missing: run `python -m course build`")
    for p in sorted((root / "release").rglob("*.ipynb")):
        problems += scan_release(p, root)
    if problems:
        raise CheckFailed("\n".join(problems))
    log(f"lint: {len(todo)} source notebooks sound, release/ leaks nothing")

    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp:
        tmp = scratch_course(tmp, root)
        (tmp / "solutions").mkdir()
        if execute:
            try:
                build(tmp, jobs=jobs, log=lambda *_: None)
            except CheckFailed as err:
                raise CheckFailed(f"a solution notebook fails:\n{err}") from None
        else:
            for asg in todo:
                build_release(asg, tmp, db=tmp / "gradebook.db")
                nbformat.write(make_solution(nbformat.read(source_path(asg, tmp), as_version=4)),
                               solution_path(asg, tmp))
        mine, fresh = _tree(root, "release"), _tree(tmp, "release")
        for name in sorted(set(mine) | set(fresh)):
            if name not in fresh:
                problems.append(f"release/{name} is not generated from source/ (delete it, or add its source)")
            elif name not in mine:
                problems.append(f"release/{name} is missing: run `python -m course build`")
            elif mine[name].read_bytes() != fresh[name].read_bytes():
                problems.append(f"release/{name} differs from what source/ generates: run `python -m course build`")
        mine, fresh = _tree(root, "solutions"), _tree(tmp, "solutions")
        for name in sorted(set(mine) | set(fresh)):
            if not name.endswith(".ipynb"):
                continue
            if name not in fresh:
                problems.append(f"solutions/{name} is not generated from source/")
            elif name not in mine:
                problems.append(f"solutions/{name} is missing: run `python -m course build`")
            elif (normalized(nbformat.read(mine[name], as_version=4), with_outputs=execute)
                  != normalized(nbformat.read(fresh[name], as_version=4), with_outputs=execute)):
                problems.append(f"solutions/{name} differs from what source/ generates: run `python -m course build`")
    if problems:
        raise CheckFailed("\n".join(problems))
    unrecorded = [f"{asg} {grade_id(c)}" for asg in todo if solution_path(asg, root).exists()
                  for c in nbformat.read(solution_path(asg, root), as_version=4).cells
                  if recorded(c) and not c.get("metadata", {}).get("course", {}).get("recorded")]
    if unrecorded:
        log(f"note: {len(unrecorded)} training cells of the answer key show no recorded run (not compared, not a "
            f"failure; python -m course build --train records them): {', '.join(unrecorded)}")
    if execute:
        log(f"regenerated {len(todo)} assignments: release/ and solutions/ are up to date, every solution passes")
    else:
        log(f"regenerated {len(todo)} assignments: release/ and the solutions' sources are up to date "
            "(solutions not run: nbval over solutions/ runs them)")



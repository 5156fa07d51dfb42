"""The instructor's build and check: ``python -m course build`` / ``python -m course check``.

``build`` regenerates, from ``source/``:

* ``release/NN_topic/NN_topic.ipynb`` with nbgrader's ``generate_assignment``
  (solutions replaced by a stub, hidden tests removed, cells locked);
* ``solutions/NN_topic.ipynb``: the source with the nbgrader markers removed,
  executed in quick mode with its outputs stored, for nbval.

``check`` fails, saying why, when a source notebook is malformed (outputs
left in, bad or duplicated nbgrader metadata), when a release notebook leaks a
solution or a hidden test, when a solution fails its own tests, or when
regenerating would change ``release/`` or ``solutions/``.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
LEAKS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")
IGNORE_OUTPUT_TAGS = {"nbval-ignore-output", "nbval-skip"}
GRADE_ID = re.compile(r"^(?P<asg>\d\d_[a-z0-9_]+)-[A-Za-z0-9_]+(-[A-Za-z0-9_]+)+$")


class CheckFailed(Exception):
    """The repository is not in a state to ship; the message lists every problem."""


def assignments(root=ROOT):
    """Assignment ids, in teaching order: the folders of ``source/`` holding ``<id>.ipynb``."""
    return sorted(p.name for p in (Path(root) / "source").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


def graded_assignments(root=ROOT):
    """The assignments with exercises (answer code cells): every one but the welcome notebook."""
    out = []
    for asg in assignments(root):
        nb = nbformat.read(source_path(asg, root), as_version=4)
        if answer_cells(nb, asg):
            out.append(asg)
    return out


def source_path(asg, root=ROOT):
    return Path(root) / "source" / asg / f"{asg}.ipynb"


def release_path(asg, root=ROOT):
    return Path(root) / "release" / asg / f"{asg}.ipynb"


def solution_path(asg, root=ROOT):
    return Path(root) / "solutions" / f"{asg}.ipynb"


def tool_env(**extra):
    """The environment for nbgrader and kernels: this Python's ``bin/`` first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def nbgrader(*args, root=ROOT, check=True, db=None, **kw):
    """Run one nbgrader command in the course directory ``root``; raise with its output on failure."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    if db is not None:
        cmd.append(f"--CourseDirectory.db_url=sqlite:///{db}")
    proc = subprocess.run(cmd, cwd=root, env=tool_env(), capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise CheckFailed(f"`nbgrader {' '.join(args)}` failed (exit {proc.returncode}):\n"
                          + (proc.stdout + proc.stderr)[-3000:])
    return proc


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


def answer_cells(nb, asg):
    """``{name: cell}`` for the answer code cells (grade_id ``<asg>-<name>-answer``) of a notebook."""
    out = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and gid.startswith(asg + "-") and gid.endswith("-answer"):
            out[gid[len(asg) + 1:-len("-answer")]] = cell
    return out


def filled_release(asg, replace=None, root=ROOT):
    """The student notebook with every answer cell filled in: ``replace[name]`` where given, else the solution.

    Used to make synthetic submissions (tests, ``python -m course demo``).
    """
    solved = answer_cells(make_solution(nbformat.read(source_path(asg, root), as_version=4)), asg)
    nb = nbformat.read(release_path(asg, root), as_version=4)
    for name, cell in answer_cells(nb, asg).items():
        cell.source = (replace or {}).get(name, solved[name].source)
    return nb


def execute(nb, cwd, timeout=600):
    """Execute ``nb`` in quick mode in a fresh kernel; raise ``CheckFailed`` naming the first failing cell."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # IPC sockets in a private folder: no open TCP ports, and no "running over TCP" warning on stderr
    sockets = tempfile.mkdtemp(prefix="course-kernel-")
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", allow_errors=False,
                            record_timing=False, store_widget_state=False,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(cleanup_kc=True, env=tool_env(COURSE_QUICK="1", PYTHONHASHSEED="0"))  # shut the kernel down after
    except CellExecutionError as err:
        grade_id = None
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        raise CheckFailed(f"cell {grade_id or '?'} failed:\n{str(err)[-2500:]}") from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


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


def build_solution(asg, root=ROOT):
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

def build_release(asg, root=ROOT, db=None):
    """Regenerate ``release/<asg>/`` with nbgrader's ``generate_assignment``."""
    nbgrader("generate_assignment", asg, "--force", "--log-level=WARN", root=root, db=db)
    # nbgrader copies every file of the source folder; only notebooks ship.
    return release_path(asg, root)


def build(root=ROOT, only=None, jobs=2, log=print):
    """Regenerate ``release/`` and ``solutions/`` for every assignment (or those in ``only``).

    nbgrader records the assignments in a throwaway gradebook: building never
    touches the class's grades (``python -m course grade`` syncs its own).
    """
    root = Path(root)
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


# ----------------------------------------------------------------------------
# checks

def lint_source(asg, root=ROOT):
    """Problems with one source notebook's outputs and nbgrader metadata (an empty list when it is sound)."""
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
        if cell.cell_type == "markdown" and solution and grade:
            written += 1
    if written == 0:
        problems.append(f"{rel}: needs at least one manually graded written answer")
    scored = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
              and c.metadata["nbgrader"].get("points")]
    canary = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{asg}-canary-tests"]
    if scored and not (canary and canary[0].cell_type == "code" and canary[0].metadata["nbgrader"].get("grade")
                       and canary[0].metadata["nbgrader"].get("points") == 0):
        problems.append(f"{rel}: an autograded notebook needs a 0-point test cell '{asg}-canary-tests' that fails "
                        "under grading (copy it from 01_convolution); `python -m course grade` flags a passing one")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Summary", "Further exercises"):
        if not re.search(rf"^#+ .*{heading}", text, re.M):
            problems.append(f"{rel}: has no '{heading}' section")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{rel}: the kernelspec must be python3")
    return problems


def scan_release(path, root=ROOT):
    """Problems with one generated student notebook: any solution or hidden test that reached it."""
    text = Path(path).read_text(encoding="utf-8")
    rel = Path(path).relative_to(root)
    return [f"{rel}: contains '{leak}' (a solution or hidden test leaked)" for leak in LEAKS if leak in text]


def _tree(root, sub):
    base = Path(root) / sub
    return {p.relative_to(base).as_posix(): p for p in base.rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts and "checkpoints" not in p.parts}


def check(root=ROOT, jobs=2, log=print, execute=True):
    """Run every check; raise :class:`CheckFailed` listing all problems found.

    ``execute=False`` (``check --no-execute``) does everything but run the
    solutions: their sources must still match ``source/``, but whether they
    pass their own tests and reproduce their stored outputs is left to nbval
    over ``solutions/``, which the test suite runs anyway.
    """
    root = Path(root)
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
        tmp = Path(tmp)
        shutil.copytree(root / "source", tmp / "source")
        shutil.copy(root / "nbgrader_config.py", tmp)
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
    if execute:
        log(f"regenerated {len(todo)} assignments: release/ and solutions/ are up to date, every solution passes")
    else:
        log(f"regenerated {len(todo)} assignments: release/ and the solutions' sources are up to date "
            "(solutions not run: nbval over solutions/ runs them)")


# ----------------------------------------------------------------------------
# the student bundle

STUDENT_REQUIREMENTS = """\
# Everything a student needs: `pip install -r requirements.txt` in this folder.
torch==2.14.1
torchvision==0.29.1
jupyterlab>=4.4,<5
notebook>=7.4,<8
nbgrader==0.9.6
ipykernel
ipywidgets
matplotlib
tqdm
nbformat
nbclient
-e .
./course/jupyter
"""

STUDENT_README = """\
# Modern CNNs in PyTorch — student notebooks

Fill in the notebooks under `release/`, one per topic, starting with
`release/00_welcome/00_welcome.ipynb`.

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/jupyter lab
```

JupyterLab opens on the welcome notebook. Fashion-MNIST is found in `$COURSE_DATA`,
`./data` or `/usr/share/datasets/fashion-mnist`, or downloaded on first use.

Before you submit, check a notebook the way the grader will run it:

```bash
.venv/bin/python -m course validate release/01_convolution/01_convolution.ipynb
```

It exits 1 when a visible test fails and 0 when all pass (hidden tests run at grading).
Submit the `.ipynb` file itself, under its own name.
"""

STUDENT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "course"
version = "0.1.0"
description = "Modern CNNs in PyTorch: helpers imported by the course notebooks"
requires-python = ">=3.10"

[tool.setuptools]
packages = ["course"]
"""


def secrets(root=ROOT):
    """``{(asg, grade_id): {lines}}``: the distinctive lines of each solution, hidden test and model answer.

    A line counts if it is at least 20 characters, not a comment, and not in
    the assignment's own release notebook (a docstring shows there, for one).
    """
    found = {}
    for asg in assignments(root):
        public = set()
        if release_path(asg, root).exists():
            for cell in nbformat.read(release_path(asg, root), as_version=4).cells:
                public.update(line.strip() for line in cell.source.split("\n"))
        for cell in nbformat.read(source_path(asg, root), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            hidden = cell.cell_type == "markdown" and meta.get("solution")  # a model answer: all of it
            lines = set()
            for line in cell.source.split("\n"):
                key = line.strip()
                if key in MARKERS:
                    hidden = key.startswith("### BEGIN")
                    continue
                if hidden and len(key) >= 20 and not key.startswith("#") and key not in public:
                    lines.add(key)
            if len(lines) >= 2 or any(len(line) >= 40 for line in lines):  # one short line is an idiom
                found[(asg, meta.get("grade_id", asg))] = lines
    return found


def scan_bundle(out, root=ROOT):
    """``(problems, handed_out)`` for a student bundle.

    A file holds a cell when it has every distinctive line of it.  Problems:
    nbgrader markers in a notebook; any solution, hidden test or model answer in
    the package or in its own assignment's notebook.  ``handed_out``: a later
    notebook that gives an earlier exercise's answer as code to build on (02
    gives 01's ``corr2d``, as d2l does), so publish it after that deadline.
    """
    hidden = secrets(root)
    problems, handed_out = [], []
    for path in sorted(p for p in Path(out).rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(out)
        owner = rel.parts[1] if rel.parts[0] == "release" and len(rel.parts) > 2 else None
        if path.suffix == ".ipynb":
            problems += [f"{rel}: contains '{leak}'" for leak in LEAKS if leak in text]
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        lines = {line.strip() for line in text.split("\n")}
        for (asg, where), secret in hidden.items():
            if secret <= lines:
                if owner is not None and owner != asg:
                    handed_out.append(f"release/{owner} gives the answer of {where}")
                else:
                    problems.append(f"{rel}: contains the solution or hidden tests of {where}")
    return problems, handed_out


def bundle(root=ROOT, out=None, make_zip=False, only=None, log=print):
    """Write the student bundle (release/, the course package, requirements, README) to ``out``; return its path.

    ``only``: the assignments to publish (default all), so that a class can get
    them as their deadlines pass.  Nothing from source/, solutions/ or tests/
    goes in; every file is scanned (:func:`scan_bundle`) and the bundle is
    refused if a solution or hidden test is found.
    """
    root = Path(root)
    out = Path(out or root / "student-bundle")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for asg in only or assignments(root):
        src = release_path(asg, root)
        if not src.exists():
            raise CheckFailed(f"release/{asg}/{asg}.ipynb is missing: run `python -m course build`")
        (out / "release" / asg).mkdir(parents=True)
        shutil.copy(src, out / "release" / asg)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    shutil.copytree(root / "course", out / "course", ignore=ignore)
    jupyter = out / "course" / "jupyter"
    for name in ("page_config.json", "zz_modern_cnns.json"):  # the student's JupyterLab: validate, no formgrader
        os.replace(jupyter / name.replace(".json", ".student.json"), jupyter / name)
    shutil.copy(root / "nbgrader_config.py", out)
    (out / "requirements.txt").write_text(STUDENT_REQUIREMENTS)
    (out / "README.md").write_text(STUDENT_README)
    (out / "pyproject.toml").write_text(STUDENT_PYPROJECT)
    problems, handed_out = scan_bundle(out, root)
    if problems:
        shutil.rmtree(out)
        raise CheckFailed("the student bundle would leak answers:\n" + "\n".join(problems))
    for line in handed_out:
        log(f"note: {line} (as code to build on): publish it after that exercise is due, "
            "or bundle fewer assignments (python -m course bundle 00_welcome 01_convolution ...)")
    log(f"student bundle: {out} ({sum(1 for p in out.rglob('*') if p.is_file())} files)")
    if make_zip:
        archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
        log(f"student bundle: {archive}")
        return Path(archive)
    return out

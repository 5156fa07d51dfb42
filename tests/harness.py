"""Grade synthetic submissions through the course's own grading path, ``python -m course grade``.

Every assignment has a data file ``tests/mutations/<assignment>.py`` with

* ``CORRECT = {name: {label: code}}``: other correct answers (another style:
  vectorised, another container, other variable names), each expected to
  score full marks;
* ``WRONG = {name: {label: code}}``: planted bugs, each expected to lose points
  in the test cell of ``name`` (or in ``TESTS[name]`` when that differs);
* optionally ``TESTS = {name: test_cell_name}`` and ``SETUP = {name: code}``;
* optionally ``HEAVY = {label, ...}``: planted bugs that multiply the work of
  the notebook's ungraded cells (a network that no longer shrinks its feature
  maps makes the training cell many times slower).  Two heavy bugs never
  share a notebook, since together they could pass a cell limit that neither
  passes alone.

``code`` replaces the whole answer cell ``<assignment>-<name>-answer``; the
other answer cells hold the instructor's solution.  The submissions (blank,
solution, every alternative, every bug) are graded together as one class by
``python -m course grade ASSIGNMENT --submissions DIR --jobs N --course-dir
COPY`` on a temporary copy of the course (its ``source/`` and ``release/``):
intake, the bubblewrap sandbox, nbgrader's scoring, the gradebook merge and
the feedback pages, exactly as an instructor grades a class.  Each cell's
score is read back from the copy's gradebook, each student's status and flags
from ``autograded/<assignment>-report.csv``.

Planted bugs are packed several to a notebook, which keeps CI fast (a kernel
start and ``import torch`` cost more than most notebooks' cells), but only
bugs that cannot see each other share one: a bug in ``A`` and a bug in ``B``
go together only if nothing that ``A``'s test cell reaches (the names it
reads, the cells defining them, the answer cells of contract names it calls,
transitively, over every variant of each answer) involves ``B``, and the other
way round.  So when ``A``'s test cell loses points, ``A``'s bug is the cause,
exactly as if it had been graded alone.
"""
from __future__ import annotations

import ast
import csv
import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.cells import answer_cells, grade_id, parse_cell
from course.instructor.build import filled_release
from course.instructor.intake import SCAN
from course.instructor.nbgrader_tools import scratch_course
from course.runner import tool_env

ROOT = Path(__file__).resolve().parent.parent  # the course directory: this repository

MUTATIONS = Path(__file__).parent / "mutations"


def mutation_data(asg):
    path = MUTATIONS / f"{asg}.py"
    spec = importlib.util.spec_from_file_location(f"mutations_{asg}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Bug:
    name: str       # the contract name mutated
    index: int      # its position in WRONG[name]
    label: str
    code: str
    test_cell: str  # grade_id of the test cell expected to catch it
    heavy: bool = False  # listed in the data file's HEAVY (see the module docstring)

    @property
    def case(self):
        return f"wrong-{self.name}-{self.index}".replace("_", "-").lower()


@dataclass
class Submission:
    student: str
    kind: str            # blank | solution | correct | wrong
    name: str = ""       # the contract name(s) changed
    label: str = ""
    bugs: list = field(default_factory=list)  # kind == "wrong": the bugs this notebook carries


@dataclass
class Result:
    score: float
    max_score: float
    cells: dict = field(default_factory=dict)  # grade_id -> (auto_score, max_score), from the gradebook
    status: str = ""                           # the report's: graded | flagged | failed
    flags: set = field(default_factory=set)    # the report's
    report_score: float = 0.0                  # the report's score (the gradebook's, or the report is wrong)


IDENT = re.compile(r"[A-Za-z_]\w*")


_parse = parse_cell


def _free(source):
    """Names a cell reads before it assigns them (its inputs); every identifier if it does not parse."""
    tree = _parse(source)
    if tree is None:
        return set(IDENT.findall(source))
    loads, stores = {}, {}
    for node in ast.walk(tree):
        pos = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if isinstance(node, ast.Name):
            target = loads if isinstance(node.ctx, ast.Load) else stores
            target[node.id] = min(target.get(node.id, pos), pos)
        elif isinstance(node, ast.arg):
            stores[node.arg] = min(stores.get(node.arg, pos), pos)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores[node.name] = min(stores.get(node.name, pos), pos)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                name = (a.asname or a.name).split(".")[0]
                stores[name] = min(stores.get(name, pos), pos)
    return {name for name, pos in loads.items() if name not in stores or pos < stores[name]}


def _defined(source):
    """Top-level names a code cell defines (assignments, functions, classes, imports)."""
    tree = _parse(source)
    if tree is None:
        return set(re.findall(r"^(\w+)\s*=", source, re.M))
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    out.add(sub.id)
    return out


def _stand_ins(source):
    """The names a test cell replaces by the course's reference while its checks run (``checks.use_reference``)."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {kw.arg for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "use_reference"
            for kw in node.keywords if kw.arg}


def reach(asg, source_nb, data):
    """``{test cell grade_id: contract names it can reach}``, over every variant of every answer (conservative).

    A cell reaches the answers of the contract names it reads, and everything
    that the earlier cells defining its other inputs reach, transitively;
    except the names it swaps for the course's reference while its checks run
    (``checks.use_reference``), which stop the search there.
    """
    answers = answer_cells(source_nb, asg)
    variants = {name: [cell.source] + list(data.WRONG.get(name, {}).values()) + list(data.CORRECT.get(name, {}).values())
                for name, cell in answers.items()}
    reads = {name: set().union(*(_free(code) for code in codes)) for name, codes in variants.items()}
    cells = [(grade_id(c), c.source) for c in source_nb.cells if c.cell_type == "code"]
    order = {gid: k for k, (gid, _) in enumerate(cells)}
    inputs = {gid: _free(src) for gid, src in cells}
    definers = {}
    for gid, src in cells:
        if not gid.endswith("-answer"):
            for ident in _defined(src):
                definers.setdefault(ident, []).append(gid)

    def closure(start):
        names, seen, stack = set(), {start}, list(inputs[start])
        swapped = _stand_ins(dict(cells)[start])
        while stack:
            ident = stack.pop()
            if ident in swapped:
                continue
            if ident in variants and ident not in names:
                names.add(ident)
                stack += reads[ident]
            for other in definers.get(ident, []):
                if other not in seen and order[other] < order[start]:
                    seen.add(other)
                    stack += inputs[other]
        return names

    return {gid: closure(gid) for gid, _ in cells if not gid.endswith("-answer")}


def pack(bugs, reaches):
    """Group bugs so that no bug's test cell can reach another bug of its group, and no group holds two heavy
    bugs (first fit)."""
    groups = []
    for bug in bugs:
        for group in groups:
            if all(bug.name != o.name and o.name not in reaches[bug.test_cell] and bug.name not in reaches[o.test_cell]
                   and not (bug.heavy and o.heavy) for o in group):
                group.append(bug)
                break
        else:
            groups.append([bug])
    return groups


def submissions(asg):
    """The class to grade: the notebooks (by student id) and what each is expected to do."""
    data = mutation_data(asg)
    release = nbformat.read(ROOT / "release" / asg / f"{asg}.ipynb", as_version=4)
    names = set(answer_cells(release, asg))
    unknown = (set(data.CORRECT) | set(data.WRONG)) - names
    assert not unknown, f"tests/mutations/{asg}.py names no answer cell: {sorted(unknown)}"

    def filled(replace=None):
        return filled_release(asg, replace, ROOT)  # explicit: this runs in a background thread, whatever the cwd

    tests = getattr(data, "TESTS", {})
    out = {"blank": (Submission("blank", "blank"), release),
           "solution": (Submission("solution", "solution"), filled())}
    # Correct alternatives are combined: submission k holds the k-th alternative of every name.
    for k in range(max((len(v) for v in data.CORRECT.values()), default=0)):
        picks = {name: list(v.items())[k] for name, v in data.CORRECT.items() if len(v) > k}
        label = "; ".join(f"{name}: {lab}" for name, (lab, _) in picks.items())
        out[f"correct-{k}"] = (Submission(f"correct-{k}", "correct", ", ".join(picks), label),
                               filled({name: code for name, (_, code) in picks.items()}))
    # Planted bugs, packed so that each test cell sees only its own bug (module docstring).
    heavy = set(getattr(data, "HEAVY", ()))
    labels = {label for variants in data.WRONG.values() for label in variants}
    assert heavy <= labels, f"tests/mutations/{asg}.py: HEAVY names no planted bug: {sorted(heavy - labels)}"
    bugs = [Bug(name, i, label, code, f"{asg}-{tests.get(name, name + '-tests')}", label in heavy)
            for name, variants in data.WRONG.items() for i, (label, code) in enumerate(variants.items())]
    reaches = reach(asg, nbformat.read(ROOT / "source" / asg / f"{asg}.ipynb", as_version=4), data)
    for bug in bugs:
        assert bug.test_cell in reaches, f"tests/mutations/{asg}.py: no test cell {bug.test_cell} for {bug.name}"
    for k, group in enumerate(pack(bugs, reaches)):
        student = f"wrong-{k}"
        out[student] = (Submission(student, "wrong", ", ".join(b.name for b in group),
                                   "; ".join(b.label for b in group), group),
                        filled({b.name: b.code for b in group}))
    return out


def scan_flags(code):
    """The flags ``course grade``'s static scan gives this code (a planted bug may legitimately earn them)."""
    return {flag for pattern, flag in SCAN if re.search(pattern, code)}


def autograde(asg, workdir, jobs=1, timeout=1800):
    """Grade every submission of ``asg`` with ``python -m course grade`` on a fresh course copy under ``workdir``;
    return ``{student: (Submission, Result)}``."""
    workdir = Path(workdir)
    course = scratch_course(workdir / "course", ROOT, [asg], folders=("source", "release"))
    submitted = workdir / "submitted"
    subs = submissions(asg)
    for student, (_, nb) in subs.items():
        dest = submitted / student / asg / f"{asg}.ipynb"
        dest.parent.mkdir(parents=True)
        nbformat.write(nb, dest)
    proc = subprocess.run([sys.executable, "-m", "course", "grade", asg, "--submissions", str(submitted),
                           "--jobs", str(jobs), "--course-dir", str(course)],
                          cwd=workdir, env=tool_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"course grade failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    with open(course / "autograded" / f"{asg}-report.csv", newline="") as f:
        report = {row["student_id"]: row for row in csv.DictReader(f)}

    from nbgrader.api import Gradebook
    results = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (sub, _) in subs.items():
            nb = gb.find_submission_notebook(asg, asg, student)
            cells = {g.name: (g.auto_score or 0.0, g.max_score) for g in nb.grades if g.cell.cell_type == "code"}
            score = sum(s for s, _ in cells.values())
            row = report.get(student, {})
            results[student] = (sub, Result(score, sum(m for _, m in cells.values()), cells,
                                            row.get("status", "missing from the report"),
                                            set(filter(None, row.get("flags", "").split(";"))),
                                            float(row.get("score", "nan"))))
    return results


def plain_install(env_dir):
    """A fresh environment at ``env_dir`` with this repository's ``course`` installed by `pip install .` (not
    editable); its dependencies come from the test environment through a .pth file, without its editable
    ``course``.  Return ``(python, site-packages, env)``: ``env`` puts the new bin/ first on PATH and this
    environment's last (nbgrader runs ``alembic``)."""
    import os
    import venv
    venv.create(env_dir, with_pip=True)
    python = Path(env_dir) / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([str(python), "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    deps = subprocess.run([sys.executable, "-c", purelib], capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "deps.pth").write_text(deps + "\n")
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)],
                          capture_output=True, text=True, env=tool_env(), timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = tool_env(PATH=os.pathsep.join([str(python.parent), os.environ["PATH"], str(Path(sys.executable).parent)]))
    return python, site, env


def disguise(code, seed=0):
    """The same code as a copier hides it: every local name renamed, comments rewritten, blank lines and spacing
    changed (what a similarity check must see through)."""
    import builtins
    import io
    import keyword
    import random
    import tokenize

    rng = random.Random(seed)
    tree = ast.parse(code)
    # names the code binds itself (arguments, assignments, loop variables); attributes and library names stay
    bound = {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args + n.kwonlyargs}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound -= {"self"} | set(dir(builtins)) | set(keyword.kwlist)
    names = {name: f"{rng.choice(['my', 'tmp', 'val', 'the'])}_{name[::-1]}_{i}" for i, name in enumerate(sorted(bound))}
    tokens = []
    for t in tokenize.generate_tokens(io.StringIO(code).readline):
        if t.type == tokenize.NAME and t.string in names:
            t = t._replace(string=names[t.string])
        elif t.type == tokenize.COMMENT:
            t = t._replace(string="# " + rng.choice(["step", "as in the lecture", "note to self"]))
        tokens.append(t)
    text = tokenize.untokenize(tokens)
    lines = []
    for line in text.splitlines():
        lines.append(line.replace(" = ", "  =  ").replace(", ", " ,  "))
        if rng.random() < 0.4:
            lines.append("")
    return "# my answer\n\n" + "\n".join(lines) + "\n"

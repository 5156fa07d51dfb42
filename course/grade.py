"""Grade a class safely and in parallel: ``python -m course grade ASSIGNMENT``.

nbgrader does the grading: its own preprocessors sanitize each submission
(restore locked and deleted test cells, the kernelspec, clear outputs) and its
own ``determine_grade`` scores every cell, and results land in its gradebook
and ``autograded/`` so formgrader works for the written answers.  What this
module adds is what nbgrader 0.9 lacks for a real class:

* **isolation**: only the student's code runs in a sandbox (bubblewrap: no
  network, a private /tmp, the course folder hidden except the ``course``
  package, no other submission, no gradebook), under a memory limit (prlimit)
  and per-cell and per-notebook wall-clock limits;
* **crash tolerance**: the notebook is saved after every cell, so a kernel
  killed by ``os._exit`` or a timeout keeps the tests that passed before;
* **one student, one fate**: invalid JSON, a renamed notebook, duplicated or
  forged cell ids are handled per student and flagged, never abort the batch;
* **integrity**: a 0-point canary cell must fail, and a static scan flags
  suspicious code; flags go into the report and never change a score;
* **parallelism**: ``--jobs N`` runs N sandboxes; only this (parent) process
  writes the gradebook, which is backed up before every run;
* **feedback** HTML per student with hidden tests and tracebacks removed, and
  ``autograded/ASSIGNMENT-report.csv``.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .build import ROOT, CheckFailed, nbgrader, source_path, tool_env

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_OUTPUT_CHARS = 100_000  # per cell, after execution (nbgrader limits lines only)
CANARY = "canary-tests"

# Static scan of the code a student can edit: pattern -> flag.  A flag is a
# reason for a human to look, never a change of score.
SCAN = [
    (r"input_transformers|ast_transformers|register_transformer|NodeTransformer|InputTransformer", "input-transformer"),
    (r"\b(torch|np|numpy|course|testing|F|nn|builtins|math|unittest)\.[\w.]+\s*=[^=]", "monkeypatch"),
    (r"setattr\(\s*(torch|np|numpy|course|testing|F|nn|builtins)", "monkeypatch"),
    (r"\bos\._exit\b|\bos\.kill\b|\bsignal\.signal\b|\bsys\.exit\b", "exit-or-signal"),
    (r"sqlite3|gradebook", "gradebook-access"),
    (r"\.\./|['\"]/(?!dev/null)[\w.-]+/|\bos\.(listdir|scandir|walk)\b|\bglob\.|\bshutil\.", "file-access"),
    (r"\bsubprocess\b|\bos\.(system|popen|fork|spawn\w*)\b|\bmultiprocessing\b|\bctypes\b|\bthreading\b", "process-spawn"),
    (r"def __eq__|class \w+\((torch\.)?Tensor\)|__torch_function__", "custom-eq"),
    (r"get_ipython\(\)\.(events|run_line_magic\(['\"](load_ext|run))", "ipython-hooks"),
]


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"           # graded | flagged | failed
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # grade_id -> (score or None, max)
    seconds: float = 0.0
    feedback: str = ""

    def flag(self, name):
        if name not in self.flags:
            self.flags.append(name)


# ----------------------------------------------------------------------------
# collecting submissions

def collect(asg, submissions=None, zip_path=None, workdir=None):
    """``{student_id: folder holding that student's notebooks}`` from a folder or an LMS zip export.

    Folder layout: ``DIR/<student_id>/<asg>/*.ipynb`` (nbgrader's ``submitted/``).
    Zip: either that layout, or nbgrader ``zip_collect`` file names
    ``..._<student_id>_attempt_<timestamp>_<file>.ipynb``.
    """
    if zip_path is not None:
        dest = Path(workdir) / "unzipped"
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or not name.endswith(".ipynb") or "__MACOSX" in name:
                    continue
                if info.file_size > MAX_NOTEBOOK_BYTES:
                    continue
                parts = Path(name).parts
                m = re.match(r".*_(?P<student_id>[A-Za-z0-9.@-]+)_attempt_[0-9-]+_(?P<file>.+\.ipynb)$", Path(name).name)
                if m:
                    student, fname = m.group("student_id"), m.group("file")
                elif len(parts) >= 2 and not any(p in ("..", "") or p.startswith("/") for p in parts):
                    student, fname = parts[-3] if len(parts) >= 3 else parts[0], parts[-1]
                else:
                    continue
                if not STUDENT_ID.match(student):
                    continue
                target = dest / student / asg / Path(fname).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
        submissions = dest
    submissions = Path(submissions or ROOT / "submitted")
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder {submissions}")
    out = {}
    for d in sorted(submissions.iterdir()):
        if d.is_dir() and STUDENT_ID.match(d.name) and (d / asg).is_dir():
            out[d.name] = d / asg
    return out


# ----------------------------------------------------------------------------
# the master copy of the assignment

def master_cells(asg, root=ROOT):
    """The trusted cells of the source notebook by grade_id (what every submission is checked against)."""
    nb = nbformat.read(source_path(asg, root), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def scan(nb, master):
    """Flags for suspicious code in the cells a student wrote (locked cells are restored anyway)."""
    flags = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in master and master[gid].metadata["nbgrader"].get("locked"):
            continue
        for pattern, flag in SCAN:
            if flag not in flags and re.search(pattern, cell.source):
                flags.append(flag)
    return flags


def released_cells(asg, root=ROOT):
    """The cells as students received them (hidden tests removed), by grade_id."""
    nb = nbformat.read(Path(root) / "release" / asg / f"{asg}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if "nbgrader" in c.metadata}


def prepare(asg, student, folder, master, clean_db, out: Outcome, released=None):
    """Read, repair and sanitize one submission with nbgrader's preprocessors; ``None`` if it cannot be graded."""
    from nbconvert.preprocessors import ClearOutputPreprocessor
    from nbgrader.preprocessors import CheckCellMetadata, OverwriteCells, OverwriteKernelspec

    expected = folder / f"{asg}.ipynb"
    notebooks = sorted(folder.glob("*.ipynb"))
    if expected.exists():
        path = expected
    elif len(notebooks) == 1:
        path = notebooks[0]
        out.flag("renamed-notebook")
    else:
        out.flag("no-notebook" if not notebooks else "ambiguous-notebooks")
        return None
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        out.flag("notebook-too-large")
        return None
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        cells = nb.cells
        assert isinstance(cells, list)
    except Exception:  # noqa: BLE001 - any unreadable file is this student's problem only
        out.flag("invalid-notebook")
        return None

    # Duplicated or forged grade ids: keep the genuine cell (the one whose source is what the
    # student received, else the last copy), strip the rest.
    occurrences = {}
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id") in master:
            occurrences.setdefault(meta["grade_id"], []).append(i)
    keep = {}
    for gid, idx in occurrences.items():
        genuine = [i for i in idx if released is not None and cells[i].source == released.get(gid)]
        keep[gid] = (genuine or idx)[-1]
    seen = set()
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict):
            cell.get("metadata", {}).pop("nbgrader", None)
            continue
        gid = meta.get("grade_id")
        trusted = master.get(gid)
        if gid in seen or (gid in keep and keep[gid] != i):
            out.flag("duplicate-grade-id")
            cell.metadata.pop("nbgrader")
        elif trusted is None or trusted.cell_type != cell.cell_type:
            out.flag("forged-cell-id")
            cell.metadata.pop("nbgrader")
        else:
            seen.add(gid)
            tm = trusted.metadata["nbgrader"]
            if tm.get("locked") and released is not None and cell.source != released.get(gid, cell.source):
                out.flag("locked-cell-edited")
            if meta.get("points") != tm.get("points") or bool(meta.get("grade")) != bool(tm.get("grade")):
                out.flag("metadata-edited")
    missing = [g for g, c in master.items() if c.metadata["nbgrader"].get("grade") and g not in seen]
    if missing:
        out.flag("test-cell-deleted")
    if nb.metadata.get("kernelspec", {}).get("name") not in (None, "python3"):
        out.flag("kernelspec-edited")
    for f in scan(nb, master):
        out.flag(f)

    resources = {"nbgrader": {"notebook": asg, "assignment": asg, "student": student,
                              "db_url": f"sqlite:///{clean_db}"}}
    for pp in (ClearOutputPreprocessor(), OverwriteKernelspec(), OverwriteCells(add_missing_cells=True),
               CheckCellMetadata()):
        nb, resources = pp.preprocess(nb, resources)
    return nb


# ----------------------------------------------------------------------------
# the sandbox

def sandbox_prefix(job, hide=(), memory_gb=6):
    """The command prefix that isolates one run, and a sentence saying what it does."""
    limit = ["prlimit", f"--as={int(memory_gb * 1024 ** 3)}", "--core=0", "--"] if shutil.which("prlimit") else []
    bwrap = shutil.which("bwrap")
    if bwrap and subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "true"],
                                capture_output=True).returncode == 0:
        cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
               "--tmpfs", "/dev/shm", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
               "--new-session"]
        keep = [Path(sys.prefix), Path(ROOT) / "course"]
        for h in hide:
            h = Path(h)
            if h.exists():
                cmd += ["--tmpfs", str(h)]
                for k in keep:
                    if h in k.parents or h == k:
                        cmd += ["--ro-bind", str(k), str(k)]
        cmd += ["--bind", str(job), str(job), "--chdir", str(job)]
        return cmd + limit, "bubblewrap (no network, private /tmp, course and submissions hidden), prlimit"
    if os.geteuid() == 0 and shutil.which("unshare"):
        return (["unshare", "--net", "--pid", "--fork", "--kill-child"] + limit,
                "unshare (no network, own PID namespace), prlimit; files are NOT hidden (no bubblewrap)")
    return limit, "prlimit only: no network or file isolation is available on this machine"


def run_sandboxed(job, nb, cell_timeout, notebook_timeout, hide, memory_gb):
    """Execute ``nb`` in the sandbox; return (executed notebook or None, status, seconds)."""
    src, dst = job / "submission.ipynb", job / "executed.ipynb"
    nbformat.write(nb, src)
    for d in ("home", "runtime", "ipython", "mpl", "work"):
        (job / d).mkdir(exist_ok=True)
    prefix, _ = sandbox_prefix(job, hide, memory_gb)
    env = tool_env(HOME=str(job / "home"), JUPYTER_RUNTIME_DIR=str(job / "runtime"),
                   IPYTHONDIR=str(job / "ipython"), MPLCONFIGDIR=str(job / "mpl"),
                   NBGRADER_EXECUTION="autograde", COURSE_QUICK="1", PYTHONHASHSEED="0",
                   TMPDIR="/tmp", OMP_NUM_THREADS="1")
    cmd = prefix + [sys.executable, "-m", "course.grade", "--execute", str(src), str(dst), str(cell_timeout)]
    start = time.perf_counter()
    status = "ok"
    # Output goes to a file, not a pipe: a kernel left behind would hold a pipe open.
    with open(job / "runner.log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=job, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            proc.wait(timeout=notebook_timeout)
        except subprocess.TimeoutExpired:
            status = "timeout"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # whatever the student left running
            except ProcessLookupError:
                pass
            proc.wait()
    seconds = time.perf_counter() - start
    marker = job / "executed.status"
    if status == "ok":
        status = marker.read_text().strip() if marker.exists() else "runner-failed"
    executed = None
    if dst.exists():
        try:
            executed = nbformat.read(dst, as_version=4)
        except Exception:  # noqa: BLE001 - a half-written file counts as nothing executed
            executed = None
    return executed, status, seconds


def _execute_main(src, dst, cell_timeout):
    """Inside the sandbox: run every cell in a fresh kernel, saving the notebook after each one."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(src, as_version=4)
    status_file = Path(dst).with_suffix(".status")
    # IPC sockets need no network; their path must be absolute (the kernel runs in another folder).
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(src).parent / "runtime" / "kernel"))
    # On a cell timeout nbclient raises instead of interrupting: a kernel that ignores SIGINT would
    # otherwise hold the run until the notebook limit.  Later cells cannot run in a stuck kernel.
    client = NotebookClient(nb, km=km, timeout=int(cell_timeout), allow_errors=True, interrupt_on_timeout=False,
                            record_timing=False, store_widget_state=False, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(src).parent / "work")}})

    def save():
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                text = out.get("text")
                if isinstance(text, str) and len(text) > MAX_OUTPUT_CHARS:
                    out["text"] = text[:MAX_OUTPUT_CHARS] + "\n... output truncated by the grader ...\n"
                data = out.get("data", {})
                for key, value in list(data.items()):
                    if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
                        data[key] = value[:MAX_OUTPUT_CHARS]
        tmp = Path(dst).with_suffix(".tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, dst)

    import threading
    finished = threading.Event()  # every cell ran: the kernel is about to be shut down on purpose

    def watchdog():
        # nbclient's liveness check trusts the heartbeat and can wait forever on a kernel
        # killed by os._exit; look at the process itself (a zombie counts as dead).
        def run():
            while not finished.is_set():
                time.sleep(0.5)
                proc = getattr(getattr(km, "provisioner", None), "process", None)
                if proc is None:
                    continue
                try:
                    state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                except OSError:
                    state = "X"
                if state in ("Z", "X") and not finished.is_set():
                    status_file.write_text("kernel-died")
                    os._exit(0)  # the notebook was saved after the last finished cell

        threading.Thread(target=run, daemon=True).start()

    status = "ok"
    try:
        with client.setup_kernel(cleanup_kc=True):  # our own km: shut its kernel down at the end
            watchdog()
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    status = "cell-timeout"
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="CellTimeoutError", evalue=f"the cell ran longer than {cell_timeout:g} s",
                        traceback=[]))
                    save()
                    status_file.write_text(status)
                    os._exit(0)  # the kernel is stuck; the sandbox is torn down with it
                save()
            finished.set()
    except DeadKernelError:
        status = "kernel-died"
    except Exception as err:  # noqa: BLE001 - report, keep what ran
        status = f"runner-error: {type(err).__name__}"
    save()
    status_file.write_text(status)


# ----------------------------------------------------------------------------
# scoring, gradebook, feedback

def score(asg, executed, master, out: Outcome, ignore_pattern):
    """Score every graded cell with nbgrader's ``determine_grade``; check the canary."""
    from nbgrader.utils import determine_grade

    by_id = {}
    for cell in executed.cells if executed is not None else []:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid and gid not in by_id:
            if cell.cell_type == "code" and ignore_pattern:
                cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr"
                                                              and re.search(ignore_pattern, o.get("text", "")))]
            by_id[gid] = cell
    for gid, trusted in master.items():
        meta = trusted.metadata["nbgrader"]
        if not (meta.get("grade") or meta.get("task")):
            continue
        cell = by_id.get(gid)
        points = float(meta.get("points", 0))
        if cell is None:
            got = 0.0 if trusted.cell_type == "code" else None
        else:
            executed_cell = trusted.cell_type != "code" or cell.get("execution_count") is not None or cell.outputs
            got, _ = determine_grade(cell) if executed_cell else (0.0, points)
            if trusted.cell_type == "code" and not executed_cell:
                got = 0.0
        out.cells[gid] = (got, points)
        if gid.endswith(CANARY) and cell is not None and trusted.cell_type == "code":
            ran = cell.get("execution_count") is not None
            failed = any(o.get("output_type") == "error" for o in cell.outputs)
            if ran and not failed:
                out.flag("canary-passed")
    out.score = sum(s for s, _ in out.cells.values() if s is not None)
    out.max_score = sum(m for g, (_, m) in out.cells.items() if master[g].cell_type == "code")


def merge(asg, out: Outcome, executed, root, db_url):
    """Write one student's scores into the course gradebook (manual grades are kept) and ``autograded/``."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SQLAlchemy noise
    dest = Path(root) / "autograded" / out.student / asg / f"{asg}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if executed is not None:
        nbformat.write(executed, dest)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(out.student)
        try:
            gb.find_submission(asg, out.student)
        except MissingEntry:
            gb.add_submission(asg, out.student)
        for gid, (got, _) in out.cells.items():
            try:
                grade = gb.find_grade(gid, asg, asg, out.student)
            except MissingEntry:
                continue
            grade.auto_score = got
            grade.needs_manual_grade = got is None and grade.manual_score is None
        gb.db.commit()


def feedback_html(asg, executed, out: Outcome, path):
    """A student's feedback page: their notebook with scores, without hidden tests or tracebacks."""
    from nbconvert import HTMLExporter

    nb = executed if executed is not None else nbformat.v4.new_notebook()
    hidden = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
    for cell in nb.cells:
        cell.source = hidden.sub("# (hidden tests ran here)\n", cell.source)
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code":
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    o["traceback"] = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"]
            if gid in out.cells and out.cells[gid][0] is not None:
                got, pts = out.cells[gid]
                cell.source = f"# score: {got:g} / {pts:g}\n" + cell.source
    summary = nbformat.v4.new_markdown_cell(
        f"# Feedback: {asg}, {out.student}\n\n**Autograded score: {out.score:g} / {out.max_score:g}**"
        + (f"  \nNotes for the instructor: {', '.join(out.flags)}" if out.flags else "")
        + "\n\nWritten answers are graded by hand; hidden tests are not shown.")
    nb.cells.insert(0, summary)
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def grade_one(asg, student, folder, master, clean_db, base, hide, cell_timeout, notebook_timeout, memory_gb,
              ignore_pattern, released=None):
    """Everything for one student except the gradebook merge (done by the parent, one at a time)."""
    out = Outcome(student)
    start = time.perf_counter()
    job = Path(tempfile.mkdtemp(prefix=f"{student}-", dir=base))
    nb = prepare(asg, student, folder, master, clean_db, out, released)
    executed = None
    if nb is None:
        out.status = "failed"
    else:
        executed, status, _ = run_sandboxed(job, nb, cell_timeout, notebook_timeout, hide, memory_gb)
        if status != "ok":
            out.flag(status.split(":")[0])
        score(asg, executed, master, out, ignore_pattern)
        if executed is None:
            out.status = "failed"
    if out.status != "failed" and out.flags:
        out.status = "flagged"
    if out.status == "failed" and not out.cells:
        out.max_score = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in master.values()
                            if c.cell_type == "code" and c.metadata["nbgrader"].get("grade"))
    out.seconds = time.perf_counter() - start
    shutil.rmtree(job, ignore_errors=True)
    return out, executed


def ignore_pattern_from_config(root):
    text = (Path(root) / "nbgrader_config.py").read_text()
    m = re.search(r"IgnorePattern\.pattern\s*=\s*r?[\"'](.+?)[\"']", text)
    return m.group(1) if m else None


def grade(asg, submissions=None, zip_path=None, jobs=1, root=ROOT, cell_timeout=120, notebook_timeout=600,
          memory_gb=6, gradebook=None, log=print):
    """Grade every submission of ``asg``; return the outcomes (also written to the report CSV).

    ``gradebook`` is the SQLite file to merge into (default: the course's ``gradebook.db``).
    """
    from tqdm.auto import tqdm

    root = Path(root)
    if not source_path(asg, root).exists():
        raise SystemExit(f"no assignment {asg}: expected {source_path(asg, root)}")
    master = master_cells(asg, root)
    released = released_cells(asg, root)
    (root / "autograded").mkdir(exist_ok=True)
    db_path = Path(gradebook) if gradebook else root / "gradebook.db"
    if db_path.exists():
        backups = root / "autograded" / "backups"
        backups.mkdir(exist_ok=True)
        backup = backups / f"gradebook-{dt.datetime.now():%Y%m%d-%H%M%S}.db"
        shutil.copy2(db_path, backup)
        log(f"gradebook backed up to {backup}")
    db_url = f"sqlite:///{db_path}"
    ignore = ignore_pattern_from_config(root)
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        tmp = Path(tmp)
        # The assignment as nbgrader knows it: in the course gradebook, and in a clean private one.
        course = tmp / "course"
        (course / "source").mkdir(parents=True)
        shutil.copytree(root / "source" / asg, course / "source" / asg)
        shutil.copy(root / "nbgrader_config.py", course)
        try:
            nbgrader("generate_assignment", asg, "--force", "--log-level=ERROR", root=course, db=db_path)
        except CheckFailed as err:
            if "there are submissions associated" in str(err):
                raise SystemExit(
                    f"{asg}'s graded cells changed in source/ after submissions were recorded in {db_path.name}; "
                    "nbgrader will not rewrite them. Grade with the source the students received, or remove the "
                    f"old submissions first (nbgrader db submission remove {asg} STUDENT).") from None
            raise
        clean_db = tmp / "clean.db"
        nbgrader("generate_assignment", asg, "--force", "--log-level=ERROR", root=course, db=clean_db)
        students = collect(asg, submissions, zip_path, tmp)
        if not students:
            log("no submissions found")
        base = tmp / "jobs"
        base.mkdir()
        hide = [ROOT, root, tmp / "unzipped", Path(submissions) if submissions else root / "submitted", tmp]
        hide = [h for h in dict.fromkeys(Path(h).resolve() for h in hide)]
        _, isolation = sandbox_prefix(base, [], memory_gb)
        log(f"grading {len(students)} submissions of {asg} with {jobs} job(s); isolation: {isolation}")
        outcomes = []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_one, asg, s, folder, master, clean_db, base, hide, cell_timeout,
                                   notebook_timeout, memory_gb, ignore, released): s
                       for s, folder in students.items()}
            for fut in tqdm(as_completed(futures), total=len(futures), desc=f"grading {asg}", unit="student"):
                student = futures[fut]
                try:
                    out, executed = fut.result()
                except Exception as err:  # noqa: BLE001 - one student's failure never stops the batch
                    out, executed = Outcome(student, status="failed", flags=[f"grader-error:{type(err).__name__}"]), None
                try:
                    merge(asg, out, executed, root, db_url)
                except Exception as err:  # noqa: BLE001
                    out.flag(f"gradebook-error:{type(err).__name__}")
                    out.status = "failed"
                fb = root / "feedback" / out.student / asg / f"{asg}.html"
                try:
                    feedback_html(asg, executed, out, fb)
                    out.feedback = str(fb.relative_to(root))
                except Exception as err:  # noqa: BLE001
                    out.flag(f"feedback-error:{type(err).__name__}")
                outcomes.append(out)
    outcomes.sort(key=lambda o: o.student)
    report = root / "autograded" / f"{asg}-report.csv"
    with open(report, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "score", "max_score", "status", "flags"])
        for o in outcomes:
            w.writerow([o.student, f"{o.score:g}", f"{o.max_score:g}", o.status, ";".join(o.flags)])
    log(table(outcomes))
    log(f"report: {report.relative_to(root)}; feedback: feedback/<student>/{asg}/{asg}.html")
    return outcomes


def table(outcomes):
    """A plain-text summary table of a graded batch."""
    rows = [("student", "score", "status", "seconds", "flags")]
    rows += [(o.student, f"{o.score:g}/{o.max_score:g}", o.status, f"{o.seconds:.1f}", ", ".join(o.flags))
             for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--execute":
    _execute_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))

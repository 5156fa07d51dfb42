"""Grading, stage 1: intake. Find each student's notebook, read it, repair and sanitize it.

Submissions come from a folder (nbgrader's ``submitted/`` layout) or an LMS
zip export.  Each notebook is read and checked against the trusted cells of
the source notebook, then sanitized with nbgrader's own preprocessors (restore
locked and deleted test cells and the kernelspec, clear outputs).  A file that
cannot be graded is this student's problem only: it is flagged, never fatal.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat

from ..cells import grade_id, nbgrader_meta
from ..coursedir import course_dir, release_path, source_path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

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
    submissions = Path(submissions or course_dir() / "submitted")
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder {submissions}")
    out = {}
    for d in sorted(submissions.iterdir()):
        if d.is_dir() and STUDENT_ID.match(d.name) and (d / asg).is_dir():
            out[d.name] = d / asg
    return out


def master_cells(asg, root=None):
    """The trusted cells of the source notebook by grade_id (what every submission is checked against)."""
    nb = nbformat.read(source_path(asg, root), as_version=4)
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def scan(nb, master):
    """Flags for suspicious code in the cells a student wrote (locked cells are restored anyway)."""
    flags = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in master and nbgrader_meta(master[gid]).get("locked"):
            continue
        for pattern, flag in SCAN:
            if flag not in flags and re.search(pattern, cell.source):
                flags.append(flag)
    return flags


def released_cells(asg, root=None):
    """The cells as students received them (hidden tests removed), by grade_id."""
    nb = nbformat.read(release_path(asg, root), as_version=4)
    return {grade_id(c): c.source for c in nb.cells if grade_id(c)}


def prepare(asg, student, folder, master, clean_db, out, released=None):
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

    # Duplicated or forged grade ids.  nbgrader's DeduplicateIds keeps the first copy, which a student
    # can forge by pasting a cell above the real one; instead keep the genuine cell (the one whose source is what the
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
            tm = nbgrader_meta(trusted)
            if tm.get("locked") and released is not None and cell.source != released.get(gid, cell.source):
                out.flag("locked-cell-edited")
            if meta.get("points") != tm.get("points") or bool(meta.get("grade")) != bool(tm.get("grade")):
                out.flag("metadata-edited")
    missing = [g for g, c in master.items() if nbgrader_meta(c).get("grade") and g not in seen]
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



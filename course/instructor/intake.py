"""Grading, stage 1: intake. Find each student's notebook, read it, repair and sanitize it.

``collect`` reads a submissions folder or an LMS zip export and decides, for
every file in it, either which one student it is graded for or why it is not
(``Collected.skipped``).  Two students never merge, and a name that cannot be
read unambiguously is listed, never guessed.  It reads:

* nbgrader's ``submitted/`` layout ``DIR/<student_id>/<asg>/<file>``, or
  ``DIR/<student_id>/<file>`` without the assignment folder, in a folder or a
  zip, with or without one wrapper folder above the student folders;
* nbgrader ``zip_collect`` / Blackboard names
  ``<asg>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>`` (the username may
  contain ``_``);
* Canvas names ``<name>[_LATE]_<userid>_<submissionid>_<file>`` (the student
  is the numeric userid; LATE is kept as ``Submission.late``);
* Moodle folders ``<Full Name>_<id>_assignsubmission_file_/<file>``, or the
  flat ``..._assignsubmission_file_<file>`` (the student is the numeric id);
* any other LMS through ``named_regexp`` (like nbgrader's
  ``FileNameCollectorPlugin.named_regexp``).

Zip paths with ``\\`` are normalised; absolute paths and ``..`` (zip-slip),
links, files over ``MAX_NOTEBOOK_BYTES`` and non-notebooks are not graded;
``__MACOSX`` and hidden files are ignored (and listed).  Of a student's
submissions the newest is graded (the time in the name, else the zip entry's
date, else the file's mtime) and the others are listed as superseded; within
one submission the notebook named ``<asg>.ipynb`` is graded, else its only
notebook.

``prepare`` then reads each chosen notebook and checks it against the trusted
cells of the source notebook, then sanitizes it with nbgrader's own
preprocessors (restore locked and deleted test cells and the kernelspec, clear
outputs).  A file that cannot be graded is this student's problem only: it is
flagged, never fatal.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable

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


# --- Collecting: which notebook is whose ----------------------------------------------------------------------------


@dataclass
class Submission:
    """The one notebook graded for one student."""
    student: str                   # a safe id matching STUDENT_ID
    folder: Path                   # holds that notebook: <asg>.ipynb when the name is recognisable, else its own name
    file: str                      # where it came from: the path inside the zip, or relative to the folder
    submitted_at: datetime | None  # naive UTC or aware; None if unknown
    late: bool = False             # the LMS marked it late (Canvas LATE)


@dataclass
class NotGraded:
    """A file of the source that is not graded, and why."""
    file: str
    reason: str                    # one sentence
    status: str = "not-graded"     # or "superseded"
    student: str | None = None
    submitted_at: datetime | None = None


@dataclass
class Collected:
    """What ``collect`` found: the notebook graded for each student, and every other file with its reason."""
    submissions: dict[str, Submission]
    skipped: list[NotGraded]


class _Skip(Exception):
    """A file that cannot be graded; the message is the reason (one sentence)."""


@dataclass
class _Entry:
    """One file of the source, before its name is read."""
    file: str                      # as the source names it
    parts: tuple                   # its path, folder by folder, with ``\\`` read as ``/``
    size: int
    stamp: datetime | None         # the zip entry's date_time, or the file's mtime (naive UTC)
    open: Callable                 # () -> a binary file object with the content
    path: Path | None = None       # the file itself, for a folder source


@dataclass
class _Reading:
    """What a file's name and place say: whose it is, and which submission of theirs."""
    student: str
    scheme: str                    # whose ids these are: "username", "canvas" or "moodle"
    attempt: tuple                 # files with equal keys (for one student) are one submission
    name: str                      # the notebook's name within that submission
    timestamp: datetime | None = None  # from the name
    seq: int = -1                  # an LMS number that grows with time (Canvas ids): breaks equal timestamps
    late: bool = False


NBGRADER_TIMESTAMP = "%Y-%m-%d-%H-%M-%S"
_ATTEMPT = re.compile(r"(?=(_attempt_(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})_))")  # overlapping matches too
_ATTEMPT_HINT = re.compile(r"_attempt_\d{4}-\d\d")
_CANVAS = re.compile(r"^(?P<name>[^_]+)(?P<late>_LATE)?_(?P<userid>\d+)_(?P<seq>\d+)_(?P<file>.+)$")
_MOODLE_FOLDER = re.compile(r"^.+_(?P<id>\d+)_assignsubmission_file_$")
_MOODLE_FILE = re.compile(r"^.+_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")
_OUTSIDE = "could write outside the extraction folder"


def collect(asg, submissions=None, zip_path=None, workdir=None, named_regexp=None, other_assignments=()):
    """Each student's notebook of ``asg`` from a submissions folder or an LMS zip, and every other file with a reason.

    Every file is graded under exactly one student or listed in ``skipped``; see the module docstring for the
    layouts read.  ``named_regexp`` (groups ``student_id``, optional ``timestamp`` and ``file``, matched from the
    start of the path inside the zip or folder) replaces the built-in layouts.  A zip is extracted into
    ``workdir/unzipped/<student>/<asg>/``; a folder is only read (a notebook is copied there when its folder holds
    other notebooks).  ``workdir`` defaults to a new temporary folder.  Files in a folder named after one of
    ``other_assignments`` (the course's other assignment ids) belong to that assignment and are left out.
    """
    regexp = _compile_named_regexp(named_regexp)
    work = _Workdir(workdir)
    if zip_path is not None:
        with zipfile.ZipFile(zip_path) as zf:
            return _collect_from(asg, _this_assignment(_zip_entries(zf), other_assignments), regexp, work)
    folder = Path(submissions or course_dir() / "submitted")
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder {folder}")
    return _collect_from(asg, _this_assignment(_folder_entries(folder), other_assignments), regexp, work)


def _this_assignment(items, other_assignments):
    """The listed files, less those in a folder of another assignment (``DIR/<student>/<other>/...``)."""
    others = set(other_assignments)
    return [item for item in items if not (isinstance(item, _Entry) and others & set(item.parts[:-1]))]


def _compile_named_regexp(named_regexp):
    """The compiled ``named_regexp`` (or None); a configuration error if it has no ``student_id`` group."""
    if named_regexp is None:
        return None
    regexp = re.compile(named_regexp)
    if "student_id" not in regexp.groupindex:
        raise ValueError(f"named_regexp {named_regexp!r} has no (?P<student_id>...) group")
    return regexp


def _collect_from(asg, items, regexp, work):
    """Read, choose and deliver: the whole of ``collect`` once the source is listed."""
    skipped = [item for item in items if isinstance(item, NotGraded)]
    items = _apply_timestamp_files([item for item in items if isinstance(item, _Entry)], skipped)
    entries = []
    for entry in items:
        reason = _screen(entry)
        if reason:
            skipped.append(NotGraded(entry.file, reason))
        else:
            entries.append(entry)
    readings, unread = _read_all(asg, entries, regexp)
    skipped += unread
    chosen, rest = _choose_all(asg, readings)
    skipped += rest
    found = {}
    for entry, reading, submitted_at in chosen:
        try:
            found[reading.student] = _deliver(asg, entry, reading, submitted_at, work)
        except _Skip as why:
            skipped.append(NotGraded(entry.file, str(why), student=reading.student, submitted_at=submitted_at))
    return Collected(dict(sorted(found.items())), sorted(skipped, key=lambda s: s.file))


def _apply_timestamp_files(entries, skipped):
    """nbgrader's ``timestamp.txt`` beside a submission's notebook gives its submission time (nbgrader's own
    ``submit`` and ``collect`` write it); the file itself is no candidate.  An unreadable one is listed."""
    from nbgrader.utils import parse_utc

    stamps, rest = {}, []
    for entry in entries:
        if entry.parts[-1] != "timestamp.txt":
            rest.append(entry)
            continue
        try:
            with entry.open() as f:
                stamps[entry.parts[:-1]] = parse_utc(f.read(200).decode("utf-8").strip()).replace(tzinfo=None)
        except (ValueError, UnicodeDecodeError, OSError):
            skipped.append(NotGraded(entry.file, "a timestamp.txt that is not a readable time"))
    for entry in rest:
        if entry.parts[:-1] in stamps:
            entry.stamp = stamps[entry.parts[:-1]]
    return rest


# Listing the source


def _zip_entries(zf):
    """Each file entry of the zip as an ``_Entry``, or a ``NotGraded`` where its path or kind is unsafe."""
    for info in zf.infolist():
        if info.is_dir() or info.filename.endswith("\\"):
            continue
        try:
            parts = _safe_parts(info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise _Skip("a symbolic link, not a file")
        except _Skip as why:
            yield NotGraded(info.filename, str(why))
            continue
        yield _Entry(info.filename, parts, info.file_size, _zip_stamp(info), partial(zf.open, info))


def _safe_parts(name):
    """The components of a zip entry's path, ``\\`` read as ``/``; ``_Skip`` where it could escape (zip-slip)."""
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise _Skip(f"an absolute path, which {_OUTSIDE}")
    parts = tuple(p for p in path.split("/") if p not in ("", "."))
    if ".." in parts:
        raise _Skip(f"a path with '..', which {_OUTSIDE}")
    if not parts:
        raise _Skip("an empty path")
    return parts


def _zip_stamp(info):
    """The zip entry's date and time (naive, as the zip stores it), or None when it is not a valid date."""
    try:
        return datetime(*info.date_time)
    except ValueError:
        return None


def _folder_entries(root):
    """Each file under ``root`` as an ``_Entry`` (sorted), or a ``NotGraded`` for a symbolic link."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames.sort()
        for name in sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                yield NotGraded(rel, "a symbolic link, not a file")
                continue
            st = path.stat()
            stamp = datetime.fromtimestamp(st.st_mtime, timezone.utc).replace(tzinfo=None)
            yield _Entry(rel, tuple(rel.split("/")), st.st_size, stamp, partial(path.open, "rb"), path)


def _screen(entry):
    """Why a file is no candidate at all (ignored, not a notebook, too large), or None."""
    if "__MACOSX" in entry.parts:
        return "macOS metadata (__MACOSX), ignored"
    if any(p.startswith(".") for p in entry.parts):
        return "a hidden file or folder, ignored"
    if not entry.parts[-1].endswith(".ipynb"):
        return "not a notebook (.ipynb)"
    if entry.size > MAX_NOTEBOOK_BYTES:
        return f"larger than {MAX_NOTEBOOK_BYTES} bytes"
    return None


# Reading names


def _read_all(asg, entries, regexp):
    """``([(entry, reading)], [NotGraded])``: whose each notebook is, by ``regexp`` or else the built-in layouts."""
    if regexp is not None:
        return _apply(entries, lambda e: _read_regexp(e, regexp))[:2]
    named, unread, others = _apply(entries, lambda e: _read_lms_name(e, asg))
    layout, unread_layout = _read_layout(asg, others)
    named, misplaced = _outside_student_folders(named, layout)
    readings = named + layout
    readings, mixed = _one_scheme_per_student(readings)
    return readings, unread + unread_layout + misplaced + mixed


def _apply(entries, read):
    """``read`` each entry: ``([(entry, reading)], [NotGraded], [entries it returned None for])``."""
    readings, unread, others = [], [], []
    for entry in entries:
        try:
            reading = read(entry)
        except _Skip as why:
            unread.append(NotGraded(entry.file, str(why)))
            continue
        if reading is None:
            others.append(entry)
        else:
            readings.append((entry, reading))
    return readings, unread, others


def _check_id(student, what):
    """``_Skip`` unless ``student`` is a safe student id."""
    if not STUDENT_ID.match(student):
        raise _Skip(f"{what} {student!r} is not a valid student id")


def _parse_timestamp(text):
    """A timestamp from a file name: nbgrader's YYYY-MM-DD-HH-MM-SS or ISO 8601; ``_Skip`` otherwise."""
    try:
        return datetime.strptime(text, NBGRADER_TIMESTAMP)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _Skip(f"its timestamp {text!r} is neither YYYY-MM-DD-HH-MM-SS nor ISO 8601") from None


def _read_regexp(entry, regexp):
    """The instructor's ``named_regexp``, matched from the start of the path (``/`` separators), as nbgrader does."""
    m = regexp.match("/".join(entry.parts))
    if m is None:
        raise _Skip("its path does not match named_regexp")
    groups = m.groupdict()
    _check_id(groups["student_id"] or "", "the student_id it names")
    stamp = groups.get("timestamp")
    timestamp = _parse_timestamp(stamp) if stamp else None
    name = (groups.get("file") or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name.endswith(".ipynb"):
        name = entry.parts[-1]
    return _Reading(groups["student_id"], "username", ("regexp", stamp), name, timestamp)


def _read_lms_name(entry, asg):
    """The one LMS naming this file follows (Moodle, nbgrader zip_collect/Blackboard, Canvas), or None."""
    readings = [r for r in (_read_moodle(entry), _read_attempt_name(entry, asg), _read_canvas(entry, asg)) if r]
    if len(readings) > 1:
        raise _Skip("its name reads as more than one LMS's naming: " + ", ".join(r.scheme for r in readings))
    return readings[0] if readings else None


def _moodle_folder(parts):
    """The Moodle submission folders ``<Full Name>_<id>_assignsubmission_file_`` in a path, as (index, match)."""
    return [(i, m) for i, part in enumerate(parts[:-1]) if (m := _MOODLE_FOLDER.match(part))]


def _read_moodle(entry):
    """Moodle: ``<Full Name>_<id>_assignsubmission_file_/<file>`` (or the same as one flat name); the id is numeric."""
    folders = _moodle_folder(entry.parts)
    if len(folders) > 1:
        raise _Skip("it lies inside two Moodle submission folders")
    if folders:
        i, m = folders[0]
        return _Reading(m["id"], "moodle", ("moodle", entry.parts[:i + 1]), entry.parts[-1])
    base = entry.parts[-1]
    if len(entry.parts) > 2 or "_assignsubmission_file_" not in base:
        return None
    m = _MOODLE_FILE.match(base)
    if m is None or base.count("_assignsubmission_file_") != 1:
        raise _Skip("cannot read it as Moodle's <Full Name>_<id>_assignsubmission_file_<file>")
    return _Reading(m["id"], "moodle", ("moodle", base[:m.start("file")]), m["file"])


def _read_attempt_name(entry, asg):
    """nbgrader zip_collect / Blackboard: ``<asg>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``.

    The username may contain ``_``: it is what lies between the known assignment id and the one ``_attempt_``.
    """
    base = entry.parts[-1]
    if len(entry.parts) > 2 or base == f"{asg}.ipynb" or not _ATTEMPT_HINT.search(base):
        return None
    if not base.startswith(f"{asg}_"):
        raise _Skip(f"an attempt file name that does not start with '{asg}_': cannot tell its username")
    rest = base[len(asg) + 1:]
    found = list(_ATTEMPT.finditer(rest))
    if len(found) != 1:
        raise _Skip("cannot read it as <assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>")
    m = found[0]
    student, stamp = rest[:m.start(1)], m.group(2)
    _check_id(student, "the username")
    return _Reading(student, "username", ("attempt", stamp), rest[m.end(1):], _parse_timestamp(stamp))


def _read_canvas(entry, asg):
    """Canvas: ``<name>[_LATE]_<userid>_<submissionid>_<file>``; the student is the numeric userid.

    Canvas appends ``-N`` to a repeated file name: ``<asg>-N.ipynb`` is the assignment's notebook.
    """
    if len(entry.parts) > 2 or entry.parts[-1] == f"{asg}.ipynb":
        return None
    m = _CANVAS.match(entry.parts[-1])
    if m is None:
        return None
    name = f"{asg}.ipynb" if re.fullmatch(rf"{re.escape(asg)}-\d+\.ipynb", m["file"]) else m["file"]
    return _Reading(m["userid"], "canvas", ("canvas", m["seq"]), name, seq=int(m["seq"]), late=bool(m["late"]))


def _layout_shape(asg, parts):
    """``(prefix, student, anchored)`` of nbgrader's ``[<wrapper>/]<student>[/<asg>]/<file>``; ``_Skip`` otherwise."""
    dirs = parts[:-1]
    if not dirs:
        raise _Skip("not inside a student folder")
    if asg in dirs:
        if dirs[-1] != asg or dirs.count(asg) > 1:
            raise _Skip(f"in a subfolder of the assignment folder {asg}/")
        if len(dirs) < 2:
            raise _Skip(f"in the assignment folder {asg}/ with no student folder above it")
        if len(dirs) > 3:
            raise _Skip("more than one folder above the student folder")
        return dirs[:-2], dirs[-2], True
    if len(dirs) > 2:
        raise _Skip(f"not in a folder {asg}/, and too deep to be <student>/<file>")
    return dirs[:-1], dirs[-1], False


def _wrapper(shapes):
    """The one folder above every student folder, if the source has one; else None."""
    prefixes = {prefix for prefix, _, _ in shapes}
    return next(iter(prefixes))[0] if len(prefixes) == 1 and () not in prefixes else None


def _read_layout(asg, entries):
    """nbgrader's layout: ``DIR/<student>/<asg>/<file>`` or ``DIR/<student>/<file>``, with at most one wrapper.

    Without the ``<asg>`` folder, ``a/b/<file>`` is read as wrapper ``a``, student ``b`` only when ``a`` is above
    every student folder of the source; a folder that is above other student folders is never a student.
    """
    shaped, unread = [], []
    for entry in entries:
        try:
            shaped.append((entry, _layout_shape(asg, entry.parts)))
        except _Skip as why:
            unread.append(NotGraded(entry.file, str(why)))
    wrapper = _wrapper([shape for _, shape in shaped])
    placed = []
    for entry, (prefix, student, anchored) in shaped:
        if anchored or not prefix or prefix[0] == wrapper:
            placed.append((entry, (prefix, student, anchored)))
        else:
            unread.append(NotGraded(entry.file, f"not in a folder {asg}/: cannot tell whether {prefix[0]!r} or "
                                    f"{student!r} is the student"))
    readings = []
    for entry, (prefix, student, anchored) in placed:
        try:
            _check_not_above(prefix + (student,), anchored, shaped, placed)
            _check_id(student, "the folder name")
        except _Skip as why:
            unread.append(NotGraded(entry.file, str(why)))
            continue
        readings.append((entry, _Reading(student, "username", ("folder", entry.parts[:-1]), entry.parts[-1])))
    return readings, unread


def _check_not_above(folder, anchored, shaped, placed):
    """``_Skip`` if a student ``folder`` also sits above other student folders (it may be a wrapper, not a student).

    Above a folder read as a student's, it is never one; above a folder that was not, it still is one if it holds
    the assignment folder.
    """
    if any(prefix == folder for _, (prefix, _, _) in placed) or \
            (not anchored and any(prefix == folder for _, (prefix, _, _) in shaped)):
        raise _Skip(f"folder {folder[-1]!r} also holds other student folders: cannot tell if it is a student")


def _outside_student_folders(named, layout):
    """LMS-named files that lie in a folder read as a student's are ambiguous: ``(kept, [NotGraded])``."""
    student_folders = {entry.parts[:-1] for entry, _ in layout}
    kept, unread = [], []
    for entry, reading in named:
        if reading.scheme != "moodle" and entry.parts[:-1] in student_folders:
            unread.append(NotGraded(entry.file, f"an LMS name inside student folder {entry.parts[-2]!r}: "
                                    "cannot tell whose it is"))
        else:
            kept.append((entry, reading))
    return kept, unread


def _one_scheme_per_student(readings):
    """An id given by two namings (a Canvas and a Moodle 4242) may be two people: neither is graded."""
    schemes = {}
    for _, reading in readings:
        schemes.setdefault(reading.student, set()).add(reading.scheme)
    kept, unread = [], []
    for entry, reading in readings:
        if len(schemes[reading.student]) > 1:
            unread.append(NotGraded(entry.file, f"id {reading.student!r} comes from both "
                                    f"{' and '.join(sorted(schemes[reading.student]))} names: "
                                    "cannot tell if they are one student", student=reading.student))
        else:
            kept.append((entry, reading))
    return kept, unread


# Choosing one notebook per student


def _choose_all(asg, readings):
    """``([(entry, reading, submitted_at)], [NotGraded])``: the notebook graded for each student, and the rest."""
    by_student = {}
    for entry, reading in readings:
        by_student.setdefault(reading.student, []).append((entry, reading))
    chosen, rest = [], []
    for student in sorted(by_student):
        pick, others = _choose(asg, by_student[student])
        chosen += [pick] if pick else []
        rest += others
    return chosen, rest


def _choose(asg, files):
    """One student's files: the notebook of their newest submission (or None), and the others with reasons."""
    attempts = {}
    for entry, reading in files:
        attempts.setdefault(reading.attempt, []).append((entry, reading))
    ranked = sorted((_attempt_rank(a) for a in attempts.values()), key=lambda r: r[0], reverse=True)
    newest = [r for r in ranked if r[0] == ranked[0][0]]
    newer = newest[0][1][0][0].file
    rest = [_not_graded(members, when, f"superseded by a newer submission ({newer})", "superseded")
            for _, members, when in ranked[len(newest):]]
    if len(newest) > 1:
        rest += [_not_graded(members, when, "another submission of this student has the same time: "
                             "cannot tell which is newest") for _, members, when in newest]
        return None, sum(rest, [])
    _, members, when = newest[0]
    pick, others, reason = _pick_notebook(asg, members)
    rest.append(_not_graded(others, when, reason))
    return ((pick[0], pick[1], when) if pick else None), sum(rest, [])


def _not_graded(members, when, reason, status="not-graded"):
    """``NotGraded`` for each ``(entry, reading)`` of ``members``."""
    return [NotGraded(e.file, reason, status, r.student, when) for e, r in members]


def _attempt_rank(members):
    """``((time, seq), members, submitted_at)`` of one submission; later submissions rank higher."""
    reading = members[0][1]
    when = reading.timestamp or max((e.stamp for e, _ in members if e.stamp), default=None)
    return (_comparable(when), max(r.seq for _, r in members)), members, when


def _comparable(when):
    """A time that compares with any other: aware times as naive UTC, unknown as the earliest."""
    if when is None:
        return datetime.min
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _pick_notebook(asg, members):
    """The notebook of one submission: the one named ``<asg>.ipynb``, else its only notebook; never a guess.

    Returns ``(pick or None, the other members, why they are not graded)``.
    """
    named = [m for m in members if m[1].name == f"{asg}.ipynb"]
    if len(named) == 1 or len(members) == 1:
        pick = (named or members)[0]
        return pick, [m for m in members if m is not pick], \
            f"another notebook in the same submission; {pick[0].file} is graded"
    return None, members, (f"one of {len(members)} notebooks in one submission, {len(named)} of them named "
                           f"{asg}.ipynb: cannot tell which to grade")


# Delivering the chosen notebook


class _Workdir:
    """The folder collect may write into, made (as a temporary folder when none is given) only when needed."""

    def __init__(self, workdir):
        self._path = Path(workdir) if workdir is not None else None

    def unzipped(self):
        """``<workdir>/unzipped``, created on first use."""
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="course-intake-"))
        dest = self._path / "unzipped"
        dest.mkdir(parents=True, exist_ok=True)
        return dest


def _deliver(asg, entry, reading, submitted_at, work):
    """The ``Submission``, with the notebook in its own folder where that holds just it, else copied out.

    Only a folder source's notebook can stay where it is; the copy goes to ``workdir/unzipped/<student>/<asg>/``.
    """
    if entry.path is not None and entry.path.name == reading.name and \
            sorted(entry.path.parent.glob("*.ipynb")) == [entry.path]:
        folder = entry.path.parent
    else:
        folder = _copy_out(asg, entry, reading, work.unzipped())
    return Submission(reading.student, folder, entry.file, submitted_at, reading.late)


def _copy_out(asg, entry, reading, dest):
    """Write the notebook to ``dest/<student>/<asg>/<name>`` (never outside ``dest``, never over the size limit)."""
    if not re.fullmatch(r"[^/\\\x00.][^/\\\x00]{0,200}", reading.name):
        raise _Skip(f"its notebook name {reading.name!r} cannot be written safely")
    folder = dest / reading.student / asg
    target = folder / reading.name
    if not target.resolve().is_relative_to(dest.resolve()):
        raise _Skip(f"it would be written outside the extraction folder as {target}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        with entry.open() as src:
            data = src.read(MAX_NOTEBOOK_BYTES + 1)
    except (OSError, RuntimeError, zipfile.BadZipFile, zlib.error) as err:
        raise _Skip(f"it cannot be read ({type(err).__name__}: {err})") from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise _Skip(f"larger than {MAX_NOTEBOOK_BYTES} bytes when read")
    target.write_bytes(data)
    return folder


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


def read_submission(asg, folder, flag):
    """The notebook of a collected submission (``<asg>.ipynb``, else the folder's only notebook), or ``None``;
    ``flag(name)`` is told why (renamed-notebook, no-notebook, ambiguous-notebooks, notebook-too-large,
    invalid-notebook)."""
    expected = folder / f"{asg}.ipynb"
    notebooks = sorted(folder.glob("*.ipynb"))
    if expected.exists():
        path = expected
    elif len(notebooks) == 1:
        path = notebooks[0]
        flag("renamed-notebook")
    else:
        flag("no-notebook" if not notebooks else "ambiguous-notebooks")
        return None
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        flag("notebook-too-large")
        return None
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        assert isinstance(nb.cells, list)
    except Exception:  # noqa: BLE001 - any unreadable file is this student's problem only
        flag("invalid-notebook")
        return None
    return nb


def prepare(asg, student, folder, master, clean_db, out, released=None):
    """Read, repair and sanitize one submission with nbgrader's preprocessors; ``None`` if it cannot be graded."""
    from nbconvert.preprocessors import ClearOutputPreprocessor
    from nbgrader.preprocessors import CheckCellMetadata, OverwriteCells, OverwriteKernelspec

    nb = read_submission(asg, folder, out.flag)
    if nb is None:
        return None
    cells = nb.cells

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



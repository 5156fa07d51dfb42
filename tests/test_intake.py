"""Submission intake (``collect``): every file of a zip or folder is graded for exactly one student, or listed.

Pure unit tests on synthetic zips and folders built in tmp_path: no grading, no kernels.  Each notebook carries a
tag in its metadata, so a test can tell which file was delivered for a student.
"""
import hashlib
import json
import os
import zipfile
from datetime import datetime

import pytest

from course.instructor import intake
from course.instructor.intake import collect

ASG = "01_convolution"
DAY = (2026, 11, 30, 12, 0, 0)


def nb(tag, pad=0):
    """A minimal valid nbformat v4 notebook (JSON text) tagged ``tag``, ``pad`` bytes longer."""
    return json.dumps({"cells": [], "metadata": {"tag": tag, "pad": "x" * pad}, "nbformat": 4, "nbformat_minor": 5})


def make_zip(path, entries):
    """Write ``entries`` ``(name, text[, date_time])`` to a zip at ``path``, in that order, names as given."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text, *when in entries:
            zf.writestr(zipfile.ZipInfo(name, when[0] if when else DAY), text)
    return path


def from_zip(tmp_path, entries, **kw):
    """``collect`` a zip of ``entries``; also check every entry is accounted for once and where files were written."""
    zip_path = make_zip(tmp_path / "export.zip", entries)
    work = tmp_path / "work"
    c = collect(ASG, zip_path=zip_path, workdir=work, **kw)
    accounted(c, [e[0] for e in entries])
    written = {p.relative_to(work / "unzipped").as_posix() for p in work.rglob("*") if p.is_file()}
    assert written == {f"{s}/{ASG}/{only(sub)[1]}" for s, sub in c.submissions.items()}
    for s, sub in c.submissions.items():
        assert sub.folder == work / "unzipped" / s / ASG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "work"][:1 + work.exists()]
    return c


def accounted(c, files):
    """Each file is either graded or skipped, exactly once."""
    seen = [sub.file for sub in c.submissions.values()] + [n.file for n in c.skipped]
    assert sorted(seen) == sorted(files)
    for s, sub in c.submissions.items():
        assert sub.student == s and intake.STUDENT_ID.match(s)


def graded(c):
    """``{student: (file, late)}``."""
    return {s: (sub.file, sub.late) for s, sub in c.submissions.items()}


def skipped(c):
    """``{file: (status, student)}``."""
    return {n.file: (n.status, n.student) for n in c.skipped}


def reason(c, file):
    """Why ``file`` was not graded."""
    return next(n.reason for n in c.skipped if n.file == file)


def only(sub):
    """``(tag, name)`` of the one notebook in a submission's folder."""
    files = sorted(sub.folder.glob("*.ipynb"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())["metadata"]["tag"], files[0].name


def write(path, text, mtime=None):
    """Write a file (and its folders); set its mtime (a datetime, read as UTC) if given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        ts = (mtime - datetime(1970, 1, 1)).total_seconds()
        os.utime(path, (ts, ts))


def test_submitted_folder_read_in_place_and_left_unchanged(tmp_path):
    """nbgrader's submitted/ folder: a folder holding just the notebook is used as is; others are copied out;
    another assignment's folder and checkpoints are listed (timestamp.txt gives the time); the folder is not
    modified."""
    sub = tmp_path / "submitted"
    write(sub / "alice" / ASG / f"{ASG}.ipynb", nb("alice"), datetime(2026, 11, 30, 10, 0, 0))
    write(sub / "alice" / ASG / "timestamp.txt", "2026-11-30 10:00:00")
    write(sub / "alice" / ASG / ".ipynb_checkpoints" / f"{ASG}-checkpoint.ipynb", nb("checkpoint"))
    write(sub / "alice" / "02_padding_stride" / "02_padding_stride.ipynb", nb("other assignment"))
    write(sub / "bob" / ASG / f"{ASG}.ipynb", nb("bob"))
    write(sub / "bob" / ASG / "scratch.ipynb", nb("scratch"))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sub.rglob("*") if p.is_file()}
    c = collect(ASG, submissions=sub, workdir=tmp_path / "work")
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sub.rglob("*") if p.is_file()} == before
    assert graded(c) == {"alice": (f"alice/{ASG}/{ASG}.ipynb", False), "bob": (f"bob/{ASG}/{ASG}.ipynb", False)}
    assert c.submissions["alice"].folder == sub / "alice" / ASG
    assert c.submissions["alice"].submitted_at == datetime(2026, 11, 30, 10, 0, 0)
    assert c.submissions["bob"].folder == tmp_path / "work" / "unzipped" / "bob" / ASG
    assert only(c.submissions["bob"]) == ("bob", f"{ASG}.ipynb")
    assert skipped(c) == {f"alice/{ASG}/.ipynb_checkpoints/{ASG}-checkpoint.ipynb": ("not-graded", None),
                          "alice/02_padding_stride/02_padding_stride.ipynb": ("not-graded", None),
                          f"bob/{ASG}/scratch.ipynb": ("not-graded", "bob")}
    assert "hidden" in reason(c, f"alice/{ASG}/.ipynb_checkpoints/{ASG}-checkpoint.ipynb")
    assert "cannot tell whether 'alice' or '02_padding_stride'" in reason(
        c, "alice/02_padding_stride/02_padding_stride.ipynb")
    assert "another notebook in the same submission" in reason(c, f"bob/{ASG}/scratch.ipynb")


@pytest.mark.parametrize("wrapper", ["", "export/"])
def test_zip_submitted_layout_keeps_alice_and_bob_apart(tmp_path, wrapper):
    """``[export/]<student>/<asg>/<file>``: the wrapper folder is not a student; alice and bob stay two."""
    c = from_zip(tmp_path, [(f"{wrapper}alice/{ASG}/{ASG}.ipynb", nb("alice")),
                            (f"{wrapper}bob/{ASG}/{ASG}.ipynb", nb("bob"))])
    assert graded(c) == {"alice": (f"{wrapper}alice/{ASG}/{ASG}.ipynb", False),
                         "bob": (f"{wrapper}bob/{ASG}/{ASG}.ipynb", False)}
    assert only(c.submissions["alice"]) == ("alice", f"{ASG}.ipynb")
    assert only(c.submissions["bob"]) == ("bob", f"{ASG}.ipynb")
    assert c.submissions["alice"].submitted_at == datetime(*DAY)
    assert c.skipped == []


@pytest.mark.parametrize("wrapper", ["", "export/"])
def test_zip_without_assignment_folder_keeps_alice_and_bob_apart(tmp_path, wrapper):
    """``[export/]<student>/<file>`` (no assignment folder): students alice and bob, never "export"."""
    c = from_zip(tmp_path, [(f"{wrapper}alice/{ASG}.ipynb", nb("alice")),
                            (f"{wrapper}bob/{ASG}.ipynb", nb("bob"))])
    assert graded(c) == {"alice": (f"{wrapper}alice/{ASG}.ipynb", False), "bob": (f"{wrapper}bob/{ASG}.ipynb", False)}
    assert only(c.submissions["alice"])[0] == "alice" and only(c.submissions["bob"])[0] == "bob"
    assert c.skipped == []


def test_wrapper_holding_a_notebook_is_not_a_student(tmp_path):
    """A folder that holds both a notebook and other student folders may be a wrapper or a student: neither its
    notebook nor an unanchored folder below it is guessed; a folder with the assignment folder is still read."""
    c = from_zip(tmp_path, [(f"export/{ASG}.ipynb", nb("stray")),
                            (f"export/alice/{ASG}/{ASG}.ipynb", nb("alice")),
                            (f"export/bob/{ASG}.ipynb", nb("bob"))])
    assert graded(c) == {"alice": (f"export/alice/{ASG}/{ASG}.ipynb", False)}
    assert skipped(c) == {f"export/{ASG}.ipynb": ("not-graded", None), f"export/bob/{ASG}.ipynb": ("not-graded", None)}
    assert "holds other student folders" in reason(c, f"export/{ASG}.ipynb")
    assert "cannot tell whether 'export' or 'bob'" in reason(c, f"export/bob/{ASG}.ipynb")


def test_zip_collect_usernames_with_underscores_stay_apart(tmp_path):
    """``<asg>_<username>_attempt_<timestamp>_<file>``: jane_doe and john_doe are two students, not one "doe"."""
    jane = f"{ASG}_jane_doe_attempt_2026-11-30-23-59-01_{ASG}.ipynb"
    john = f"{ASG}_john_doe_attempt_2026-11-29-08-00-00_{ASG}.ipynb"
    receipt = f"{ASG}_jane_doe_attempt_2026-11-30-23-59-01.txt"
    c = from_zip(tmp_path, [(jane, nb("jane")), (john, nb("john")), (receipt, "Name: Jane Doe")])
    assert graded(c) == {"jane_doe": (jane, False), "john_doe": (john, False)}
    assert only(c.submissions["jane_doe"]) == ("jane", f"{ASG}.ipynb")
    assert only(c.submissions["john_doe"]) == ("john", f"{ASG}.ipynb")
    assert c.submissions["jane_doe"].submitted_at == datetime(2026, 11, 30, 23, 59, 1)
    assert skipped(c) == {receipt: ("not-graded", None)}
    assert "not a notebook" in reason(c, receipt)


def test_newest_attempt_graded_even_when_first_in_zip(tmp_path):
    """Of two attempts the newest by the name's timestamp is graded (not the last in the zip, nor the later zip
    date); the other is listed as superseded."""
    new = f"{ASG}_jane_doe_attempt_2026-11-30-23-59-01_{ASG}.ipynb"
    old = f"{ASG}_jane_doe_attempt_2026-11-28-09-00-00_{ASG}.ipynb"
    c = from_zip(tmp_path, [(new, nb("new"), (2026, 11, 1, 0, 0, 0)), (old, nb("old"), (2026, 12, 1, 0, 0, 0))])
    assert graded(c) == {"jane_doe": (new, False)}
    assert only(c.submissions["jane_doe"])[0] == "new"
    assert c.submissions["jane_doe"].submitted_at == datetime(2026, 11, 30, 23, 59, 1)
    assert skipped(c) == {old: ("superseded", "jane_doe")}
    assert c.skipped[0].submitted_at == datetime(2026, 11, 28, 9, 0, 0)


def test_newest_by_zip_date_when_the_name_has_none(tmp_path):
    """Without a time in the name, the zip entry's date decides (the newer comes first in the zip)."""
    new, old = f"alice/{ASG}/{ASG}.ipynb", f"alice/{ASG}.ipynb"
    c = from_zip(tmp_path, [(new, nb("new"), (2026, 11, 30, 9, 0, 0)), (old, nb("old"), (2026, 11, 29, 9, 0, 0))])
    assert graded(c) == {"alice": (new, False)}
    assert only(c.submissions["alice"])[0] == "new"
    assert c.submissions["alice"].submitted_at == datetime(2026, 11, 30, 9, 0, 0)
    assert skipped(c) == {old: ("superseded", "alice")}


def test_newest_by_mtime_in_a_folder(tmp_path):
    """In a folder, the file's mtime decides between two submissions of one student."""
    sub = tmp_path / "submitted"
    write(sub / "alice" / ASG / f"{ASG}.ipynb", nb("old"), datetime(2026, 11, 29, 9, 0, 0))
    write(sub / "alice" / f"{ASG}.ipynb", nb("new"), datetime(2026, 11, 30, 9, 0, 0))
    c = collect(ASG, submissions=sub, workdir=tmp_path / "work")
    assert graded(c) == {"alice": (f"alice/{ASG}.ipynb", False)}
    assert only(c.submissions["alice"])[0] == "new"
    assert c.submissions["alice"].submitted_at == datetime(2026, 11, 30, 9, 0, 0)
    assert skipped(c) == {f"alice/{ASG}/{ASG}.ipynb": ("superseded", "alice")}


def test_equal_times_are_not_guessed(tmp_path):
    """Two submissions of one student with the same time: neither is graded."""
    a, b = f"alice/{ASG}/{ASG}.ipynb", f"alice/{ASG}.ipynb"
    c = from_zip(tmp_path, [(a, nb("a")), (b, nb("b")), (f"bob/{ASG}.ipynb", nb("bob"))])
    assert graded(c) == {"bob": (f"bob/{ASG}.ipynb", False)}
    assert skipped(c) == {a: ("not-graded", "alice"), b: ("not-graded", "alice")}
    assert "same time" in reason(c, a)


def test_several_notebooks_in_one_submission(tmp_path):
    """Within one submission the notebook named <asg>.ipynb is graded, else the only one under its own name;
    two notebooks and neither named so: none is graded."""
    c = from_zip(tmp_path, [(f"alice/{ASG}/a.ipynb", nb("a")), (f"alice/{ASG}/b.ipynb", nb("b")),
                            (f"bob/{ASG}/scratch.ipynb", nb("scratch")), (f"bob/{ASG}/{ASG}.ipynb", nb("bob")),
                            (f"carol/{ASG}/homework.ipynb", nb("carol"))])
    assert graded(c) == {"bob": (f"bob/{ASG}/{ASG}.ipynb", False), "carol": (f"carol/{ASG}/homework.ipynb", False)}
    assert only(c.submissions["bob"]) == ("bob", f"{ASG}.ipynb")
    assert only(c.submissions["carol"]) == ("carol", "homework.ipynb")
    assert skipped(c) == {f"alice/{ASG}/a.ipynb": ("not-graded", "alice"),
                          f"alice/{ASG}/b.ipynb": ("not-graded", "alice"),
                          f"bob/{ASG}/scratch.ipynb": ("not-graded", "bob")}
    assert "cannot tell which to grade" in reason(c, f"alice/{ASG}/a.ipynb")


def test_canvas_names(tmp_path):
    """Canvas: the numeric userid is the student (two "doejane" stay two), LATE is flagged, ``-1`` is still the
    assignment's notebook, the newer submission wins (the zip date, then the larger Canvas id)."""
    old = f"doejane_12345_678901_{ASG}.ipynb"
    late = f"doejane_LATE_12345_678902_{ASG}-1.ipynb"
    other = f"doejane_67890_678903_{ASG}.ipynb"
    first, second = f"roeann_55555_700001_{ASG}.ipynb", f"roeann_55555_700002_{ASG}-1.ipynb"
    c = from_zip(tmp_path, [(late, nb("late"), (2026, 12, 1, 9, 0, 0)), (old, nb("old"), (2026, 11, 30, 9, 0, 0)),
                            (other, nb("other")), (second, nb("second")), (first, nb("first"))])
    assert graded(c) == {"12345": (late, True), "67890": (other, False), "55555": (second, False)}
    assert only(c.submissions["12345"]) == ("late", f"{ASG}.ipynb")
    assert only(c.submissions["67890"]) == ("other", f"{ASG}.ipynb")
    assert only(c.submissions["55555"]) == ("second", f"{ASG}.ipynb")
    assert c.submissions["12345"].submitted_at == datetime(2026, 12, 1, 9, 0, 0)
    assert skipped(c) == {old: ("superseded", "12345"), first: ("superseded", "55555")}


def test_moodle_folders(tmp_path):
    """Moodle: ``<Full Name>_<id>_assignsubmission_file_/<file>`` (and the flat form); the student is the numeric
    id, so two Jane Does stay two."""
    a = f"Jane Doe_4242_assignsubmission_file_/{ASG}.ipynb"
    b = f"Jane Doe_4343_assignsubmission_file_/{ASG}.ipynb"
    flat = f"John Roe_5151_assignsubmission_file_{ASG}.ipynb"
    text = "Jane Doe_4242_assignsubmission_onlinetext_/onlinetext.html"
    c = from_zip(tmp_path, [(a, nb("a")), (b, nb("b")), (flat, nb("flat")), (text, "<p>hi</p>")])
    assert graded(c) == {"4242": (a, False), "4343": (b, False), "5151": (flat, False)}
    assert [only(c.submissions[s]) for s in ("4242", "4343", "5151")] == [
        ("a", f"{ASG}.ipynb"), ("b", f"{ASG}.ipynb"), ("flat", f"{ASG}.ipynb")]
    assert skipped(c) == {text: ("not-graded", None)}


def test_same_id_from_two_lms_never_merges(tmp_path):
    """A Canvas userid and a Moodle id that are equal may be two people: neither is graded."""
    canvas, moodle = f"doejane_4242_1001_{ASG}.ipynb", f"Jane Doe_4242_assignsubmission_file_/{ASG}.ipynb"
    c = from_zip(tmp_path, [(canvas, nb("canvas")), (moodle, nb("moodle"))])
    assert c.submissions == {}
    assert skipped(c) == {canvas: ("not-graded", "4242"), moodle: ("not-graded", "4242")}
    assert "canvas and moodle" in reason(c, canvas)


def test_windows_backslash_paths(tmp_path):
    """``\\`` in zip entry names is a folder separator."""
    a, b = f"export\\alice\\{ASG}\\{ASG}.ipynb", f"export\\bob\\{ASG}.ipynb"
    c = from_zip(tmp_path, [(a, nb("alice")), (b, nb("bob"))])
    assert graded(c) == {"alice": (a, False), "bob": (b, False)}
    assert only(c.submissions["alice"]) == ("alice", f"{ASG}.ipynb")
    assert only(c.submissions["bob"]) == ("bob", f"{ASG}.ipynb")
    assert c.skipped == []


def test_macosx_hidden_and_non_notebooks_listed(tmp_path):
    """__MACOSX and hidden files are ignored, other files are not notebooks; all are listed."""
    mac = f"__MACOSX/export/alice/{ASG}/{ASG}.ipynb"
    checkpoint = f"export/alice/{ASG}/.ipynb_checkpoints/{ASG}-checkpoint.ipynb"
    ds, pdf = "export/.DS_Store", f"export/alice/{ASG}/report.pdf"
    c = from_zip(tmp_path, [(mac, nb("mac")), (checkpoint, nb("checkpoint")), (ds, "x"), (pdf, "%PDF"),
                            (f"export/alice/{ASG}/{ASG}.ipynb", nb("alice"))])
    assert graded(c) == {"alice": (f"export/alice/{ASG}/{ASG}.ipynb", False)}
    assert only(c.submissions["alice"])[0] == "alice"
    assert skipped(c) == {f: ("not-graded", None) for f in (mac, checkpoint, ds, pdf)}
    assert "__MACOSX" in reason(c, mac)
    assert "hidden" in reason(c, checkpoint) and "hidden" in reason(c, ds)
    assert "not a notebook" in reason(c, pdf)


def test_zip_slip_entries_rejected(tmp_path):
    """Absolute paths and ``..`` components are not graded, and nothing is written outside the work folder."""
    outside = tmp_path.parent / f"{tmp_path.name}-abs"
    evil = [f"../evil/{ASG}.ipynb", f"{outside}/alice/{ASG}.ipynb", f"export/../../escape/{ASG}.ipynb",
            f"..\\win\\{ASG}.ipynb", f"C:\\Users\\mallory\\{ASG}.ipynb", f"\\\\server\\share\\{ASG}.ipynb"]
    c = from_zip(tmp_path, [(e, nb("evil")) for e in evil] + [(f"export/alice/{ASG}.ipynb", nb("alice"))])
    assert graded(c) == {"alice": (f"export/alice/{ASG}.ipynb", False)}
    assert skipped(c) == {e: ("not-graded", None) for e in evil}
    for e in evil:
        assert "outside the extraction folder" in reason(c, e), e
    assert not outside.exists() and not (tmp_path.parent / "evil").exists()


def test_oversized_entry_not_graded(tmp_path, monkeypatch):
    """A notebook over MAX_NOTEBOOK_BYTES is not graded (and not extracted)."""
    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 2000)
    big = f"bob/{ASG}/{ASG}.ipynb"
    c = from_zip(tmp_path, [(f"alice/{ASG}/{ASG}.ipynb", nb("alice")), (big, nb("bob", pad=3000))])
    assert graded(c) == {"alice": (f"alice/{ASG}/{ASG}.ipynb", False)}
    assert skipped(c) == {big: ("not-graded", None)}
    assert "larger than 2000 bytes" in reason(c, big)


def test_named_regexp_for_another_lms(tmp_path):
    """``named_regexp`` reads another LMS's names (student_id, timestamp, file); without it the same zip grades
    nobody (its flat folder is never one student)."""
    regexp = r"lms/(?P<student_id>[^_/]+)__(?P<timestamp>[^_]+)__(?P<file>.+\.ipynb)$"
    new, old = f"lms/s-1001__2026-11-30T12:00:00__{ASG}.ipynb", f"lms/s-1001__2026-11-30T10:00:00__{ASG}.ipynb"
    renamed = "lms/s-2002__2026-11-30T11:00:00+01:00__homework.ipynb"
    readme, bad_id, bad_time = "lms/readme.ipynb", f"lms/bad id__2026-11-30T10:00:00__{ASG}.ipynb", \
        f"lms/s-3003__yesterday__{ASG}.ipynb"
    entries = [(new, nb("new")), (old, nb("old")), (renamed, nb("renamed")), (readme, nb("readme")),
               (bad_id, nb("bad id")), (bad_time, nb("bad time"))]
    c = from_zip(tmp_path, entries, named_regexp=regexp)
    assert graded(c) == {"s-1001": (new, False), "s-2002": (renamed, False)}
    assert only(c.submissions["s-1001"]) == ("new", f"{ASG}.ipynb")
    assert only(c.submissions["s-2002"]) == ("renamed", "homework.ipynb")
    assert c.submissions["s-1001"].submitted_at == datetime(2026, 11, 30, 12, 0, 0)
    assert skipped(c) == {old: ("superseded", "s-1001"), readme: ("not-graded", None),
                          bad_id: ("not-graded", None), bad_time: ("not-graded", None)}
    assert "does not match named_regexp" in reason(c, readme)
    assert "not a valid student id" in reason(c, bad_id)
    assert "timestamp 'yesterday'" in reason(c, bad_time)
    (tmp_path / "work").rename(tmp_path / "work-regexp")
    plain = collect(ASG, zip_path=tmp_path / "export.zip", workdir=tmp_path / "work")
    assert plain.submissions == {}
    with pytest.raises(ValueError, match="student_id"):
        collect(ASG, zip_path=tmp_path / "export.zip", workdir=tmp_path / "work", named_regexp=r"(?P<user>\w+)")


def test_unreadable_names_listed_not_guessed(tmp_path):
    """Names that cannot be read unambiguously are listed with the reason, and no student is made up from them."""
    blackboard = f"Convolution_jane_doe_attempt_2026-11-30-23-59-01_{ASG}.ipynb"
    bad_time = f"{ASG}_jane_attempt_2026-13-45-99-99-99_{ASG}.ipynb"
    twice = f"{ASG}_x_attempt_2026-11-30-23-59-01_attempt_2026-11-30-23-59-02_{ASG}.ipynb"
    loose = f"{ASG}.ipynb"
    spaced = f"al ice/{ASG}/{ASG}.ipynb"
    nested = f"bob/{ASG}/old/{ASG}.ipynb"
    files = [blackboard, bad_time, twice, loose, spaced, nested]
    c = from_zip(tmp_path, [(f, nb(f)) for f in files])
    assert c.submissions == {}
    assert skipped(c) == {f: ("not-graded", None) for f in files}
    assert "cannot tell its username" in reason(c, blackboard)
    assert "timestamp '2026-13-45-99-99-99'" in reason(c, bad_time)
    assert "cannot read it as" in reason(c, twice)
    assert "not inside a student folder" in reason(c, loose)
    assert "not a valid student id" in reason(c, spaced)
    assert "subfolder of the assignment folder" in reason(c, nested)


def test_links_not_graded(tmp_path):
    """A symbolic link, in a folder or as a zip entry, is not graded (it could point at another student's file)."""
    sub = tmp_path / "submitted"
    write(sub / "alice" / ASG / f"{ASG}.ipynb", nb("alice"))
    (sub / "mallory" / ASG).mkdir(parents=True)
    (sub / "mallory" / ASG / f"{ASG}.ipynb").symlink_to(sub / "alice" / ASG / f"{ASG}.ipynb")
    (sub / "eve").symlink_to(sub / "alice", target_is_directory=True)
    c = collect(ASG, submissions=sub, workdir=tmp_path / "work")
    assert graded(c) == {"alice": (f"alice/{ASG}/{ASG}.ipynb", False)}
    assert skipped(c) == {f"mallory/{ASG}/{ASG}.ipynb": ("not-graded", None), "eve": ("not-graded", None)}
    assert "symbolic link" in reason(c, f"mallory/{ASG}/{ASG}.ipynb") and "symbolic link" in reason(c, "eve")

    link = zipfile.ZipInfo(f"mallory/{ASG}/{ASG}.ipynb", DAY)
    link.external_attr = 0o120777 << 16
    zip_path = tmp_path / "links.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr(link, f"../../alice/{ASG}/{ASG}.ipynb")
        zf.writestr(zipfile.ZipInfo(f"alice/{ASG}/{ASG}.ipynb", DAY), nb("alice"))
    c = collect(ASG, zip_path=zip_path, workdir=tmp_path / "work-zip")
    assert graded(c) == {"alice": (f"alice/{ASG}/{ASG}.ipynb", False)}
    assert skipped(c) == {f"mallory/{ASG}/{ASG}.ipynb": ("not-graded", None)}
    assert "symbolic link" in reason(c, f"mallory/{ASG}/{ASG}.ipynb")


def test_lms_name_inside_a_student_folder_is_not_guessed(tmp_path):
    """A Canvas-looking name inside alice's folder could be alice's file or Canvas user 12345's: not graded."""
    canvas = f"alice/doejane_12345_678901_{ASG}.ipynb"
    c = from_zip(tmp_path, [(f"alice/{ASG}.ipynb", nb("alice")), (canvas, nb("canvas"))])
    assert graded(c) == {"alice": (f"alice/{ASG}.ipynb", False)}
    assert only(c.submissions["alice"])[0] == "alice"
    assert skipped(c) == {canvas: ("not-graded", None)}
    assert "cannot tell whose it is" in reason(c, canvas)


def test_nbgrader_timestamp_file_gives_the_submission_time(tmp_path):
    """nbgrader's timestamp.txt beside the notebook is the submission time (not the file's mtime), and is not listed
    as a file not graded."""
    root = tmp_path / "submitted"
    path = root / "alice" / ASG / f"{ASG}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(nb("alice"))
    (path.parent / "timestamp.txt").write_text("2026-11-30 23:59:01.000000 UTC")
    got = collect(ASG, submissions=root, workdir=tmp_path / "work")
    assert set(got.submissions) == {"alice"} and got.skipped == []
    assert got.submissions["alice"].submitted_at == datetime(2026, 11, 30, 23, 59, 1)


def test_other_assignments_folders_are_left_out(tmp_path):
    """A submitted/ folder holding every assignment: the other assignments' notebooks are not this one's."""
    root = tmp_path / "submitted"
    for student in ("alice", "bob"):
        for a in (ASG, "02_padding_stride"):
            path = root / student / a / f"{a}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(nb(f"{student} {a}"))
    got = collect(ASG, submissions=root, workdir=tmp_path / "work", other_assignments=["02_padding_stride"])
    assert graded(got) == {"alice": (f"alice/{ASG}/{ASG}.ipynb", False), "bob": (f"bob/{ASG}/{ASG}.ipynb", False)}
    assert got.skipped == []
    unfiltered = collect(ASG, submissions=root, workdir=tmp_path / "work2")
    assert len(unfiltered.skipped) == 2, "without the assignment ids the other notebooks are listed, not dropped"

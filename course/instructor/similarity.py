"""The similarity check: ``python -m course similarity ASSIGNMENT [--submissions DIR | --zip Z]``.

Neither nbgrader nor otter-grader has one.  This compares the code each student wrote (the assignment's
answer cells, and any code cell they added, which grading runs too), across every pair of students, with
copydetect's winnowing (Schleimer et al., 2003, as in MOSS): the code is tokenised and normalised (every
variable, function and class name becomes one letter, every string a placeholder; comments and spacing
are dropped), so renaming variables or reformatting does not hide a copy, and neither does reordering
functions or adding code of one's own.  What students were given counts as boilerplate: the notebooks'
code as released (the answer cells' starter code, the worked examples) and the course's reference answers
of every notebook, so the starter code and the textbook answer are never evidence of copying.

A known limit, as for every k-gram method: the shared runs must be at least ``NOISE`` normalised
characters long, so a copy with a dummy statement inserted after *every* line of a short answer shares
too little to be flagged (one after every second line still is).

The students are found exactly as ``course grade`` finds them (``intake.collect``: a submissions folder or
an LMS zip).  It writes ``autograded/<asg>-similarity.csv`` (``student_a, student_b, similarity, flagged``,
then each side's share and the characters shared, one row per pair, most similar first) and
``autograded/<asg>-similarity.html``, the flagged pairs side by side with the shared code marked.  It never
touches a score or the gradebook: a flag is a reason for a human to look.
"""
from __future__ import annotations

import html
import io
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from ..cells import grade_id, nbgrader_meta
from ..coursedir import assignments, course_dir, source_path
from .feedback import write_csv
from .intake import collect, read_submission

NOISE = 25        # copydetect's noise threshold: shared runs shorter than this (normalised characters) are ignored
GUARANTEE = 30    # every shared run at least this long is found (winnowing window = GUARANTEE - NOISE + 1)
THRESHOLD = 0.5   # a pair is flagged when one side has at least this share of its own code in the other ...
MIN_SHARED = 100  # ... and they share at least this many normalised characters (a few lines, not one idiom)
MAX_SHOWN = 200   # flagged pairs shown side by side on the page, most similar first (the CSV has every pair)
COLUMNS = ["student_a", "student_b", "similarity", "flagged", "similarity_a", "similarity_b", "shared"]


@dataclass
class Pair:
    a: str
    b: str
    similarity: float   # the larger of the two shares: how much of one student's own code is in the other's
    share_a: float      # of a's code (less boilerplate), the share found in b's
    share_b: float
    shared: int         # normalised characters of a's code found in b's
    flagged: bool
    slices: tuple = ()  # where the shared code is, in each side's text (for the page)


def answer_ids(asg, root=None):
    """The grade ids of the assignment's code answer cells, in notebook order."""
    nb = nbformat.read(source_path(asg, root), as_version=4)
    return [grade_id(c) for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def answer_code(nb, ids, known=None):
    """The code a student wrote: the notebook's answer cells (``ids``), one block per cell (a duplicated cell counts
    once), then every code cell the student added (one that carries none of the notebook's grade ids and is not,
    word for word, a cell of the notebook they received, ``known``), since grading runs those too.  Without
    ``known``, only the answer cells."""
    blocks = []
    for gid in ids:
        seen = []
        for cell in nb.cells:
            if cell.get("cell_type") == "code" and grade_id(cell) == gid and cell.source not in seen:
                seen.append(cell.source)
        blocks += seen
    if known is not None:
        given = set(known["sources"])
        blocks += [c.source for c in nb.cells if c.get("cell_type") == "code" and grade_id(c) not in known["ids"]
                   and c.source.strip() and c.source not in given]
    return "\n\n".join(b.strip("\n") for b in blocks) + "\n"


def received(asg, root=None):
    """What the students of ``asg`` received: the grade ids and the code cells of the release notebook."""
    from ..coursedir import release_path
    nb = nbformat.read(release_path(asg, root), as_version=4)
    return {"ids": {grade_id(c) for c in nb.cells if grade_id(c)},
            "sources": [c.source for c in nb.cells if c.cell_type == "code"]}


def boilerplate_code(root=None):
    """What every student was given or could find in the course: each notebook's code as released (the answer
    cells' starter code and the worked examples), and the reference answers of every notebook (answers handed
    out in a later notebook included)."""
    from .build import filled_release
    from ..coursedir import release_path

    texts = []
    for asg in assignments(root):
        ids = answer_ids(asg, root)
        if not ids:
            continue
        release = nbformat.read(release_path(asg, root), as_version=4)
        texts.append(answer_code(release, ids))
        texts.append(answer_code(filled_release(asg, root=root), ids))
        texts.append("\n\n".join(c.source for c in release.cells if c.cell_type == "code"))  # the worked examples
    return texts


def fingerprint(code, boilerplate=()):
    """copydetect's fingerprint of one student's code (Python tokens, names normalised, boilerplate removed)."""
    from copydetect import CodeFingerprint
    return CodeFingerprint("answers.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate, fp=io.StringIO(code))


def boilerplate_hashes(texts):
    """The k-gram hashes of the boilerplate texts (every k-gram, not only the winnowed ones, as copydetect does)."""
    from copydetect import CodeFingerprint
    hashes = [CodeFingerprint("given.py", NOISE, 1, fp=io.StringIO(t)).hashes for t in texts]
    return np.unique(np.concatenate([np.asarray(list(h), dtype=np.int64) for h in hashes])) if hashes else []


def compare(fingerprints, threshold=THRESHOLD, min_shared=MIN_SHARED):
    """Every pair of students, most similar first.  Pairs that share no fingerprint are not compared further
    (an inverted index finds the others), so a class of hundreds costs far less than n² full comparisons."""
    from copydetect import compare_files

    owners = {}
    for student, fp in fingerprints.items():
        for h in fp.hashes:
            owners.setdefault(h, []).append(student)
    candidates = set()
    for students in owners.values():
        candidates.update(itertools.combinations(sorted(students), 2))
    pairs = []
    for a, b in itertools.combinations(sorted(fingerprints), 2):
        if (a, b) not in candidates:
            pairs.append(Pair(a, b, 0.0, 0.0, 0.0, 0, False))
            continue
        shared, (share_a, share_b), slices = compare_files(fingerprints[a], fingerprints[b])
        share_a, share_b = float(share_a), float(share_b)
        similarity = max(share_a, share_b)
        flagged = similarity >= threshold and int(shared) >= min_shared
        pairs.append(Pair(a, b, similarity, share_a, share_b, int(shared), flagged, slices))
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return pairs


def similarity(asg, submissions=None, zip_path=None, root=None, named_regexp=None, threshold=THRESHOLD,
               min_shared=MIN_SHARED, log=print):
    """Compare every pair of ``asg``'s submissions; write the CSV and the HTML page; return the pairs."""
    root = course_dir(root)
    if not source_path(asg, root).exists():
        raise SystemExit(f"no assignment {asg}: expected {source_path(asg, root)}")
    try:
        import copydetect  # noqa: F401
    except ImportError:
        raise SystemExit("the similarity check needs copydetect: pip install -r requirements.txt "
                         "(or pip install .[instructor])") from None
    start = time.perf_counter()
    ids, known = answer_ids(asg, root), received(asg, root)
    given = boilerplate_hashes(boilerplate_code(root))
    codes, fingerprints, unread = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="course-similarity-") as tmp:
        submissions = submissions if submissions or zip_path else root / "submitted"  # the course's, not the cwd's
        collected = collect(asg, submissions, zip_path, Path(tmp), named_regexp=named_regexp,
                            other_assignments=[a for a in assignments(root) if a != asg])
        for student, sub in collected.submissions.items():
            why = []
            nb = read_submission(asg, sub.folder, why.append)
            if nb is None:
                unread[student] = ", ".join(why)
                continue
            codes[student] = answer_code(nb, ids, known)
            fingerprints[student] = fingerprint(codes[student], given)
    pairs = compare(fingerprints, threshold, min_shared)
    out = root / "autograded"
    csv_path = out / f"{asg}-similarity.csv"
    write_csv(csv_path, COLUMNS, [{"student_a": p.a, "student_b": p.b, "similarity": f"{p.similarity:.3f}",
                                    "flagged": "1" if p.flagged else "0", "similarity_a": f"{p.share_a:.3f}",
                                    "similarity_b": f"{p.share_b:.3f}", "shared": str(p.shared)} for p in pairs])
    no_code = sorted(s for s, fp in fingerprints.items() if fp.token_coverage == 0)
    seconds = time.perf_counter() - start
    page = out / f"{asg}-similarity.html"
    page.write_text(similarity_page(asg, pairs, codes, no_code, unread, collected.skipped, threshold, min_shared,
                                    seconds), encoding="utf-8")
    flagged = [p for p in pairs if p.flagged]
    log(f"{len(fingerprints)} students, {len(pairs)} pairs compared in {seconds:.1f} s; {len(flagged)} flagged"
        + (f"; {len(unread)} notebooks unreadable" if unread else ""))
    for p in flagged:
        log(f"  {p.a} ~ {p.b}: {p.similarity:.2f} ({p.shared} characters shared)")
    log(f"similarity: {csv_path.relative_to(root)}, {page.relative_to(root)} (scores are unchanged)")
    return pairs


def _marked(code, slices):
    """The code, escaped, with the shared parts in <mark>."""
    from copydetect.utils import highlight_overlap
    if len(slices) == 0 or slices.shape[1] == 0:
        return html.escape(code)
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


def similarity_page(asg, pairs, codes, no_code, unread, skipped, threshold, min_shared, seconds):
    """The HTML page: what was compared, then every flagged pair side by side."""
    flagged = [p for p in pairs if p.flagged]
    rows = "".join(f"<tr><td>{html.escape(p.a)}</td><td>{html.escape(p.b)}</td><td>{p.similarity:.2f}</td>"
                   f"<td>{p.share_a:.2f}</td><td>{p.share_b:.2f}</td><td>{p.shared}</td>"
                   f"<td>{'flagged' if p.flagged else ''}</td></tr>" for p in pairs[:50])
    sides = []
    for p in flagged[:MAX_SHOWN]:
        sa, sb = p.slices if len(p.slices) == 2 else (np.zeros((2, 0), int), np.zeros((2, 0), int))
        sides.append(f'<section class="pair"><h3>{html.escape(p.a)} and {html.escape(p.b)}: {p.similarity:.2f}</h3>'
                     f"<p>{p.share_a:.0%} of {html.escape(p.a)}'s own code is in {html.escape(p.b)}'s, "
                     f"{p.share_b:.0%} of {html.escape(p.b)}'s in {html.escape(p.a)}'s.</p>"
                     f'<div class="sides"><div><h4>{html.escape(p.a)}</h4><pre>{_marked(codes[p.a], sa)}</pre></div>'
                     f'<div><h4>{html.escape(p.b)}</h4><pre>{_marked(codes[p.b], sb)}</pre></div></div></section>')
    more = (f"<p>The {MAX_SHOWN} most similar are shown; the CSV lists all {len(flagged)}.</p>"
            if len(flagged) > MAX_SHOWN else "")
    lists = ""
    if no_code:
        lists += f"<p>No code of their own (blank, or only what was given): {html.escape(', '.join(no_code))}.</p>"
    if unread:
        lists += "<p>Not compared (the notebook could not be read): " + html.escape(
            "; ".join(f"{s} ({why})" for s, why in sorted(unread.items()))) + ".</p>"
    if skipped:
        lists += "<p>Files not compared (as in grading): " + html.escape(
            "; ".join(f"{s.file} ({s.reason})" for s in skipped)) + ".</p>"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(asg)}: similarity</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 2px 8px; }} .sides {{ display: flex; gap: 1em; }}
.sides > div {{ flex: 1; min-width: 0; }} pre {{ background: #f6f6f6; padding: 8px; overflow-x: auto; }}
mark {{ background: #ffd27f; }}
</style></head><body>
<h1>{html.escape(asg)}: similarity of the students' answer code</h1>
<p>{len(codes)} students, {len(pairs)} pairs, compared in {seconds:.1f} s with copydetect (winnowing on normalised
tokens: names, comments and spacing do not count). The starter code and the course's reference answers are
boilerplate. A pair is flagged when at least {threshold:.0%} of one student's own code is found in the other's and
they share at least {min_shared} normalised characters. <strong>A flag is a reason for a human to look; it changes
no score.</strong></p>
{lists}
<h2>Flagged pairs ({len(flagged)})</h2>
{more}{''.join(sides) or '<p>None.</p>'}
<h2>The most similar pairs</h2>
<table><tr><th>student a</th><th>student b</th><th>similarity</th><th>share of a</th><th>share of b</th>
<th>characters shared</th><th></th></tr>{rows}</table>
<p>Every pair is in {html.escape(asg)}-similarity.csv.</p>
</body></html>
"""

"""How long `python -m course similarity` takes for a large class: N synthetic submissions of one notebook.

    .venv/bin/python benchmarks/similarity.py [--students 300] [--assignment 01_convolution] [--copies 10]

Each synthetic student answers every exercise with one of the course's answers of it (the reference, an
alternative or a planted bug from tests/mutations/, or nothing), each disguised on its own (renamed
variables, rewritten comments, other spacing), so the class has many near-duplicates, as a real class
of hundreds does; ``--copies`` of them are disguised copies of another student's whole notebook.  The
script writes the class into a temporary copy of the course, runs the command as an instructor would and
prints its wall time and the pairs it compared and flagged.  Nothing is written into this repository.
"""
from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402

from course.cells import answer_cells  # noqa: E402
from course.instructor.build import filled_release  # noqa: E402
from course.instructor.nbgrader_tools import scratch_course  # noqa: E402
from course.runner import tool_env  # noqa: E402
from harness import disguise, mutation_data  # noqa: E402


def synthetic_class(asg, n, copies, seed=0):
    """``({student: notebook}, {copier: original})``: n students, ``copies`` of them disguised copies of another."""
    rng = random.Random(seed)
    data = mutation_data(asg)
    reference = answer_cells(filled_release(asg, root=ROOT), asg)
    release = nbformat.read(ROOT / "release" / asg / f"{asg}.ipynb", as_version=4)
    given = {name: cell.source for name, cell in answer_cells(release, asg).items()}
    options = {name: [reference[name].source, given[name]] + list(data.CORRECT.get(name, {}).values())
               + list(data.WRONG.get(name, {}).values()) for name in given}
    out = {}
    for i in range(n - copies):
        picks = {name: rng.choice(variants) for name, variants in options.items()}
        answers = {name: code if code == given[name] else disguise(code, seed=rng.randrange(10 ** 6))
                   for name, code in picks.items()}
        out[f"s{i:03d}"] = answers
    copied = {}
    for j in range(copies):
        copied[f"c{j:03d}"] = original = f"s{rng.randrange(n - copies):03d}"
        out[f"c{j:03d}"] = {name: disguise(code, seed=10 ** 6 + j) for name, code in out[original].items()}
    return {student: filled_release(asg, answers, ROOT) for student, answers in out.items()}, copied


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--assignment", default="01_convolution")
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args(argv)
    asg = args.assignment
    with tempfile.TemporaryDirectory(prefix="similarity-bench-") as tmp:
        tmp = Path(tmp)
        course = scratch_course(tmp / "course", ROOT, [asg], folders=("source", "release"))
        start = time.perf_counter()
        subs, copied = synthetic_class(asg, args.students, args.copies)
        for student, nb in subs.items():
            dest = tmp / "submitted" / student / asg / f"{asg}.ipynb"
            dest.parent.mkdir(parents=True)
            nbformat.write(nb, dest)
        print(f"wrote {len(subs)} submissions of {asg} in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "course", "similarity", asg, "--submissions",
                               str(tmp / "submitted"), "--course-dir", str(course)],
                              capture_output=True, text=True, env=tool_env())
        wall = time.perf_counter() - start
        print("\n".join(line for line in proc.stdout.splitlines() if not line.startswith("  ")))
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode
        with open(course / "autograded" / f"{asg}-similarity.csv", newline="") as f:
            flagged = {frozenset((r["student_a"], r["student_b"])) for r in csv.DictReader(f) if r["flagged"] == "1"}
        found = sum(frozenset(pair) in flagged for pair in copied.items())
        print(f"planted copies flagged against their original: {found} of {len(copied)}")
        print(f"python -m course similarity: {wall:.1f} s wall for {len(subs)} students "
              f"({len(subs) * (len(subs) - 1) // 2} pairs), Python start and imports included")
    return 0


if __name__ == "__main__":
    sys.exit(main())

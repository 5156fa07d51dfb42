"""nbgrader configuration: the repository root is the course directory.

Every choice here is about grading what the course spec means, no more and no less.
"""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "modern-cnns"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Only notebooks are assignment files; checkpoints, data and plots never are.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data",
                            "checkpoints", "*.pt", "*.png"]

# The kernel is pinned: a student who edits the notebook's kernelspec still
# runs under the course's Python (OverwriteKernelspec also restores the metadata).
c.Execute.kernel_name = "python3"
# A per-cell limit (seconds).  Quick mode keeps every cell far below it.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# A test cell scores 0 when it writes anything to stderr.  Our tests signal a
# failure only by raising, so warnings, tqdm progress bars and logging on
# stderr must never cost points: drop every stderr stream before scoring.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"

# A deleted or edited test cell is restored from the instructor's copy.
c.OverwriteCells.add_missing_cells = True

# What students see in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE: replace this line with your implementation.\n"
              "raise NotImplementedError(\"not implemented yet: write this answer, then run the tests below\")"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE (double-click to edit)"

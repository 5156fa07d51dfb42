"""The instructor's tools: never shipped to students (the student bundle leaves this package out).

One module per stage, as nbgrader's own package does:

* ``cli``            the instructor's commands of ``python -m course``
* ``nbgrader_tools`` running nbgrader, and a scratch copy of the course for it
* ``build``          ``build``: release/ (nbgrader) and solutions/ (executed)
* ``check``          ``check``: lint, leak scan, drift
* ``bundle``         ``bundle``: the student bundle and its leak scan
* ``demo``           ``demo``: build and grade a synthetic class (the README's main job)
* grading, by stage: ``intake`` (collect and sanitize submissions), ``sandbox``
  (isolation), ``scoring`` (scores and the gradebook), ``feedback`` (feedback
  pages and the class report), and ``grade``, which runs them in order.
"""


class CheckFailed(Exception):
    """The repository (or a grading run) is not in a state to go on; the message lists every problem."""


class CannotGrade(RuntimeError):
    """Grading cannot start: the sandbox or the gradebook is not usable.  Nothing was graded or written."""

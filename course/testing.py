"""Helpers for the notebooks' test cells (introduced in 01_convolution).

A test cell is a list of checks (:class:`Checks`): each has a description,
points and a hint, all of them run, and the cell prints a checklist.  Under
nbgrader's autograding the cell's value is the points earned (partial credit);
anywhere else the cell raises after the checklist when a check failed.

The comparison helpers work with any way of writing a network (``nn.Sequential``, a class with
any attribute names, nested blocks), because they look at what the network
*does* (forward hooks, call order) rather than how it is spelled, and every
failure says what to fix.
"""
from __future__ import annotations

import contextlib
import os
import pkgutil
from dataclasses import dataclass
from unittest import mock

import torch

from .cells import CHECKS_MIME


def num_params(net):
    """Total number of parameters (weights and biases) of ``net``."""
    return sum(p.numel() for p in net.parameters())


def leaf_calls(net, *inputs):
    """Run ``net`` once and return ``[(name, module, output), ...]`` for every leaf module call, in order.

    A leaf is a module with no children (``nn.Conv2d``, ``nn.ReLU``, ...);
    ``name`` is its name in ``net.named_modules()``.  Works with any container.
    """
    names = {m: n for n, m in net.named_modules()}
    calls, handles = [], []

    def hook(module, args, output):
        calls.append((names.get(module, type(module).__name__), module, output))

    for m in net.modules():
        if not list(m.children()):
            handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            net(*inputs)
    finally:
        for h in handles:
            h.remove()
    return calls


def layer_shapes(net, X, types=None):
    """Output shapes (without the batch dimension) of the leaf layers of ``net`` on ``X``, in call order.

    ``types`` keeps only layers of those classes, e.g. ``(nn.Conv2d, nn.Linear)``.
    """
    return [tuple(out.shape[1:]) for _, m, out in leaf_calls(net, X)
            if isinstance(out, torch.Tensor) and (types is None or isinstance(m, types))]


def check_shape(actual, expected, what, hint=""):
    """Assert a tensor (or shape) has shape ``expected``; the message names ``what`` and a ``hint``."""
    shape = tuple(actual.shape) if hasattr(actual, "shape") else tuple(actual)
    expected = tuple(expected)
    assert shape == expected, f"expected {what} to have shape {expected}, got {shape}" + (f": {hint}" if hint else "")


def check_close(actual, expected, what, atol=1e-5, rtol=1.3e-6, hint=""):
    """``torch.testing.assert_close`` with a message that says what was compared and what to check.

    Shapes must match first; dtypes may differ (both are compared in float64).
    """
    assert isinstance(actual, torch.Tensor), f"{what} should be a torch.Tensor, got {type(actual).__name__}"
    expected = torch.as_tensor(expected)
    check_shape(actual, expected.shape, what, hint)
    try:
        torch.testing.assert_close(actual.detach().double().cpu(), expected.detach().double().cpu(),
                                   atol=atol, rtol=rtol)
    except AssertionError as err:
        detail = str(err).strip().splitlines()
        raise AssertionError(f"{what} is wrong (tolerance atol={atol}, rtol={rtol}). "
                             + (hint + ". " if hint else "") + " ".join(detail[:3])) from None


def check_equal(actual, expected, what, hint=""):
    """Assert ``actual == expected`` for plain Python values, with an actionable message."""
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}" + (f": {hint}" if hint else "")


def check_param_count(net, expected, what="the network", hint=""):
    """Assert ``net`` has exactly ``expected`` parameters."""
    n = num_params(net)
    assert n == expected, (f"expected {what} to have {expected:,} parameters, got {n:,} "
                           f"({n - expected:+,})" + (f": {hint}" if hint else ""))


def check_gradcheck(fn, inputs, what, hint=""):
    """``torch.autograd.gradcheck(fn, inputs)``, and first that the output depends on the inputs through autograd.

    gradcheck alone passes a function whose output is a constant (its numerical
    and analytical gradients are then both zero), so a hard-coded answer would
    pass it; ``inputs`` are float64 tensors with ``requires_grad=True``.
    """
    tail = f": {hint}" if hint else ""
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    assert any(isinstance(o, torch.Tensor) and o.requires_grad for o in outs), \
        f"{what}: the output does not depend on the inputs through autograd{tail}"
    try:
        ok = torch.autograd.gradcheck(fn, tuple(inputs))
    except Exception as err:  # noqa: BLE001 - GradcheckError, or the function failing on perturbed inputs
        raise AssertionError(f"{what}: gradcheck failed: {str(err).splitlines()[0]}{tail}") from None
    assert ok, f"{what}: gradcheck failed{tail}"


@contextlib.contextmanager
def forbid(*dotted_names, reason="this exercise asks you to write it yourself"):
    """Make the named built-ins raise while the block runs, then restore them.

    ``with forbid("torch.nn.functional.conv2d", "torch.conv2d"): corr2d(X, K)``
    fails with a clear message if ``corr2d`` calls either function (``F.conv2d``
    included, since ``F`` is ``torch.nn.functional``).  Names are resolved with
    :func:`pkgutil.resolve_name` (an unknown name fails at once) and replaced
    with :func:`unittest.mock.patch`, which restores them however the block ends.
    """
    def make_raiser(name):
        def raiser(*args, **kwargs):
            raise AssertionError(f"{name} is disabled in this test: {reason}")
        return raiser

    with contextlib.ExitStack() as stack:
        for name in dotted_names:
            pkgutil.resolve_name(name)
            stack.enter_context(mock.patch(name, new=make_raiser(name)))
        yield


def copy_weights(src, dst, *inputs):
    """Copy the parameters and buffers of ``src`` into ``dst``, layer by layer in forward order.

    Both networks are run once on ``inputs``; the leaf layers that hold
    parameters or buffers are paired in the order they are called, so ``dst``
    may use any container and any attribute names.  Fails with a message when
    the layers do not correspond (a layer missing, another type, other shapes).
    """
    def stateful(net):
        seen, out = set(), []
        for name, m, _ in leaf_calls(net, *inputs):
            if id(m) not in seen and (list(m.parameters(recurse=False)) or list(m.buffers(recurse=False))):
                seen.add(id(m))
                out.append((name, m))
        return out

    a, b = stateful(src), stateful(dst)
    assert len(a) == len(b), (f"expected {len(a)} layers with weights, in this order: "
                              f"{[type(m).__name__ for _, m in a]}; your network has {len(b)}: "
                              f"{[type(m).__name__ for _, m in b]}")
    for (na, ma), (nb, mb) in zip(a, b):
        sa, sb = ma.state_dict(), mb.state_dict()
        assert type(ma) is type(mb) or {k: v.shape for k, v in sa.items()} == {k: v.shape for k, v in sb.items()}, (
            f"layer '{nb}' is a {type(mb).__name__}, but a {type(ma).__name__} was expected at that point")
        shapes_a = [tuple(v.shape) for v in sa.values()]
        shapes_b = [tuple(v.shape) for v in sb.values()]
        assert shapes_a == shapes_b, (f"layer '{nb}' ({type(mb).__name__}) holds tensors of shapes {shapes_b}, "
                                      f"expected {shapes_a}")
        with torch.no_grad():
            for va, vb in zip(sa.values(), sb.values()):
                vb.copy_(va)
    return dst


@contextlib.contextmanager
def _swapped(namespace, values):
    """Set ``values`` in the dict ``namespace`` for the block, then put back exactly what was there."""
    missing = object()
    old = {k: namespace.get(k, missing) for k in values} if values else {}
    try:
        if values:
            namespace.update(values)
        yield
    finally:
        for k, v in old.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v


@dataclass
class Check:
    """One check of a test cell: what it checks, its points, a hint, and whether students see its code."""
    description: str
    points: float
    hint: str
    hidden: bool
    fn: object
    passed: bool | None = None
    message: str = ""


class Checks:
    """The checks of one test cell; every check runs, and :meth:`run` prints a checklist.

    ::

        checks = Checks("corr2d")

        @checks.visible("the worked example gives [[19, 25], [37, 43]]", points=1, hint="slide K over X")
        def _():
            check_close(corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]), "corr2d(X, K)")

        checks.run()

    ``run()`` is the cell's last line.  Under autograding
    (``NBGRADER_EXECUTION=autograde``) its value is the points earned, which
    nbgrader records as the cell's partial credit; interactively and under
    validation it raises ``AssertionError`` after the checklist when any check
    failed, naming each failed check with its message.  A check that raises anything counts as failed with that error's
    message, and never stops the others.  Hidden checks (``@checks.hidden``,
    inside the hidden-tests block) exist only in the instructor's copy; the
    feedback page shows their description and hint, never their code.
    """

    def __init__(self, exercise):
        self.exercise = exercise
        self.checks = []
        self._namespace, self._stand_ins = None, {}

    def use_reference(self, namespace, **stand_ins):
        """While the checks run, replace these names in ``namespace`` (the notebook's ``globals()``) by the
        course's reference versions, so an exercise built on an earlier one is not charged for the earlier
        one's bugs; the student's own versions are restored afterwards.  Called in the hidden block."""
        self._namespace, self._stand_ins = namespace, dict(stand_ins)

    def _add(self, description, points, hint, hidden):
        def register(fn):
            self.checks.append(Check(description, float(points), hint, hidden, fn))
            return fn
        return register

    def visible(self, description, points=1, hint=""):
        """Register a check that students see and run themselves (a decorator)."""
        return self._add(description, points, hint, False)

    def hidden(self, description, points=1, hint=""):
        """Register a check that runs only in the instructor's copy, at grading (a decorator)."""
        return self._add(description, points, hint, True)

    def run(self):
        """Run every check, print the checklist; return the points earned under autograding, else raise on a failure."""
        with _swapped(self._namespace, self._stand_ins):
            for c in self.checks:
                try:
                    c.fn()
                    c.passed, c.message = True, ""
                except Exception as err:  # noqa: BLE001 - a crashing check is a failed check, with its error
                    c.passed = False
                    c.message = str(err) if isinstance(err, AssertionError) else f"{type(err).__name__}: {err}"
        print(self.checklist())
        earned = sum(c.points for c in self.checks if c.passed)
        if os.environ.get("NBGRADER_EXECUTION") == "autograde":
            self._record()
            return float(earned)
        failed = [c for c in self.checks if not c.passed]
        if failed:
            # nbgrader's Validate dialog shows the error, not the printed checklist: say why each one failed.
            raise AssertionError(f"{len(failed)} of {len(self.checks)} checks of {self.exercise} failed: "
                                 + "; ".join(c.description for c in failed)
                                 + "".join(f"\n  ✗ {c.description}: {c.message}" for c in failed))
        return None

    def _record(self):
        """Under autograding, also emit the results as data (:data:`CHECKS_MIME`), for the class report's
        per-check pass rates; the grader cross-checks them against the cell's score."""
        try:
            from IPython.display import display
        except ImportError:  # not in a kernel: nothing to record into
            return
        record = {"exercise": self.exercise,
                  "checks": [{"description": c.description, "points": c.points, "passed": bool(c.passed),
                              "hidden": c.hidden} for c in self.checks]}
        display({CHECKS_MIME: record, "text/plain": ""}, raw=True)

    def checklist(self):
        """The checklist: one line per check (✓ or ✗, points, description), and for a ✗ its message and hint."""
        earned = sum(c.points for c in self.checks if c.passed)
        total = sum(c.points for c in self.checks)
        ok = sum(1 for c in self.checks if c.passed)
        lines = [f"{self.exercise}: {ok} of {len(self.checks)} checks passed ({earned:g}/{total:g} points)"]
        for c in self.checks:
            mark = "✓" if c.passed else "✗"
            lines.append(f"  {mark} [{c.points:g}] {c.description}" + (" (hidden)" if c.hidden else ""))
            if not c.passed:
                if c.message:
                    lines.append(f"      {c.message}")
                if c.hint:
                    lines.append(f"      hint: {c.hint}")
        if self._stand_ins:
            lines.append(f"  (checked with the course's own {', '.join(sorted(self._stand_ins))}, "
                         "so a bug there is not charged twice)")
        if not any(c.hidden for c in self.checks):
            lines.append("  (more checks run when the notebook is graded)")
        return "\n".join(lines)


__all__ = ["CHECKS_MIME", "Check", "Checks", "num_params", "leaf_calls", "layer_shapes", "check_shape", "check_close", "check_equal",
           "check_param_count", "check_gradcheck", "forbid", "copy_weights"]

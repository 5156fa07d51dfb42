"""Answers handed out: an exercise's solution, in any formatting, as code in another released notebook.

A later notebook often gives an earlier answer as code to build on (d2l's 02 gives
01's ``corr2d``; our 06 gives 05's LeNet for a comparison).  That is fine once the
earlier exercise is due, so the bundle names each such notebook.  Code is
compared as Python syntax trees after normalisation, so layout, comments,
docstrings, names of local variables, keyword versus positional arguments of
``torch.nn`` layers and arguments left at their defaults do not hide an answer:

* a parameter with a constant default stands for that default
  (``alexnet(in_channels=1)`` builds what ``nn.Conv2d(1, ...)`` builds);
* other local names are numbered in order of appearance;
* a call ``nn.Layer(...)`` is bound to the layer's signature, and arguments
  equal to its defaults are dropped (``nn.Dropout(0.5) == nn.Dropout(p=0.5)``).

A solution matches a function or class of another notebook with the same
normalised body, or, for a function that only returns an expression
(``return nn.Sequential(...)``), any expression equal to it.
"""
from __future__ import annotations

import ast
import copy
import inspect
from functools import lru_cache

from ..cells import parse_cell

MIN_NODES = 40  # smaller solutions are idioms (``return X.sum()``), not answers


@lru_cache(maxsize=None)
def _layer_signature(name):
    """The ``inspect.Signature`` of ``torch.nn.<name>``'s constructor (without ``self``), or None."""
    from torch import nn
    cls = getattr(nn, name, None)
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        return None
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    return sig.replace(parameters=list(sig.parameters.values())[1:])


def _constant(node):
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant))


def _value(node):
    return ast.literal_eval(node) if _constant(node) else node


class _Normalise(ast.NodeTransformer):
    """Rewrite one function (or a module's top level) into its normal form; see the module's docstring."""

    def __init__(self, defaults=None, local=()):
        self.defaults = defaults or {}
        self.names = {n: f"_v{i}" for i, n in enumerate(local)}

    def visit_Name(self, node):
        if node.id in self.defaults and isinstance(node.ctx, ast.Load):
            return copy.copy(self.defaults[node.id])
        if node.id in self.names:
            return ast.Name(id=self.names[node.id], ctx=node.ctx)
        return node

    def visit_arg(self, node):
        node.arg = self.names.get(node.arg, node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node):
        node.name = self.names.get(node.name, node.name)
        node.body = _without_docstring(node.body)
        node.decorator_list, node.returns = [], None
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        node.body = _without_docstring(node.body)
        self.generic_visit(node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "nn"):
            return node
        sig = _layer_signature(f.attr)
        if sig is None or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return node
        try:
            bound = sig.bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError:
            return node
        args, keywords = [], []
        for name, value in sorted(bound.arguments.items()):
            kind, default = sig.parameters[name].kind, sig.parameters[name].default
            if kind is inspect.Parameter.VAR_POSITIONAL:      # nn.Sequential(*layers): the layers, in order
                args = list(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                keywords += [ast.keyword(arg=k, value=v) for k, v in sorted(value.items())]
            elif not (_constant(value) and default is not inspect.Parameter.empty and _value(value) == default):
                keywords.append(ast.keyword(arg=name, value=value))
        return ast.Call(func=f, args=args, keywords=keywords)


def _without_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body or [ast.Pass()]


def _locals(fn):
    """The names a function binds (its parameters, assignments, loop variables, inner functions), in order."""
    seen = []
    for node in ast.walk(fn):
        name = (node.arg if isinstance(node, ast.arg)
                else node.id if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
                else node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not fn
                else None)
        if name and name not in seen:
            seen.append(name)
    return seen


def normalise_function(fn):
    """The normal form of a function or class definition: its normalised body."""
    fn = copy.deepcopy(fn)
    defaults = {}
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = fn.args
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        defaults = {a.arg: d for a, d in pairs if _constant(d)}
        local = [n for n in _locals(fn) if n not in defaults]
    else:
        local = []
    norm = _Normalise(defaults, local)
    body = [norm.visit(stmt) for stmt in _without_docstring(fn.body)]
    return ast.Module(body=body, type_ignores=[])


def _dump(node):
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def _size(node):
    return sum(1 for _ in ast.walk(node))


def solution_forms(code):
    """``{name: (body form, returned-expression form or None)}`` for each top-level def/class of a solution."""
    tree = parse_cell(code)
    out = {}
    for node in tree.body if tree else []:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = normalise_function(node)
            if _size(body) < MIN_NODES:
                continue
            stmts = body.body
            returned = stmts[0].value if len(stmts) == 1 and isinstance(stmts[0], ast.Return) and stmts[0].value else None
            out[node.name] = (_dump(body), _dump(returned) if returned is not None else None)
    return out


def code_forms(code):
    """``(body forms, expression forms)`` of a notebook cell: each def/class (at any depth), each large call."""
    tree = parse_cell(code)
    bodies, exprs = {}, {}
    if tree is None:
        return bodies, exprs
    units = [(n.name, normalise_function(n)) for n in ast.walk(tree)
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    units.append((None, _Normalise().visit(copy.deepcopy(tree))))   # the cell's top level, as written
    for name, norm in units:
        if name is not None:
            bodies.setdefault(_dump(norm), name)
        for node in ast.walk(norm):
            if isinstance(node, ast.Call) and _size(node) >= MIN_NODES:
                exprs.setdefault(_dump(node), name)
    return bodies, exprs


def find_handouts(solutions, notebooks):
    """Where a solution appears in a notebook (its own one included: the caller decides what that means).

    ``solutions``: ``{(asg, grade_id): code}`` of the answer cells, in course order; ``notebooks``: ``{asg: [cell sources]}``.
    Returns sorted ``(asg where found, how it was found, solution's asg, grade_id, solution's def name)``, where
    how is ``"as f()"`` (a definition with the same body), ``"in f()"`` or ``"at a cell's top level"`` (the
    expression a solution returns).
    """
    forms, owned = {}, set()
    for key, code in solutions.items():   # in course order: an answer pasted again later (13's zoo) stays its first owner's
        forms[key] = {name: f for name, f in solution_forms(code).items() if name not in owned}
        owned.update(forms[key])
    found = set()
    for where, cells in notebooks.items():
        for source in cells:
            bodies, exprs = code_forms(source)
            for (asg, gid), defs in forms.items():
                for name, (body, returned) in defs.items():
                    if body in bodies:
                        found.add((where, f"as {bodies[body]}()", asg, gid, name))
                    elif returned is not None and returned in exprs:
                        found.add((where, f"in {exprs[returned]}()" if exprs[returned] else "at a cell's top level",
                                   asg, gid, name))
    return sorted(found)

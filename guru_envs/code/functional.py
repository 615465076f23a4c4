"""Functional tests (Python assert code, GURU's ``{"functional": ...}``) without trusting the submission.

GURU runs ``solution + "\\n" + tests`` as one file and calls exit status 0 a pass, so ``os._exit(0)``
before the tests, an ``atexit`` hook that exits 0, a redefined test helper or an object whose ``__eq__``
always says True all pass. Here the test code and the submission never share a process:

- when every assert is a call on literals compared with a literal (:func:`literal_calls`), the asserts
  become call-based sandbox tests: the calls of one check, so they run one after another in one
  process, as the check would (each call gets its arguments only when it starts); a verdict each,
  compared in the scorer;
- otherwise a trusted **checker** process (a :class:`guru_envs.sandbox.CheckTest`) runs an optional
  trusted prelude (a dataset's imports and helper classes, or HumanEval's prompt and canonical
  solution) and then the test code, in which the names the tests expect from the submission are
  remote stand-ins (``_checker_runtime.py``); the **submission** runs the model's code (after the same
  trusted prefix) plus a shim (``_submission_shim.py``) that answers the checker with plain data.

Both runtime files ship with the package. They go to the sandbox as bytecode (``marshal``) when it runs
this same Python version, which saves compiling them for every check (about 3 ms), with their source
as the fallback.
"""

from __future__ import annotations

import ast
import base64
import builtins
import functools
import marshal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guru_envs.code.verifier import CHECK_LIMITS, DATASET_LIMITS, Suite, clip, show_value
from guru_envs.sandbox import CallTest, CheckTest, Limits

_HERE = Path(__file__).resolve().parent
REMOTE_ENTRY = "__guru_remote__"
CHECK_FN = "__guru_check__"


def _free_names(tree: ast.AST) -> tuple[str, ...]:
    """Names the code reads but binds nowhere (a safe over-approximation of its free names)."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    return tuple(sorted(loaded - bound))


def _shadowed(name: str) -> bool:
    """Whether ``name`` is a builtin's or a standard module's (the checker binds those to the real ones)."""
    return hasattr(builtins, name) or name in sys.stdlib_module_names


def _tested_shadowing_names(tree: ast.AST, free: set[str], trusted: set[str]) -> tuple[str, ...]:
    """Builtin- or module-named functions the asserts test: the submission's, not Python's.

    A row may test a function called ``max``, ``abs`` or ``array``: GURU runs the solution and the tests
    in one file, where the solution's definition shadows Python's. The checker binds builtins and standard
    modules to the real ones (a submission must not redefine the tests' ``all``), so such a row would test
    Python's ``max`` and pay any program. The function under test is the innermost call on the tested
    side of an assert, called on data (literals, or a row of inputs unpacked): the left operand of a
    comparison (``assert abs(-5) == 5``), or the first argument of a comparison helper the tests or prelude
    define (``assert _deep_eq(max(*i), o[0])``). A builtin applied to anything else (``sorted(f(x))``,
    ``len(result)``) is a helper, not the subject; so is the top call of a truthiness assert (``all(..)``). A standard module's name that is
    called (``array('1,2')``) is a function too: modules are not callable. Names the trusted prelude
    binds (``from datetime import datetime``) are the prelude's.
    """
    helpers = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    helpers |= trusted
    free = free - trusted

    def is_data(arg: ast.expr) -> bool:  # a literal, or a row of inputs unpacked (``*i``)
        if isinstance(arg, ast.Starred):
            return isinstance(arg.value, ast.Name)
        try:
            ast.literal_eval(arg)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
        return True

    tested: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in free and name in sys.stdlib_module_names and not hasattr(builtins, name):
                tested.add(name)
        if not isinstance(node, ast.Assert):
            continue
        test = node.test
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test = test.operand
        if isinstance(test, ast.Compare):
            subject = test.left
        elif (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Name)
            and test.func.id in helpers
            and test.args
        ):
            subject = test.args[0]
        else:
            continue
        if (
            isinstance(subject, ast.Call)
            and isinstance(subject.func, ast.Name)
            and subject.func.id in free
            and hasattr(builtins, subject.func.id)
            and all(is_data(a) for a in [*subject.args, *(k.value for k in subject.keywords)])
        ):
            tested.add(subject.func.id)
    return tuple(sorted(tested))


@functools.lru_cache(maxsize=4096)
def tested_shadowing_names(tests: str, prelude: str = "") -> tuple[str, ...]:
    """:func:`_tested_shadowing_names` of dataset test code (``()`` when it does not parse)."""
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    trusted = _defined_names(prelude) if prelude else set()
    if "*" in trusted:  # a star import binds names we cannot list: none is forced
        return ()
    return _tested_shadowing_names(tree, set(_free_names(tree)), trusted)


@functools.lru_cache(maxsize=4096)
def prepare_tests(tests: str) -> tuple[str, tuple[str, ...]]:
    """``(test source, names it reads but never binds)`` for the checker.

    Test code is dataset text, trusted but not ours: it is parsed here and never executed here. Code
    that does not parse is passed on unchanged (the check then fails for every submission alike). Its
    asserts are not rewritten to explain themselves: what a failed check reports must not quote the
    hidden test (see :func:`guru_envs.sandbox.verdicts.check_verdict`).
    """
    try:
        return tests, _free_names(ast.parse(tests))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tests, ()


def _loader(filename: str) -> str:
    """Source that runs ``filename`` (a file of this package) from its bytecode, or its source if need be.

    Bytecode only loads in the same CPython minor version (``cache_tag``); the sandbox may run another
    interpreter, in which case the embedded source is compiled instead.
    """
    source = (_HERE / filename).read_text(encoding="utf-8")
    data = base64.b64encode(marshal.dumps(compile(source, filename, "exec", dont_inherit=True))).decode(
        "ascii"
    )
    tag = sys.implementation.cache_tag
    return (
        "import sys as __guru_sys, marshal as __guru_marshal, binascii as __guru_binascii\n"
        f"exec(__guru_marshal.loads(__guru_binascii.a2b_base64({data!r})) "
        f"if __guru_sys.implementation.cache_tag == {tag!r} else compile({source!r}, {filename!r}, 'exec'))\n"
        "del __guru_sys, __guru_marshal, __guru_binascii\n"
    )


CHECKER_RUNTIME = _loader("_checker_runtime.py")
SUBMISSION_SHIM = _loader("_submission_shim.py")


def checker_code(tests: str, prelude: str = "", forced: Sequence[str] = ()) -> str:
    """The ``check_code`` that runs ``tests`` after ``prelude``, with ``forced`` names always remote.

    Builtin- and module-named functions under test (:func:`tested_shadowing_names`) are forced too: the
    submission must define them.
    """
    source, free = prepare_tests(tests)
    forced = tuple(dict.fromkeys([*forced, *tested_shadowing_names(tests, prelude)]))
    return (
        f"{CHECKER_RUNTIME}\n\n"
        f"def {CHECK_FN}(candidate):\n"
        f"    __guru_run__(candidate, {prelude!r}, {source!r}, {free!r}, {tuple(forced)!r})\n"
    )


def with_shim(program: str) -> str:
    """The submission's program followed by the shim the checker talks to."""
    return f"{program}\n\n\n{SUBMISSION_SHIM}"


# ------------------------------------------------------------------------- literal asserts as calls


@dataclass(frozen=True)
class Expect:
    """What one converted assert requires of the value a call returned (checked in the scorer)."""

    kind: str  # "eq": == value; "is": is value (None/True/False); "truthy"; "falsy"
    value: Any = None

    def matches(self, actual: Any) -> bool:
        """Python's own semantics, applied to the plain data the sandbox sent back."""
        if self.kind == "eq":
            return bool(actual == self.value)
        if self.kind == "is":
            return actual is self.value
        return bool(actual) is (self.kind == "truthy")

    def show(self) -> str:
        """How the expectation reads in feedback."""
        if self.kind in ("eq", "is"):
            return show_value(self.value)
        return "a true value" if self.kind == "truthy" else "a false value"


def _expect_matches(actual: Any, expected: Expect) -> bool:
    return expected.matches(actual)


def _target(func: ast.expr, candidate: str | None) -> str | None:
    """The submission's callable an assert calls: ``f``, ``Solution().m`` or the ``candidate`` parameter."""
    if isinstance(func, ast.Name):
        if func.id == "candidate" or func.id == candidate:
            return candidate
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and not func.value.args
        and not func.value.keywords
    ):
        return f"{func.value.func.id}.{func.attr}"
    return None


def _literal_call(node: ast.expr, candidate: str | None) -> tuple[str, list[Any], dict[str, Any]] | None:
    if not isinstance(node, ast.Call):
        return None
    target = _target(node.func, candidate)
    if target is None or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    if any(k.arg is None for k in node.keywords):
        return None
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return target, args, kwargs


def _literal_assert(node: ast.Assert, candidate: str | None) -> tuple[str, list, dict, Expect] | None | bool:
    """``(target, args, kwargs, expectation)``; True for a no-op ``assert True``; None if not convertible."""
    test = node.test
    if isinstance(test, ast.Constant) and test.value is True:
        return True
    expect: Expect | None = None
    call: ast.expr = test
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        call = test.left
        if isinstance(op, ast.Eq):
            try:
                expect = Expect("eq", ast.literal_eval(right))
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
        elif (
            isinstance(op, ast.Is) and isinstance(right, ast.Constant) and right.value in (None, True, False)
        ):
            expect = Expect("is", right.value)
        else:
            return None
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        call, expect = test.operand, Expect("falsy")
    else:
        expect = Expect("truthy")
    found = _literal_call(call, candidate)
    if found is None or found[0] is None:
        return None
    return (*found, expect)


@functools.lru_cache(maxsize=4096)
def literal_calls(tests: str) -> tuple[tuple[str, tuple, tuple, Expect], ...] | None:
    """The tests as independent calls when every assert is ``f(literals) == literal`` (or ``is``/truthy).

    Accepted: imports and literal assignments (ignored), bare asserts, functions made only of such
    asserts (``def check(candidate)`` or ``def check_f()``), and top-level calls of those functions
    (``check(f)``, ``check(Solution().m)``, ``check_f()``). The asserts then run as call-based tests in
    one process, each with its own verdict, and with the same ``==``, ``is`` and truthiness as Python,
    applied in the scorer to the plain data returned. Anything else returns None (run as a checker).
    """
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    functions: dict[str, ast.FunctionDef] = {}
    out: list[tuple[str, tuple, tuple, Expect]] = []

    def add(asserts: list[ast.stmt], candidate: str | None) -> bool:
        for stmt in asserts:
            if isinstance(stmt, ast.Pass) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            ):
                continue
            if not isinstance(stmt, ast.Assert):
                return False
            found = _literal_assert(stmt, candidate)
            if found is None:
                return False
            if found is True:
                continue
            target, args, kwargs, expect = found
            out.append((target, tuple(args), tuple(sorted(kwargs.items())), expect))
        return True

    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            try:
                ast.literal_eval(stmt.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
            continue
        if isinstance(stmt, ast.FunctionDef):
            params = stmt.args
            if (
                params.posonlyargs
                or params.kwonlyargs
                or params.vararg
                or params.kwarg
                or stmt.decorator_list
            ):
                return None
            if len(params.args) > 1:
                return None
            functions[stmt.name] = stmt
            continue
        if isinstance(stmt, ast.Assert):
            if not add([stmt], None):
                return None
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name)
        ):
            fn = functions.get(stmt.value.func.id)
            call = stmt.value
            if fn is None or call.keywords or len(call.args) != len(fn.args.args):
                return None
            candidate = None
            if call.args:
                candidate = _target(call.args[0], None)
                if candidate is None:
                    return None
                if fn.args.args[0].arg != "candidate":  # keep the parameter name the asserts use
                    return None
            if not add(fn.body, candidate):
                return None
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return None
    if not out:
        return None
    free = set(_free_names(tree))
    for target, *_ in out:  # only the submission's names: not builtins, modules or the tests' own helpers
        root = target.split(".")[0]
        if root not in free or hasattr(builtins, root) or root in sys.stdlib_module_names:
            return None
    return tuple(out)


def _star_names(module: str) -> set[str]:
    """Names ``from module import *`` binds, or ``{"*"}`` (unknown) for a module not imported here.

    Only modules this process has already imported are looked at: nothing is imported on behalf of
    dataset text.
    """
    mod = sys.modules.get(module)
    if mod is None:
        return {"*"}
    exported = getattr(mod, "__all__", None)
    if exported is None:
        exported = [n for n in vars(mod) if not n.startswith("_")]
    return {str(n) for n in exported}


@functools.lru_cache(maxsize=1024)
def _defined_names(code: str) -> frozenset[str]:
    """Top-level names trusted code defines (a prelude's helpers), or every name if it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset({"*"})
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            names.update(_star_names(stmt.module or ""))
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        else:
            names.update(
                n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
    return frozenset(names)


def _call_text(target: str, args: tuple, kwargs: tuple) -> str:
    parts = [show_value(a) for a in args] + [f"{k}={show_value(v)}" for k, v in kwargs]
    return clip(f"{target.rsplit('.', 1)[-1]}({', '.join(parts)})")


# ----------------------------------------------------------------------------------------- suites


def functional_suite(
    tests: str,
    prelude: str = "",
    prefix: str = "",
    forced: Sequence[str] = (),
    limits: Limits = CHECK_LIMITS,
    call_limits: Limits = DATASET_LIMITS,
) -> Suite:
    """The suite that runs assert-style ``tests`` against the submission.

    When every assert is a literal call comparison (:func:`literal_calls`), the asserts become
    call-based tests: one process, a verdict per assert, early exit. Otherwise one trusted check runs
    the whole test code (:func:`checker_code`).

    Args:
        tests: Python test code (asserts, ``check(candidate)`` functions and their calls).
        prelude: trusted code the checker runs first (imports, helper classes, HumanEval helpers).
        prefix: trusted code put before the submission's code (imports and classes it may rely on).
        forced: names that always come from the submission even if ``prelude`` defines them too (the
            entry point of a HumanEval problem, whose prompt is in the prelude).
        limits: limits of a whole check (every assert together).
        call_limits: per-call limits when the asserts run as call-based tests.
    """
    calls = literal_calls(tests)
    if calls is not None and prelude:  # a name the trusted prelude defines is not the submission's
        trusted = _defined_names(prelude) - set(forced)
        if "*" in trusted or any(t.split(".")[0] in trusted for t, *_ in calls):
            calls = None
    if calls is not None:
        return Suite(
            io="call",
            tests=[CallTest(t, args, expect, dict(kw)) for t, args, kw, expect in calls],
            shown_inputs=[_call_text(t, args, kw) for t, args, kw, _ in calls],
            shown_expected=[expect.show() for *_, expect in calls],
            compare=_expect_matches,
            limits=call_limits,
            prefix=prefix,
            shared_process=True,  # the asserts of one check: one process, as the check itself would be
        )
    check = CheckTest(
        check_code=checker_code(tests, prelude, forced), entry_point=REMOTE_ENTRY, check_fn=CHECK_FN
    )
    return Suite(
        io="check",
        tests=[check],
        shown_inputs=[""],
        shown_expected=[""],
        compare=None,
        limits=limits,
        prefix=prefix,
    )

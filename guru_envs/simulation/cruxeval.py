"""GURU CRUXEval rows (``simulation__cruxeval-o*``, ``simulation__cruxeval-i*``): complete ``assert f(...) == ...``.

Description:
    Verifier for the CRUXEval rows of GURU. The prompt shows a short Python function ``f`` and either
    ``assert f(<input>) == ??`` (output prediction, ``cruxeval-o``) or ``assert f(??) == <output>``
    (input prediction, ``cruxeval-i``); the model answers with the completed assertion. This family
    generates nothing.

Ground truth (as GURU stores it):
    JSON text ``{"functional": "<source of f>"}``. GURU's scorer appends the model's assertion to that
    source and executes it; the row's ``extra_info.reference`` holds the expected output for
    ``cruxeval-o``. The function source is read from the prompt when ``functional`` does not define ``f``.

Answer format:
    The completed assertion, ``assert f(...) == ...`` (or ``assert ... == f(...)``, which GURU's executed
    assertion pays as well), inside ``[ANSWER]...[/ANSWER]`` or a ```python fenced block (``py``,
    ``python3`` and untagged fences too; after any ``</think>``); a bare ``assert`` line is read too. The
    answer is one claim: every assertion in those blocks must be that same assertion (several different
    ones are several answers), without a message; besides it a block may only restate code (definitions
    and imports, never run here). Any other assertion (``assert f(x) != X``, ``assert not ...``,
    ``assert f(x) in (X, Y)``), any other statement, a ``#`` comment outside the restated code, or a
    literal that repeats a dict key (Python keeps the last value) scores 0.

Scoring:
    The assertion is parsed with :mod:`ast` (never executed in the scorer) and must have the shape
    ``assert f(<literals>) == <literal>``; anything else scores 0. Literals are read by
    :func:`guru_envs.verify.structured.parse_structured`, the parser every structured answer goes through. This closes the holes of executing
    the model's text as GURU does (``assert True``, redefining ``f``, printing, exiting).

    Values are compared as one exact claim (:func:`python_equal`): as Python's ``==`` would judge
    them (so ``(1, 2)`` is not ``[1, 2]``), except that ``True`` is not ``1`` and ``3`` is not ``3.0``,
    which ``==`` conflates but which predict a different value.

    - Output prediction: the call must pass the prompt's input to the same parameters, positionally or
      by keyword (``f(1, b=2)`` is ``f(a=1, b=2)`` for ``def f(a, b)``; omitted literal defaults count
      as given), and the literal must equal the output. The output is the row's reference when
      present; otherwise ``f`` runs on the prompt's input in :mod:`guru_envs.sandbox`.
    - Input prediction: the right-hand side must equal the prompt's target, and ``f`` runs on the
      model's literal arguments (positional or keyword) in :mod:`guru_envs.sandbox` (plain data in,
      plain data out); its result must equal the target. Any input that works scores 1.

Version History:
    v0: initial release.
    v0 (unreleased): keyword-argument calls of output prediction are accepted when they bind to the prompt's
        input; several different assertions, ``True`` for ``1`` and ``3`` for ``3.0`` score 0 (issue 17).
        Repeated dict keys, comments and assertion messages beside the literal, and other assertions or
        statements beside the answer score 0; the reversed assertion ``assert X == f(...)`` is read.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from typing import Any, NamedTuple

from guru_envs.core.family import TaskFamily
from guru_envs.core.task import Task, prompt_from_row
from guru_envs.simulation.execute import run_untrusted
from guru_envs.verify.extract import PYTHON_FENCE_TAGS, all_boxed, code_fences, strip_think
from guru_envs.verify.json_answer import same_value
from guru_envs.verify.score import Score
from guru_envs.verify.structured import (
    AnswerParseError,
    NotOneClaimError,
    has_comment,  # the parser's own comment check
    nesting_depth,
    parse_structured,
)

MAX_ASSERT_CHARS = 20_000
MAX_ASSERT_DEPTH = 60
MAX_REGIONS = 8  # [ANSWER] blocks or fences read; more is several answers
_ASSERT_LINE_RE = re.compile(r"^[ \t]*assert\b.*$", re.MULTILINE)  # every assert line; never across lines


class AssertionShapeError(ValueError):
    """The answer is not ``assert f(<literals>) == <literal>``."""


def python_equal(a: Any, b: Any) -> bool:
    """One exact claim between Python literals: ``b``'s types, exactly (``1`` is not ``1.0`` nor ``True``).

    Stricter than ``==`` (which executing the assertion would use) only where ``==`` conflates types:
    ``True == 1`` and ``3 == 3.0`` hold in Python but predict a different value. Tuples, lists and sets
    stay apart, as ``==`` keeps them.
    """
    return same_value(a, b, python=True)


def _literal(node: ast.AST, source: str) -> Any:
    """The value of the literal ``node`` of ``source``, read by the shared parser with its one-claim checks.

    :func:`guru_envs.verify.structured.parse_structured` refuses a dict display that repeats a key (the
    last would win: ``{'a': 3, 'a': 2}`` says two things) and a ``#`` comment inside a literal written over
    several lines. The node's text is parenthesized, so it is read as the Python literal it is (never as
    JSON) and may span lines.
    """
    segment = ast.get_source_segment(source, node)
    if segment is None:
        raise AssertionShapeError(f"not a literal: {ast.unparse(node)[:80]}")
    try:
        return parse_structured(
            f"({segment})", max_chars=MAX_ASSERT_CHARS + 2, max_depth=MAX_ASSERT_DEPTH + 1
        )
    except NotOneClaimError as exc:
        raise AssertionShapeError(str(exc)) from None
    except AnswerParseError:
        raise AssertionShapeError(f"not a literal: {ast.unparse(node)[:80]}") from None


def _parse(text: str) -> ast.Module | None:
    with warnings.catch_warnings():  # "invalid decimal literal" and the like are about model text
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # invalid escapes in string literals (3.11)
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None


class _Claim(NamedTuple):
    """One ``assert f(...) == X`` (or ``assert X == f(...)``): the call, the asserted value, their source."""

    call: ast.Call
    expected: ast.expr
    source: str

    def text(self) -> str:
        return f"assert {ast.unparse(self.call)} == {ast.unparse(self.expected)}"


def _calls_f(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "f"


def _claim(node: ast.Assert, source: str) -> _Claim:
    """The claim of an assertion, which must be ``f(...) == X`` either way round and carry no message.

    Why: the answer is one claim. ``assert f(x) != X``, ``assert not f(x) == X``, ``assert f(x) in (X, Y)``
    beside it say something else, and a message (``assert f(x) == X, 'or Y'``) is text beside the literal.
    """
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        left, right = test.left, test.comparators[0]
        pair = (left, right) if _calls_f(left) else (right, left) if _calls_f(right) else None
        if pair is not None:
            if node.msg is not None:
                raise AssertionShapeError("an assertion message beside the literal: an answer is one claim")
            return _Claim(pair[0], pair[1], source)
    raise AssertionShapeError(
        f"an assertion besides assert f(...) == ...: {ast.unparse(node)[:80]} (an answer is one claim)"
    )


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def _region_claims(region: str, allowed: frozenset[str], block: bool) -> list[_Claim]:
    """The claims of one answer region: of the whole when it parses, else of its ``assert`` lines.

    Besides its assertions a region that parses may restate code (definitions and imports, never run
    here; an assertion inside them must be one of the function's own, ``allowed``); any other statement,
    or a ``#`` comment outside the definitions, makes the answer more than one claim. Text that does not
    parse (prose around the answer) is read line by line: every ``assert`` line that parses must be the
    claim, with no comment or other statement beside it. A ``block`` (fence or [ANSWER] tags) that does
    not parse gives no claim when no assertion line in it parses (a copy of the prompt's ``== ??``), and
    scores 0 when one does: what else it says could not be checked (GURU's executor fails it too).
    """
    tree = _parse(region)
    claims: list[_Claim] = []
    if tree is None:
        for line in _ASSERT_LINE_RE.findall(region):
            source = line.strip()
            parsed = _parse(source)
            if parsed is None:
                continue
            for statement in parsed.body:
                if not isinstance(statement, ast.Assert):
                    raise AssertionShapeError("a statement beside the assertion: an answer is one claim")
                claims.append(_claim(statement, source))
            if "#" in source and has_comment(source):
                raise AssertionShapeError("a comment beside the assertion: an answer is one claim")
        if block and claims:
            raise AssertionShapeError(
                "the answer block is not Python: its assertion is not one checked claim"
            )
        return claims
    restated: set[int] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assert):
            claims.append(_claim(statement, region))
        elif isinstance(statement, _DEFINITIONS):
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Assert) and ast.unparse(inner) not in allowed:
                    raise AssertionShapeError("an assertion inside restated code: an answer is one claim")
            first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
            restated.update(range(first, (statement.end_lineno or statement.lineno) + 1))
        else:
            raise AssertionShapeError(
                f"a statement beside the assertion: {ast.unparse(statement)[:80]} (an answer is one claim)"
            )
    if "#" in region:
        lines = region.splitlines()
        outside = "\n".join("" if n in restated else line for n, line in enumerate(lines, 1))
        if has_comment(outside):
            raise AssertionShapeError("a comment beside the assertion: an answer is one claim")
    return claims


def _own_assertions(code: str) -> frozenset[str]:
    tree = _parse(code) if code else None
    if tree is None:
        return frozenset()
    return frozenset(ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Assert))


def parse_assertion(
    text: str | list[str], code: str = "", *, blocks: bool = False
) -> tuple[list[Any], dict[str, Any], Any, str]:
    """(positional args, keyword args, expected literal, normalised text) of ``assert f(...) == X``.

    ``text`` is one answer region or several. The answer is one claim: every assertion found must be
    ``assert f(...) == X`` (or ``assert X == f(...)``), all the same one, without a message; besides them a
    region may only restate code (``code``'s own assertions may appear inside it), with no comment
    outside it. Only literals are read, and a literal that repeats a dict key is refused. With ``blocks``
    (the regions are fences or [ANSWER] blocks), a region that holds an assertion must parse as a whole.

    Raises:
        AssertionShapeError: when there is no such assertion, several different ones, anything else
            beside it, or a part is not a literal.
    """
    regions = [text] if isinstance(text, str) else text
    if len(regions) > 1 and sum(map(len, regions)) > MAX_ASSERT_CHARS:
        raise AssertionShapeError(f"several answers: {len(regions)} answer blocks, too long together")
    allowed = _own_assertions(code)
    candidates: list[_Claim] = []
    for region in regions:
        if len(region) > MAX_ASSERT_CHARS:
            raise AssertionShapeError(f"answer longer than {MAX_ASSERT_CHARS} characters")
        if nesting_depth(region) > MAX_ASSERT_DEPTH:
            raise AssertionShapeError("answer nests too deeply")
        candidates += _region_claims(region, allowed, blocks)
    if not candidates:
        raise AssertionShapeError("no assertion of the form assert f(...) == ... found")
    written = {c.text() for c in candidates}
    if len(written) > 1:
        raise AssertionShapeError(f"several different assertions ({len(written)}): give one answer")
    claim = candidates[-1]
    call = claim.call
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise AssertionShapeError("starred arguments are not literals")
    names = [k.arg for k in call.keywords]
    if len(set(names)) != len(names):
        raise AssertionShapeError("a keyword argument is given twice")
    args = [_literal(a, claim.source) for a in call.args]
    kwargs = {k.arg: _literal(k.value, claim.source) for k in call.keywords if k.arg is not None}
    expected = _literal(claim.expected, claim.source)
    return args, kwargs, expected, claim.text()[:500]


def _answer_tags(text: str) -> list[str]:
    """Bodies of ``[ANSWER]...[/ANSWER]`` in order, with one forward search per tag.

    A lazy regex rescans the rest of the text for every unclosed ``[ANSWER]``: quadratic on hostile text.
    """
    found: list[str] = []
    pos = 0
    while True:
        start = text.find("[ANSWER]", pos)
        if start < 0:
            return found
        end = text.find("[/ANSWER]", start + 8)
        if end < 0:
            return found
        found.append(text[start + 8 : end])
        pos = end + 9


def answer_blocks(response: str) -> tuple[list[str], bool]:
    """(the answer regions, whether they are blocks: [ANSWER] tags or fences, not the text itself).

    The regions are the [ANSWER] blocks, else the python/untagged fences holding ``assert``, else the text.
    Only text after the last ``</think>`` counts. More than :data:`MAX_REGIONS` blocks is several answers
    and gives none (the caller then finds no assertion).
    """
    text = strip_think(response)
    tagged = _answer_tags(text)
    if tagged:
        return (tagged if len(tagged) <= MAX_REGIONS else []), True
    fences = [body for body in code_fences(text, (*PYTHON_FENCE_TAGS, "")) if "assert" in body]
    if fences:
        return (fences if len(fences) <= MAX_REGIONS else []), True
    return [text[-MAX_ASSERT_CHARS:]], False


# A sentence that states f's output: "The output is 'abc'.", "Alternatively the output is 'abc'.", "The
# output could also be 'abc'", "Answer: 'abc'", "f('abc') returns 'abc'". What follows is read as a literal.
_STATED_OUTPUT = re.compile(
    r"\b(?:output|result|answer|returns|return\s+value|evaluates\s+to|gives)\b"
    r"(?:\s+(?:is|was|would|will|could|might|may|should|must|also|be|instead|then|actually|equals?|of|"
    r"f\([^()\n]{0,200}\)))*[ \t]*(?:(?:==?|:)[ \t]*)?",
    re.IGNORECASE,
)
_LITERAL_END = frozenset(" \t\n.,;:!?)")
_SENTENCE_GOES_ON = frozenset(["", *"\n.,;:!?)"])
MAX_AFTER_CHARS = MAX_ASSERT_CHARS  # text after the answer read for a second one; more is refused
MAX_STATED = 64  # sentences stating an output after the answer; more is refused
MAX_LITERAL_TRIES = 40


def _stated_literal(text: str) -> Any:
    """The longest Python literal ``text`` starts with that ends its clause (then punctuation), else a marker."""
    ends = [i for i in range(1, min(len(text), 500) + 1) if (i == len(text) or text[i] in _LITERAL_END)]
    ends = [
        i
        for i in ends
        if text[i - 1] not in " \t\n.,;:!?" and text[i : i + 80].lstrip(" \t")[:1] in _SENTENCE_GOES_ON
    ][-MAX_LITERAL_TRIES:]  # "returns 'abc' reversed" names no output: the literal must end the clause
    for end in reversed(ends):
        try:
            return parse_structured(
                f"({text[:end]})", max_chars=MAX_ASSERT_CHARS + 2, max_depth=MAX_ASSERT_DEPTH + 1
            )
        except (AnswerParseError, NotOneClaimError):
            continue
    return _NO_LITERAL


_NO_LITERAL = object()


def after_answer(response: str, regions: list[str], blocks: bool) -> str:
    """The text after the last answer block ([ANSWER] tag or fence); empty when the answer is the text itself."""
    if not blocks or not regions:
        return ""
    text = strip_think(response)
    if "[/ANSWER]" in text and _answer_tags(text):
        return text[text.rfind("[/ANSWER]") + len("[/ANSWER]") :]
    at = text.rfind(regions[-1])
    if at < 0:
        return ""
    rest = text[at + len(regions[-1]) :]
    return rest[3:] if rest.startswith("```") else rest


def second_answer(after: str, claim_text: str, expected: Any, output: bool) -> str | None:
    """Why the text after the answer gives a second one, else None.

    Another assertion line (its call or value differs from the answer's), and for output prediction an
    ``Answer:`` line, a ``\\boxed{}`` or a sentence stating f's output ("the output is X", "the output
    could also be X") whose literal is not the asserted value: a second answer. The same value or
    assertion restated is fine.
    """
    if not after.strip():
        return None
    if len(after) > MAX_AFTER_CHARS:
        return f"more than {MAX_AFTER_CHARS:,} characters after the answer: an answer is one claim"
    for m in _ASSERT_LINE_RE.finditer(after):
        module = _parse(m.group().strip())  # a comment after it is no part of the claim
        if module is None or len(module.body) != 1 or not isinstance(module.body[0], ast.Assert):
            continue
        try:
            other = _claim(module.body[0], m.group().strip()).text()
        except AssertionShapeError:
            return "another assertion after the answer: an answer is one claim"
        if other[:500] != claim_text[:500]:  # parse_assertion gives the text cut at 500
            return "a different assertion after the answer: an answer is one claim"
    if not output:
        return None
    stated: list[Any] = []
    boxes = all_boxed(after)
    for i, m in enumerate(_STATED_OUTPUT.finditer(after)):
        if i + len(boxes) >= MAX_STATED:
            return "too many stated outputs after the answer: an answer is one claim"
        stated.append(_stated_literal(after[m.end() : m.end() + 500]))
    stated.extend(_stated_literal(box.strip()) for box in boxes)
    for value in stated:
        if value is not _NO_LITERAL and not python_equal(value, expected):
            return "the text after the answer states another output: an answer is one claim"
    return None


def answer_regions(response: str) -> list[str]:
    """Where the assertion is (see :func:`answer_blocks`)."""
    return answer_blocks(response)[0]


def answer_region(response: str) -> str:
    """The last answer region (see :func:`answer_regions`); kept for callers that read one."""
    regions = answer_regions(response)
    return regions[-1] if regions else ""


def _function(code: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f"]
    return found[-1] if found else None


def bind_call(fn: ast.FunctionDef, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """Parameter name -> value of ``f(*args, **kwargs)`` as Python would bind it; None when it would not bind.

    Omitted parameters take their default when it is a literal, so ``f(2)`` and ``f(2, b=3)`` bind alike
    for ``def f(a, b=3)``; a default that is not a literal is recorded as itself, so two calls that both
    omit it still agree. Extra positional arguments go to ``*args``, extra keywords to ``**kwargs``.
    """
    a = fn.args
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    posonly = {p.arg for p in a.posonlyargs}
    keyword_only = [p.arg for p in a.kwonlyargs]
    bound: dict[str, Any] = {}
    if len(args) > len(positional) and a.vararg is None:
        return None
    for name, value in zip(positional, args):
        bound[name] = ("given", value)
    if a.vararg is not None:
        bound["*" + a.vararg.arg] = ("given", tuple(args[len(positional) :]))
    extra: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name in posonly or name not in (*positional, *keyword_only):
            if a.kwarg is None:
                return None  # an unexpected keyword: the call raises
            extra[name] = value
        elif name in bound:
            return None  # the same parameter twice: the call raises
        else:
            bound[name] = ("given", value)
    if a.kwarg is not None:
        bound["**" + a.kwarg.arg] = ("given", extra)
    defaults = dict(zip(positional[len(positional) - len(a.defaults) :], a.defaults))
    defaults.update({p: d for p, d in zip(keyword_only, a.kw_defaults) if d is not None})
    for name in (*positional, *keyword_only):
        if name in bound:
            continue
        if name not in defaults:
            return None  # a required argument is missing: the call raises
        try:
            bound[name] = ("given", ast.literal_eval(defaults[name]))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            bound[name] = ("default", name)
    return bound


def same_call(
    code: str, call: tuple[list[Any], dict[str, Any]], given: tuple[list[Any], dict[str, Any]]
) -> bool:
    """Whether two calls of ``f`` pass the same values to the same parameters (``f(1, 2)`` and ``f(b=2, a=1)``)."""
    if python_equal(call[0], given[0]) and python_equal(call[1], given[1]):
        return True
    fn = _function(code)
    if fn is None:
        return False
    ours, theirs = bind_call(fn, *call), bind_call(fn, *given)
    if ours is None or theirs is None or ours.keys() != theirs.keys():
        return False
    return all(ours[k][0] == theirs[k][0] and python_equal(ours[k][1], theirs[k][1]) for k in theirs)


def _prompt_assert(prompt: str) -> tuple[str, str]:
    """(code of f, the ``assert f(...) == ...`` line) from the last problem block of a CRUXEval prompt."""
    lines = prompt.splitlines()
    idx = max((i for i, line in enumerate(lines) if line.strip().startswith("assert f(")), default=-1)
    if idx < 0:
        raise ValueError("prompt has no 'assert f(' line")
    start = idx
    while start > 0 and lines[start - 1].strip() not in ("```python", "```", "[PYTHON]"):
        start -= 1
    return "\n".join(lines[start:idx]), lines[idx].strip()


def _defines_f(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == "f" for n in tree.body)


def parse_cruxeval_row(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answer, meta) of a GURU CRUXEval row: mode, function source, the given side, the reference."""
    prompt, _ = prompt_from_row(row)
    source = str(row.get("data_source", ""))
    ground_truth = (row.get("reward_model") or {}).get("ground_truth")
    functional = ""
    if isinstance(ground_truth, str):
        try:
            data = json.loads(ground_truth)
            functional = data.get("functional", "") if isinstance(data, dict) else ""
        except (ValueError, RecursionError):
            functional = ""
    elif isinstance(ground_truth, dict):
        functional = str(ground_truth.get("functional", ""))
    prompt_code, assert_line = _prompt_assert(prompt)
    code = functional if _defines_f(functional) else prompt_code
    if not _defines_f(code):
        raise ValueError("row defines no function f")
    lhs, sep, rhs = assert_line.partition("==")
    if not sep:
        raise ValueError("prompt assertion has no '=='")
    if "cruxeval-i" in source or "??" in lhs:
        mode = "input"
        given = rhs.strip()
    else:
        mode = "output"
        given = lhs.strip()[len("assert") :].strip()
    extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
    reference = extra.get("reference") if mode == "output" else None
    answer = {"mode": mode, "code": code, "given": given, "reference": reference}
    return answer, {"data_source": source}


class CruxEvalFamily(TaskFamily):
    """Verifier for GURU's CRUXEval input- and output-prediction rows."""

    domain = "simulation"
    name = "cruxeval"
    generator = False

    def task_from_row(self, row: dict[str, Any]) -> Task:
        """A task holding the function source, which side is given, and the reference output if any."""
        prompt, system = prompt_from_row(row)
        answer, meta = parse_cruxeval_row(row)
        if system:
            meta["system_prompt"] = system
        extra = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
        index = extra.get("task_id", extra.get("index"))
        return Task(
            id=f"{row['data_source']}/{index}" if index is not None else str(row["data_source"]),
            domain=self.domain,
            family=self.name,
            prompt=prompt,
            answer=answer,
            meta=meta,
        )

    def score(self, task: Task, response: str) -> Score:
        """Parse the assertion (never execute it), check its given side, then judge the other side."""
        spec = task.answer
        try:
            regions, blocks = answer_blocks(response)
            args, kwargs, expected, text = parse_assertion(regions, spec.get("code", ""), blocks=blocks)
        except AssertionShapeError as exc:
            return Score.wrong(None, str(exc), error="no_answer")
        second = second_answer(
            after_answer(response, regions, blocks), text, expected, spec["mode"] == "output"
        )
        if second is not None:
            return Score.wrong(text, second, error="no_answer")
        if spec["mode"] == "output":
            return self._score_output(spec, args, kwargs, expected, text)
        return self._score_input(spec, args, kwargs, expected, text)

    def _score_output(
        self, spec: dict[str, Any], args: list[Any], kwargs: dict[str, Any], expected: Any, text: str
    ) -> Score:
        try:
            given_args, given_kwargs, _, _ = parse_assertion(f"assert {spec['given']} == None")
        except AssertionShapeError:
            return Score.wrong(text, "the row's input is not a literal call", error="bad_row")
        if not same_call(spec["code"], (args, kwargs), (given_args, given_kwargs)):
            return Score.wrong(text, "the assertion calls f on a different input than the prompt's")
        reference = spec.get("reference")
        if isinstance(reference, str):
            try:
                truth = ast.literal_eval(reference) if len(reference) <= MAX_ASSERT_CHARS else None
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                truth = None
            if truth is not None or reference.strip() == "None":
                if python_equal(expected, truth):
                    return Score.right(text)
                return Score.wrong(
                    text, "the asserted output is not f's output", feedback="That output is wrong."
                )
        outcome = run_untrusted(spec["code"], "f", given_args, expected, python_equal, kwargs=given_kwargs)
        if "error" in outcome:
            return Score.wrong(
                text, f"could not run f on the prompt's input: {outcome['error']}"[:300], error="run_failed"
            )
        if outcome["ok"]:
            return Score.right(text)
        return Score.wrong(text, "the asserted output is not f's output", feedback="That output is wrong.")

    def _score_input(
        self, spec: dict[str, Any], args: list[Any], kwargs: dict[str, Any], expected: Any, text: str
    ) -> Score:
        try:
            target = ast.literal_eval(spec["given"])
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return Score.wrong(text, "the row's target output is not a literal", error="bad_row")
        if not python_equal(expected, target):
            return Score.wrong(text, "the assertion does not compare with the prompt's target output")
        outcome = run_untrusted(spec["code"], "f", args, target, python_equal, kwargs=kwargs)
        if "error" in outcome:
            return Score.wrong(text, f"f raised or did not finish on this input: {outcome['error']}"[:300])
        if outcome["ok"]:
            return Score.right(text, "f returns the target on this input")
        return Score.wrong(
            text, "f does not return the target on this input", feedback="f returns something else."
        )

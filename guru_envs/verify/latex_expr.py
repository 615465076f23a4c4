"""A small, bounded reader and evaluator for the arithmetic subset of LaTeX that final answers use.

This is the fast path of math answer equivalence (:mod:`guru_envs.verify.latex`). It reads numbers,
``+ - * /``, ``\\frac``, ``\\sqrt``, powers, ``\\pi``, ``e``, ``i``, factorials, binomials, ``|x|``, ``%``,
a few functions and single-letter variables into a tree of tuples, then compares two trees by value:
exactly (with :class:`fractions.Fraction`) when both are rational, otherwise numerically with complex
floats, at a few fixed points when variables occur (two different polynomials or rational functions
almost never agree at all of them).

Every step is bounded: token count, nesting depth and the size of every integer it builds, so a hostile
answer such as ``9^{9^{9^9}}`` is refused in microseconds (:class:`TooBig`) instead of hanging. What it
cannot read (:class:`Unsupported`) or decide (a verdict of ``None``) is left to the symbolic checker.
No text is ever evaluated as code.
"""

from __future__ import annotations

import cmath
import hashlib
import math
import re
import threading
from fractions import Fraction
from typing import Any

MAX_TOKENS = 400
MAX_DEPTH = 40
MAX_BITS = 100_000  # largest integer (numerator/denominator) built exactly: ~30,000 digits
MAX_FACTORIAL = 2_000
MAX_BINOMIAL = 20_000
MAX_ROOT_INDEX = 64
MAX_MAGNITUDE = 1e300

Node = tuple[Any, ...]


class ExprError(ValueError):
    """Base class: the expression cannot be read or evaluated here."""


class Unsupported(ExprError):
    """Syntax outside the subset this reader knows (the symbolic checker may still read it)."""


class TooBig(ExprError):
    """The value is too large to build safely (astronomical powers, huge factorials)."""


class Undefined(ExprError):
    """The value is undefined at this point (division by zero, a pole, a log of zero)."""


class _NotExact(Exception):
    """Internal: the value is not a rational number, so the exact evaluator gives up."""


_TOKEN_RE = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|(\\[a-zA-Z]+|\\[{}|%])|([a-zA-Z])|(\S))")

_FUNCS = {
    "\\sin": cmath.sin,
    "\\cos": cmath.cos,
    "\\tan": cmath.tan,
    "\\sec": lambda z: 1 / cmath.cos(z),
    "\\csc": lambda z: 1 / cmath.sin(z),
    "\\cot": lambda z: 1 / cmath.tan(z),
    "\\arcsin": cmath.asin,
    "\\arccos": cmath.acos,
    "\\arctan": cmath.atan,
    "\\sinh": cmath.sinh,
    "\\cosh": cmath.cosh,
    "\\tanh": cmath.tanh,
    "\\ln": cmath.log,
    "\\log": cmath.log,
    "\\exp": cmath.exp,
}
FUNCTION_COMMANDS = frozenset(_FUNCS)
_CONSTS = {"\\pi": "pi", "\\infty": "inf", "\\imath": "i"}
_BRACKET_FUNCS = {"\\lfloor": ("\\rfloor", "floor"), "\\lceil": ("\\rceil", "ceil")}
_ATOM_CMDS = {"\\frac", "\\sqrt", "\\binom", *_FUNCS, *_CONSTS, *_BRACKET_FUNCS}


def tokenize(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of ``text``: ``num``, ``cmd`` (``\\frac``, ``\\{``), ``let`` (one letter), ``sym``.

    Raises:
        Unsupported: over :data:`MAX_TOKENS` tokens.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        num, cmd, letter, sym = m.groups()
        if num is not None:
            tokens.append(("num", num))
        elif cmd is not None:
            tokens.append(("cmd", cmd))
        elif letter is not None:
            tokens.append(("let", letter))
        elif sym is not None:
            tokens.append(("sym", sym))
        if len(tokens) > MAX_TOKENS:
            raise Unsupported(f"more than {MAX_TOKENS} tokens")
    return tokens


class _Parser:
    """Recursive descent over the token list; the depth counter bounds recursion on nested input."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.toks = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise Unsupported("unexpected end of expression")
        self.pos += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value:
            raise Unsupported(f"expected {value!r}, found {tok[1]!r}")

    def is_sym(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] in values

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unsupported(f"nested deeper than {MAX_DEPTH} levels")

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise Unsupported(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self) -> Node:
        self.enter()
        if self.is_sym("-"):
            self.take()
            node: Node = ("neg", self.term())
        else:
            if self.is_sym("+"):
                self.take()
            node = self.term()
        while self.is_sym("+", "-"):
            op = self.take()[1]
            node = ("add" if op == "+" else "sub", node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok[1] in ("*", "\\cdot", "\\times"):
                self.take()
                node = ("mul", node, self.unary())
            elif tok[1] in ("/", "\\div"):
                self.take()
                node = ("div", node, self.unary())
            elif self.starts_implicit(tok):
                node = ("mul", node, self.power())
            else:
                break
        return node

    @staticmethod
    def starts_implicit(tok: tuple[str, str]) -> bool:
        kind, value = tok
        return kind == "let" or value in ("(", "{") or (kind == "cmd" and value in _ATOM_CMDS)

    def unary(self) -> Node:
        if self.is_sym("-"):
            self.take()
            self.enter()
            node = ("neg", self.unary())
            self.depth -= 1
            return node
        if self.is_sym("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.is_sym("^"):
            self.take()
            self.enter()
            exponent = self.script()
            self.depth -= 1
            base = ("pow", base, exponent)
            while self.is_sym("!"):
                self.take()
                base = ("fact", base)
            if self.is_sym("^"):
                raise Unsupported("ambiguous a^b^c")
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while self.is_sym("!", "%", "\\%"):
            op = self.take()[1]
            node = ("fact", node) if op == "!" else ("pct", node)
        return node

    def script(self) -> Node:
        """A super- or subscript: a braced group or one token (``x^2``, ``x^{10}``, ``e^x``)."""
        tok = self.peek()
        if tok is None:
            raise Unsupported("missing exponent")
        if tok[1] == "{":
            return self.group("{", "}")
        if tok[1] == "(":
            return self.group("(", ")")
        if tok[0] == "num":
            self.take()
            if len(tok[1]) > 1:
                raise Unsupported("multi-digit exponent without braces")
            return ("num", Fraction(tok[1]), None)
        if tok[0] == "let":
            return self.letter()
        if tok[0] == "cmd" and tok[1] in _CONSTS:
            return self.atom()
        if tok[1] == "-":  # x^-1 is not LaTeX, but its meaning is clear enough
            self.take()
            inner = self.script()
            return ("neg", inner)
        raise Unsupported(f"unsupported exponent {tok[1]!r}")

    def arg(self) -> Node:
        """A macro argument: a braced group, or a single digit/letter/constant (``\\frac12``, ``\\sqrt2``)."""
        tok = self.peek()
        if tok is None:
            raise Unsupported("missing argument")
        if tok[1] == "{":
            return self.group("{", "}")
        if tok[1] == "(":  # \sqrt(2), as plain-text answers write it
            return self.group("(", ")")
        if tok[0] == "num":
            digits = tok[1]
            if len(digits) == 1 or "." not in digits:
                if len(digits) > 1:  # \frac12: the first digit is the argument, the rest stays
                    self.toks[self.pos] = ("num", digits[1:])
                else:
                    self.take()
                return ("num", Fraction(int(digits[0])), None)
            raise Unsupported("decimal macro argument without braces")
        if tok[0] == "let":
            return self.letter()
        if tok[0] == "cmd" and tok[1] in _CONSTS:
            return self.atom()
        raise Unsupported(f"unsupported argument {tok[1]!r}")

    def group(self, left: str, right: str) -> Node:
        self.expect(left)
        node = self.expr()
        self.expect(right)
        return node

    def letter(self) -> Node:
        name = self.take()[1]
        if self.is_sym("_"):  # x_1, x_{12}, a_n: a subscripted variable name
            self.take()
            tok = self.take()
            if tok[1] == "{":
                parts = []
                while not self.is_sym("}"):
                    part = self.take()
                    if part[0] not in ("num", "let"):
                        raise Unsupported("unsupported subscript")
                    parts.append(part[1])
                    if len(parts) > 8:
                        raise Unsupported("subscript too long")
                self.take()
                sub = "".join(parts)
            elif tok[0] in ("num", "let"):
                sub = tok[1]
            else:
                raise Unsupported("unsupported subscript")
            return ("var", f"{name}_{sub}")
        if name == "e":
            return ("const", "e")
        if name == "i":
            return ("const", "i")
        return ("var", name)

    def atom(self) -> Node:
        self.enter()
        try:
            return self._atom()
        finally:
            self.depth -= 1

    def _atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise Unsupported("unexpected end of expression")
        kind, value = tok
        if kind == "num":
            self.take()
            places = len(value) - value.index(".") - 1 if "." in value else None
            node: Node = ("num", Fraction(value), places)
            # A mixed number: 3\frac{1}{2} means 3 + 1/2 when both parts are plain integers.
            if places is None and self.is_sym("\\frac"):
                save = self.pos
                self.take()
                try:
                    num, den = self.arg(), self.arg()
                except Unsupported:
                    self.pos = save
                    return node
                if (
                    num[0] == "num"
                    and den[0] == "num"
                    and num[2] is None
                    and den[2] is None
                    and node[1] > 0
                    and 0 < num[1] < den[1]
                ):  # 3\frac{1}{2}; not 0\frac{1}{4} nor 2\frac{7}{2}, which no one writes for a number
                    return ("add", node, ("div", num, den), "mixed")  # marked: a number, not a sum
                return ("mul", node, ("div", num, den))
            return node
        if kind == "let":
            return self.letter()
        if value == "(":
            return self.group("(", ")")
        if value == "{":
            return self.group("{", "}")
        if value == "|":
            self.take()
            inner = self.expr()
            self.expect("|")
            return ("abs", inner)
        if value in _BRACKET_FUNCS:  # \lfloor x \rfloor, \lceil x \rceil
            self.take()
            inner = self.expr()
            self.expect(_BRACKET_FUNCS[value][0])
            return (_BRACKET_FUNCS[value][1], inner)
        if kind != "cmd":
            raise Unsupported(f"unexpected {value!r}")
        self.take()
        if value == "\\frac":
            return ("div", self.arg(), self.arg())
        if value == "\\binom":
            return ("binom", self.arg(), self.arg())
        if value == "\\sqrt":
            index: Node | None = None
            if self.is_sym("["):
                self.take()
                index = self.expr()
                self.expect("]")
            return ("root", self.arg(), index)
        if value in _CONSTS:
            return ("const", _CONSTS[value])
        if value in _FUNCS:
            base: Node | None = None
            if value == "\\log" and self.is_sym("_"):
                self.take()
                base = self.script()
            power: Node | None = None
            if self.is_sym("^"):  # \sin^2 x is (\sin x)^2; \sin^{-1} x is arcsin, left to sympy
                self.take()
                power = self.script()
                if (
                    power[0] != "num"
                    or power[2] is not None
                    or not 1 <= power[1] <= 9
                    or power[1].denominator != 1
                ):
                    raise Unsupported("a function raised to other than a small whole power")
            if self.is_sym("(", "{"):
                argument = self.atom()
            else:
                argument = self.power()
                following = self.peek()
                if following is not None and self.starts_implicit(following):
                    # \sin 2x means sin(2x) to a reader but sin(2)*x to a parser: leave it to sympy
                    raise Unsupported("function argument without parentheses followed by a product")
            call: Node = ("func", value, argument, base)
            return call if power is None else ("pow", call, power)
        raise Unsupported(f"unsupported command {value}")


def parse_expr(text: str) -> Node:
    """The expression tree of ``text`` (already normalised LaTeX).

    Raises:
        Unsupported: when ``text`` uses syntax outside the subset (the caller falls back to sympy).
    """
    return _Parser(tokenize(text)).parse()


def free_vars(node: Node) -> frozenset[str]:
    """Names of the variables in ``node``."""
    if node[0] == "var":
        return frozenset((node[1],))
    out: frozenset[str] = frozenset()
    for child in node[1:]:
        if isinstance(child, tuple):
            out |= free_vars(child)
    return out


def has_const(node: Node, name: str) -> bool:
    """Whether the constant ``name`` (``inf``, ``pi``, ...) occurs in ``node``."""
    if node[0] == "const":
        return node[1] == name
    return any(isinstance(c, tuple) and has_const(c, name) for c in node[1:])


# --- exact evaluation -------------------------------------------------------------------------------------


def _check_size(value: Fraction) -> Fraction:
    if value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS:
        raise TooBig("number too large to evaluate exactly")
    return value


def _iroot(value: int, n: int) -> int | None:
    """The exact n-th root of a non-negative integer, or None."""
    if value < 2:
        return value
    guess = int(round(value ** (1.0 / n))) if value.bit_length() < 1000 else _newton_root(value, n)
    for cand in (guess - 1, guess, guess + 1):
        if cand >= 0 and cand**n == value:
            return cand
    return None


def _newton_root(value: int, n: int) -> int:
    x = 1 << ((value.bit_length() + n - 1) // n)
    while True:
        y = ((n - 1) * x + value // x ** (n - 1)) // n
        if y >= x:
            return x
        x = y


def _exact_root(value: Fraction, n: int) -> Fraction:
    if n < 1 or n > MAX_ROOT_INDEX:
        raise _NotExact
    if value < 0:
        if n % 2 == 0:
            raise _NotExact
        return -_exact_root(-value, n)
    num, den = _iroot(value.numerator, n), _iroot(value.denominator, n)
    if num is None or den is None:
        raise _NotExact
    return Fraction(num, den)


def _exact_int(value: Fraction) -> int:
    if value.denominator != 1:
        raise _NotExact
    return value.numerator


def exact_value(node: Node, env: dict[str, Fraction] | None = None) -> Fraction:
    """The exact rational value of ``node`` (variables from ``env``).

    Raises:
        _NotExact: the value is irrational or complex (use :func:`numeric_value`).
        TooBig: an intermediate integer would exceed :data:`MAX_BITS` bits.
        Undefined: division by zero.
    """
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        if env is None or node[1] not in env:
            raise _NotExact
        return env[node[1]]
    if kind == "const":
        raise _NotExact
    if kind == "neg":
        return -exact_value(node[1], env)
    if kind in ("add", "sub", "mul", "div"):
        a = exact_value(node[1], env)
        b = exact_value(node[2], env)
        if kind == "add":
            return _check_size(a + b)
        if kind == "sub":
            return _check_size(a - b)
        if kind == "mul":
            return _check_size(a * b)
        if b == 0:
            raise Undefined("division by zero")
        return _check_size(a / b)
    if kind == "pow":
        base = exact_value(node[1], env)
        exponent = exact_value(node[2], env)
        return _exact_pow(base, exponent)
    if kind == "root":
        radicand = exact_value(node[1], env)
        index = 2 if node[2] is None else _exact_int(exact_value(node[2], env))
        return _exact_root(radicand, index)
    if kind == "fact":
        n = _exact_int(exact_value(node[1], env))
        if n < 0:
            raise Undefined("factorial of a negative number")
        if n > MAX_FACTORIAL:
            raise TooBig("factorial too large")
        return Fraction(math.factorial(n))
    if kind == "binom":
        n = _exact_int(exact_value(node[1], env))
        k = _exact_int(exact_value(node[2], env))
        if n > MAX_BINOMIAL:
            raise TooBig("binomial too large")
        if n < 0 or k < 0:
            raise _NotExact
        return Fraction(math.comb(n, k))
    if kind == "abs":
        return abs(exact_value(node[1], env))
    if kind == "floor":
        return Fraction(math.floor(exact_value(node[1], env)))
    if kind == "ceil":
        return Fraction(math.ceil(exact_value(node[1], env)))
    if kind == "pct":
        return exact_value(node[1], env) / 100
    raise _NotExact


def _exact_pow(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1:
        if exponent.denominator > MAX_ROOT_INDEX:
            raise _NotExact
        base = _exact_root(base, exponent.denominator)
        exponent = Fraction(exponent.numerator)
    e = exponent.numerator
    if base == 0:
        if e < 0:
            raise Undefined("zero to a negative power")
        return Fraction(1) if e == 0 else Fraction(0)
    if base in (1, -1):
        return base ** (e % 2) if base == -1 else base
    bits = (
        max(base.numerator.bit_length(), base.denominator.bit_length()) - 1
    )  # log2 of the base, rounded down
    if max(bits, 1) * abs(e) > MAX_BITS:
        raise TooBig("power too large to evaluate exactly")
    return base**e


# --- numeric evaluation -----------------------------------------------------------------------------------


def numeric_value(node: Node, env: dict[str, complex] | None = None) -> tuple[complex, float]:
    """``(value, largest intermediate magnitude)`` of ``node`` with complex floats.

    The magnitude tells the caller how much cancellation happened (``10^{20}+1-10^{20}``), so it can
    refuse to decide when rounding could fake or hide an equality.

    Raises:
        TooBig: a value overflows a float.
        Undefined: division by zero or a pole.
        Unsupported: a construct with no numeric meaning here (non-integer factorial, infinity in arithmetic).
    """
    box = [0.0]
    value = _num(node, env or {}, box)
    return value, box[0]


def _track(value: complex, box: list[float]) -> complex:
    mag = abs(value)
    if not math.isfinite(mag) or mag > MAX_MAGNITUDE:
        raise TooBig("value overflows")
    if mag > box[0]:
        box[0] = mag
    return value


def _num(node: Node, env: dict[str, complex], box: list[float]) -> complex:
    kind = node[0]
    if kind == "num":
        try:
            return _track(complex(float(node[1])), box)
        except OverflowError:
            raise TooBig("number overflows a float") from None
    if kind == "var":
        if node[1] not in env:
            raise Unsupported(f"no value for variable {node[1]}")
        return env[node[1]]
    if kind == "const":
        name = node[1]
        if name == "pi":
            return _track(complex(math.pi), box)
        if name == "e":
            return _track(complex(math.e), box)
        if name == "i":
            return _track(1j, box)
        raise Unsupported("infinity is not a number")
    if kind == "neg":
        return -_num(node[1], env, box)
    if kind in ("add", "sub", "mul", "div"):
        a = _num(node[1], env, box)
        b = _num(node[2], env, box)
        try:
            if kind == "add":
                return _track(a + b, box)
            if kind == "sub":
                return _track(a - b, box)
            if kind == "mul":
                return _track(a * b, box)
            if b == 0:
                raise Undefined("division by zero")
            return _track(a / b, box)
        except OverflowError:
            raise TooBig("value overflows") from None
    if kind == "pow":
        base = _num(node[1], env, box)
        exponent = _num(node[2], env, box)
        return _track(_cpow(base, exponent), box)
    if kind == "root":
        radicand = _num(node[1], env, box)
        index = 2 if node[2] is None else _num(node[2], env, box)
        if index.imag != 0 or index.real != round(index.real) or not 1 <= index.real <= MAX_ROOT_INDEX:
            raise Unsupported("root index must be a small positive integer")
        n = int(index.real)
        if radicand.imag == 0 and radicand.real < 0 and n % 2 == 1:  # real odd root: \sqrt[3]{-8} = -2
            return _track(complex(-((-radicand.real) ** (1.0 / n))), box)
        if radicand.imag == 0 and radicand.real >= 0:
            return _track(complex(radicand.real ** (1.0 / n)), box)
        return _track(_cpow(radicand, complex(1.0 / n)), box)
    if kind == "fact":
        value = _num(node[1], env, box)
        if value.imag != 0 or value.real != round(value.real) or value.real < 0:
            raise Unsupported("factorial of a non-natural number")
        if value.real > 170:
            raise TooBig("factorial overflows")
        return _track(complex(math.factorial(int(value.real))), box)
    if kind == "binom":
        n, k = _num(node[1], env, box), _num(node[2], env, box)
        if n.imag or k.imag or n.real != round(n.real) or k.real != round(k.real) or n.real < 0 or k.real < 0:
            raise Unsupported("binomial of non-natural numbers")
        if n.real > 1000:
            raise TooBig("binomial too large")
        return _track(complex(math.comb(int(n.real), int(k.real))), box)
    if kind == "abs":
        return _track(complex(abs(_num(node[1], env, box))), box)
    if kind in ("floor", "ceil"):
        inner = _num(node[1], env, box)
        if inner.imag != 0:
            raise Unsupported("the floor of a complex number")
        nearest = round(inner.real)
        if nearest != inner.real and abs(inner.real - nearest) < 1e-9 * max(1.0, abs(inner.real)):
            raise Unsupported("too close to an integer to round in floating point")
        rounded = math.floor(inner.real) if kind == "floor" else math.ceil(inner.real)
        return _track(complex(rounded), box)
    if kind == "pct":
        return _num(node[1], env, box) / 100
    if kind == "func":
        argument = _num(node[2], env, box)
        try:
            value = _FUNCS[node[1]](argument)
            if node[3] is not None:
                value = value / cmath.log(_num(node[3], env, box))
        except (ValueError, ZeroDivisionError):
            raise Undefined(f"{node[1]} is undefined here") from None
        except OverflowError:
            raise TooBig("value overflows") from None
        return _track(value, box)
    raise Unsupported(f"cannot evaluate {kind}")


def _cpow(base: complex, exponent: complex) -> complex:
    try:
        if base.imag == 0 and exponent.imag == 0:
            b, e = base.real, exponent.real
            if b > 0 or e == round(e):
                if b == 0 and e < 0:
                    raise Undefined("zero to a negative power")
                if abs(e) > 1e6 and abs(b) != 1 and b != 0:
                    raise TooBig("power overflows")
                return complex(b**e)
        if base == 0:
            if exponent.real > 0:
                return 0j
            raise Undefined("zero to a non-positive power")
        return base**exponent
    except OverflowError:
        raise TooBig("power overflows") from None
    except ZeroDivisionError:
        raise Undefined("zero to a negative power") from None


# --- comparison -------------------------------------------------------------------------------------------

_SIG_DIGITS_FOR_DECIMALS = 6  # a decimal stands for an exact value only when it carries this many digits


def _decimal_literal(node: Node) -> tuple[Fraction, int] | None:
    """(value, decimal places) when ``node`` is a plain decimal such as ``-1.4142``, else None."""
    sign = 1
    if node[0] == "neg":
        sign, node = -1, node[1]
    if node[0] == "num" and node[2] is not None:
        return sign * node[1], node[2]
    return None


def _significant_digits(value: Fraction, places: int) -> int:
    scaled = abs(value) * 10**places
    return len(str(int(scaled))) if scaled >= 1 else 0


POINTS = 4  # rational points per comparison of expressions in variables


def _points(names: frozenset[str], salt: str = "") -> list[dict[str, Fraction]]:
    """:data:`POINTS` rational points per variable, spread over both signs, drawn from its name and ``salt``.

    The salt is the two expressions compared (see :func:`compare_exprs`): the points are reproducible,
    but an answer cannot be built to vanish at them, since changing the answer moves them (with fixed
    points, ``x^2 + (x - p_1)(x - p_2)(x - p_3)`` was paid for ``x^2``).
    """
    points = []
    for k in range(POINTS):
        point = {}
        for name in names:
            digest = hashlib.blake2b(f"{salt}|{name}:{k}".encode(), digest_size=8).digest()
            h = int.from_bytes(digest, "big")
            num = 1000 + h % 7919
            den = 1009 + (h >> 16) % 1013
            point[name] = Fraction(-num if k % 2 else num, den)
        points.append(point)
    return points


def _close_numeric(a: complex, b: complex, mag: float, rel_tol: float) -> bool | None:
    scale = max(abs(a), abs(b))
    if scale == 0.0:
        return True
    cancellation = mag / scale
    if cancellation > 1e6:
        return None  # rounding error could be as large as the difference itself
    diff = abs(a - b)
    if rel_tol > 0:
        return diff <= rel_tol * scale
    if diff <= scale * max(1e-10, 1e-14 * cancellation):
        return True
    if diff > scale * 1e-7:
        return False
    return None


def _compare_at(a: Node, b: Node, env: dict[str, Fraction] | None, rel_tol: float) -> bool | None:
    try:
        x, y = exact_value(a, env), exact_value(b, env)
    except (_NotExact, TooBig):  # irrational, or too big to hold exactly: compare in floating point
        pass
    else:
        if rel_tol > 0:
            return abs(x - y) <= Fraction(rel_tol) * max(abs(x), abs(y))
        return x == y
    cenv = {k: complex(float(v)) for k, v in env.items()} if env else None
    x, mag_a = numeric_value(a, cenv)
    y, mag_b = numeric_value(b, cenv)
    return _close_numeric(x, y, max(mag_a, mag_b), rel_tol)


def compare_exprs(a: Node, b: Node, rel_tol: float = 0.0) -> bool | None:
    """Whether two expression trees have the same value: True, False, or None when undecided.

    A plain decimal on one side (``1.414214``) matches an exact value on the other (``\\sqrt{2}``) when it
    is that value correctly rounded and has at least six significant digits.

    Raises:
        TooBig: a side is too large to evaluate (the caller must not hand it to sympy).
    """
    names = free_vars(a) | free_vars(b)
    if not names:
        for dec_node, other in ((a, b), (b, a)):
            dec = _decimal_literal(dec_node)
            if dec is not None and rel_tol == 0 and _decimal_literal(other) is None:
                return _compare_decimal(dec, other)
        try:
            verdict = _compare_at(a, b, None, rel_tol)
        except (Undefined, Unsupported):
            return None
        if verdict is True and rel_tol == 0 and not (_is_exact(a) and _is_exact(b)):
            return _confirm_precisely(a, b)
        if verdict is None and rel_tol == 0:
            return _confirm_precisely(a, b)  # cancellation hid the answer from floats; more digits show it
        return verdict
    verdicts = []
    for point in _points(names, salt=repr((a, b))):
        try:
            verdict = _compare_at(a, b, point, rel_tol)
        except (Undefined, Unsupported):
            continue
        if verdict is True and rel_tol == 0:
            x, y = _substitute(a, point), _substitute(b, point)
            if not (_is_exact(x) and _is_exact(y)):
                verdict = _confirm_precisely(x, y)
        verdicts.append(verdict)
    if any(v is False for v in verdicts):
        return False
    if len(verdicts) >= 2 and all(v is True for v in verdicts):
        return True
    return None


def _compare_decimal(dec: tuple[Fraction, int], other: Node) -> bool | None:
    value, places = dec
    half_ulp = Fraction(1, 2 * 10**places)
    try:
        exact = exact_value(other)
    except _NotExact:
        exact = None
    except (Undefined, Unsupported):
        return None
    if exact is not None:
        if exact == value:
            return True
        return (
            abs(exact - value) <= half_ulp and _significant_digits(value, places) >= _SIG_DIGITS_FOR_DECIMALS
        )
    try:
        y, mag = numeric_value(other)
    except (Undefined, Unsupported):
        return None
    if abs(y.imag) > 1e-9 * max(1.0, abs(y)):
        return False  # a real decimal never equals a non-real value
    if mag / max(abs(y), 1e-300) > 1e6:
        return None
    diff = abs(float(value) - y.real)
    if _significant_digits(value, places) < _SIG_DIGITS_FOR_DECIMALS:
        # Too few digits to stand for an irrational value; equal only if the other side is this decimal.
        return False if diff > 1e-12 * max(1.0, abs(y)) else None
    if diff <= float(half_ulp) * (1 + 1e-9):
        return True
    if diff > float(half_ulp) * (1 + 1e-6):
        return False
    return None


# --- closed forms (is a value still to be computed?) -------------------------------------------------------

_SMALL_DENOMINATOR = 1_000  # a value read numerically counts as rational only with a denominator this small


def _near_rational(x: float) -> bool:
    if not math.isfinite(x):
        return False
    nearest = Fraction(x).limit_denominator(_SMALL_DENOMINATOR)
    return abs(float(nearest) - x) <= 1e-12 * max(1.0, abs(x))


def rational_value(node: Node) -> bool | None:
    """Whether a tree without variables has a rational value (real and imaginary parts), or None if unknown.

    Exact where the exact evaluator can (``17 \\times 23 - 45``, ``\\sqrt{49}``, ``4!``); numerically
    otherwise, where a value within 1e-12 of a fraction with a denominator up to 1,000 counts
    (``\\sqrt{2}\\sqrt{2}``, ``\\pi - \\pi``, ``\\log_2 8``, ``\\sin \\frac{\\pi}{6}``). None where the value
    cannot be computed, or cancellation makes the float meaningless.
    """
    try:
        exact_value(node)
        return True
    except _NotExact:
        pass
    except (TooBig, Undefined, Unsupported, RecursionError):
        return None
    try:
        value, mag = numeric_value(node)
    except (TooBig, Undefined, Unsupported, RecursionError):
        return None
    if mag > 1e6 * max(abs(value), 1e-300) and mag > 1e-300:
        return None
    return _near_rational(value.real) and _near_rational(value.imag)


def closed_value(node: Node) -> bool:
    """Whether a function of numbers has a value written without it (``\\sin 30^\\circ``, ``\\arccos 0``).

    That is: a rational, a rational multiple of pi, or a square root of a rational.
    """
    try:
        value, mag = numeric_value(node)
    except (TooBig, Undefined, Unsupported, RecursionError):
        return False
    if abs(value.imag) > 1e-12 * max(1.0, abs(value)):
        return _near_rational(value.real) and _near_rational(value.imag)
    x = value.real
    return _near_rational(x) or _near_rational(x / math.pi) or _near_rational(x * x)


# --- high-precision confirmation ------------------------------------------------------------------------

MAX_DIGITS = 3_000  # decimal digits of the precise check; a term smaller than this relative to the value is
# no part of an honest answer (7 + e^{-10^{6}} is not 7)


def _is_exact(node: Node) -> bool:
    try:
        exact_value(node)
    except (_NotExact, TooBig, Undefined, Unsupported, RecursionError):
        return False
    return True


def _substitute(node: Node, env: dict[str, Fraction]) -> Node:
    """``node`` with each variable replaced by its value in ``env`` (a number literal)."""
    if node[0] == "var":
        return ("num", env[node[1]], None) if node[1] in env else node
    return (
        node[0],
        *(
            _substitute(c, env) if isinstance(c, tuple) and c and isinstance(c[0], str) else c
            for c in node[1:]
        ),
    )


def _literal_digits(node: Node) -> int:
    if node[0] == "num":
        value = node[1]
        return len(str(value.numerator)) + len(str(value.denominator))
    return sum(_literal_digits(c) for c in node[1:] if isinstance(c, tuple) and c and isinstance(c[0], str))


def _confirm_precisely(a: Node, b: Node) -> bool | None:
    """Whether two values that agree in floating point agree to many more digits (True/False; None if unknown).

    Floats agree to 1e-10 for values that differ: ``\\frac{665857}{470832}`` and ``\\sqrt{2}`` (a convergent),
    ``7 + e^{-100}`` and 7. With mpmath the values are computed again with more digits than the literals
    of both answers hold (so no fraction written within the length cap approximates an irrational value
    well enough), and more still where a term is tiny next to the value; equal means equal to within
    rounding at that precision. A term beyond :data:`MAX_DIGITS` digits of the value makes them differ.
    """
    mp = _mp_context()
    digits = min(MAX_DIGITS, 2 * (_literal_digits(a) + _literal_digits(b)) + 50)
    previous: tuple[int, Any] | None = None
    for _ in range(2):
        try:
            mp.dps = digits
            x, mag_x, tiny_x = _mp_value(a, mp)
            y, mag_y, tiny_y = _mp_value(b, mp)
            mag = max(mag_x, mag_y, mp.mpf(10) ** -300)
            tiny = min(tiny_x, tiny_y)
            # a rounding residue (\sin \pi) shrinks with the precision; a real term (e^{-100}) does not
            residue = previous is not None and tiny < previous[1] * mp.mpf(10) ** (
                (previous[0] - digits) // 2
            )
            if not residue and tiny < mag * mp.mpf(10) ** (20 - digits):  # a term below the precision
                needed = int(-mp.log10(tiny / mag)) + digits // 2 + 40
                if needed > MAX_DIGITS:
                    return False
                if needed > digits:
                    previous = (digits, tiny)
                    digits = needed
                    continue
            return bool(abs(x - y) <= mag * mp.mpf(10) ** (15 - digits))
        except (TooBig, Undefined, Unsupported, ValueError, ZeroDivisionError, OverflowError, RecursionError):
            return None
    return None


_MP = threading.local()


def _mp_context() -> Any:
    """An mpmath context for the calling thread alone (mpmath's global one is shared by every thread)."""
    context = getattr(_MP, "context", None)
    if context is None:
        import mpmath

        context = _MP.context = mpmath.MPContext()
    return context


_MP_FUNCS = {
    "\\sin": "sin",
    "\\cos": "cos",
    "\\tan": "tan",
    "\\sec": "sec",
    "\\csc": "csc",
    "\\cot": "cot",
    "\\arcsin": "asin",
    "\\arccos": "acos",
    "\\arctan": "atan",
    "\\sinh": "sinh",
    "\\cosh": "cosh",
    "\\tanh": "tanh",
    "\\ln": "ln",
    "\\log": "ln",
    "\\exp": "exp",
}


def _mp_value(node: Node, mpmath: Any) -> tuple[Any, Any, Any]:
    """``(value, largest magnitude, smallest non-zero magnitude)`` of ``node`` in the mpmath context ``mpmath``."""
    box = [mpmath.mpf(0), mpmath.inf]

    def track(v: Any) -> Any:
        m = abs(v)
        if not mpmath.isfinite(m) or m > mpmath.mpf(10) ** 300:
            raise TooBig("value overflows")
        if m > box[0]:
            box[0] = m
        if 0 < m < box[1]:
            box[1] = m
        return v

    def value(n: Node) -> Any:
        kind = n[0]
        if kind == "num":
            return track(mpmath.mpf(n[1].numerator) / n[1].denominator)
        if kind == "const":
            if n[1] == "pi":
                return track(+mpmath.pi)
            if n[1] == "e":
                return track(+mpmath.e)
            if n[1] == "i":
                return track(mpmath.mpc(0, 1))
            raise Unsupported("infinity is not a number")
        if kind == "neg":
            return -value(n[1])
        if kind in ("add", "sub", "mul", "div"):
            x, y = value(n[1]), value(n[2])
            if kind == "add":
                return track(x + y)
            if kind == "sub":
                return track(x - y)
            if kind == "mul":
                return track(x * y)
            if y == 0:
                raise Undefined("division by zero")
            return track(x / y)
        if kind == "pow":
            base, exponent = value(n[1]), value(n[2])
            if base == 0:
                raise Unsupported("a power of zero")
            if mpmath.im(exponent) == 0 and mpmath.re(exponent) == int(mpmath.re(exponent)):
                return track(mpmath.power(base, int(mpmath.re(exponent))))
            return track(mpmath.power(base, exponent))
        if kind == "root":
            radicand = value(n[1])
            index = 2 if n[2] is None else value(n[2])
            if mpmath.im(index) != 0 or mpmath.re(index) != int(mpmath.re(index)):
                raise Unsupported("root index must be an integer")
            k = int(mpmath.re(index))
            if not 1 <= k <= MAX_ROOT_INDEX:
                raise Unsupported("root index out of range")
            if mpmath.im(radicand) == 0 and mpmath.re(radicand) < 0 and k % 2 == 1:
                return track(-mpmath.root(-mpmath.re(radicand), k))
            return track(mpmath.root(radicand, k))
        if kind == "fact":
            x = value(n[1])
            if mpmath.im(x) != 0 or mpmath.re(x) != int(mpmath.re(x)) or mpmath.re(x) < 0:
                raise Unsupported("factorial of a non-natural number")
            if mpmath.re(x) > 170:
                raise TooBig("factorial too large")
            return track(mpmath.factorial(int(mpmath.re(x))))
        if kind == "binom":
            x, y = value(n[1]), value(n[2])
            return track(mpmath.binomial(x, y))
        if kind == "abs":
            return track(abs(value(n[1])))
        if kind in ("floor", "ceil"):
            inner = value(n[1])
            if mpmath.im(inner) != 0:
                raise Unsupported("the floor of a complex number")
            return track(mpmath.floor(inner) if kind == "floor" else mpmath.ceil(inner))
        if kind == "pct":
            return value(n[1]) / 100
        if kind == "func":
            argument = value(n[2])
            result = getattr(mpmath, _MP_FUNCS[n[1]])(argument)
            if n[3] is not None:
                result = result / mpmath.ln(value(n[3]))
            return track(result)
        raise Unsupported(f"cannot evaluate {kind}")

    result = value(node)
    return result, box[0], box[1]

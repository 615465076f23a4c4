"""Math and number problems: write a function (or a stdin/stdout program) over integers and numerals.

Description:
    Six templates, each a parameterised problem with a reference solution and generated tests:

    - ``digit_sum_in_base``: the sum of the digits of ``n`` written in base ``b``;
    - ``count_primes_upto``: how many primes are at most ``n``;
    - ``count_divisors``: how many positive divisors ``n`` has;
    - ``fib_mod``: the ``n``-th Fibonacci number modulo ``m``, for ``n`` up to 10**18;
    - ``to_roman``: ``n`` (1 to 3999) as a Roman numeral;
    - ``convert_base``: a numeral converted between bases 2 to 36.

    Edge cases are always among the tests (0 and 1, perfect squares, ``m = 1``, the subtractive Roman
    forms, zero in any base). Higher levels grow the numbers until only the efficient method fits the
    CPU limit (a sieve, trial division up to the square root, fast doubling).

Prompt:
    Call-based or stdin/stdout, as described in :mod:`.templates`.

Answer format:
    The complete function or program in the last ```python fenced block.

Scoring:
    Every test must pass (:mod:`.verifier`), each within 1 s of CPU time; option ``partial_credit``
    pays the fraction passed.

Difficulty:
    :data:`LEVELS`: ``size`` is the number of decimal digits of the inputs (1 at level 1, 12 at level
    5, 18 for ``fib_mod``); performance tests at levels 4 and 5 (primes up to 10**6, divisors of
    numbers up to 10**12, Fibonacci indices up to 10**18).

Version History:
    v0: initial release.
    v0 (unreleased): returned values are compared as a judge does (a set is not a list, no tolerance between
        integers, a bool is not an int) (issue 17); each test runs in a fresh process that sees only its own
        input, the CPU of forked children counts, and hidden tests are named, not shown, in feedback (issue
        18, see docs/code.md).
"""

from __future__ import annotations

import random
import string

from guru_envs.code.templates import Arg, Cases, CodeLevel, Template, TemplateFamily

LEVELS: dict[int, CodeLevel] = {
    1: CodeLevel(size=1, value=20, tests=3),
    2: CodeLevel(size=3, value=100, tests=4),
    3: CodeLevel(size=5, value=1000, tests=6),
    4: CodeLevel(size=8, value=3999, tests=8, large=10, large_tests=1),
    5: CodeLevel(size=12, value=3999, tests=10, large=12, large_tests=2),
}


def _number(rng: random.Random, digits: int) -> int:
    return rng.randint(0, 10**digits)


# ------------------------------------------------------------------------------------ digit sum


def digit_sum_in_base(n: int, b: int) -> int:
    """Peel off digits with divmod."""
    total = 0
    while n > 0:
        n, digit = divmod(n, b)
        total += digit
    return total


def _digit_sum_in_base_bug(n: int, b: int) -> int:
    return sum(int(d) for d in str(n))


def _digit_sum_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[0, 2], [1, 10], [255, 16], [7, 2], [10, 10], [35, 36]]
    rand = [[_number(rng, cfg.size + 1), rng.randint(2, 36)] for _ in range(cfg.tests)]
    return Cases(edge, rand)


DIGIT_SUM = Template(
    solution=digit_sum_in_base,
    buggy=_digit_sum_in_base_bug,
    args=(Arg("n", "int"), Arg("b", "int")),
    returns="int",
    statement="Write the non-negative integer `n` in base `b` (digit values 0 to `b - 1`).",
    result="the sum of the values of its digits",
    cases=_digit_sum_cases,
    notes=("2 <= b <= 36",),
    approach="Repeatedly divide by the base and add up the remainders.",
)


# ------------------------------------------------------------------------------------ prime count


def count_primes_upto(n: int) -> int:
    """Sieve of Eratosthenes over a bytearray."""
    if n < 2:
        return 0
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    p = 2
    while p * p <= n:
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, n + 1, p)))
        p += 1
    return sum(sieve)


def _count_primes_upto_bug(n: int) -> int:
    count = 0
    for m in range(2, n):
        if all(m % d for d in range(2, int(m**0.5) + 1)):
            count += 1
    return count


def _prime_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[0], [1], [2], [3], [10], [97]]
    top = [30, 200, 5000, 50000, 200000][level - 1]
    rand = [[rng.randint(0, top)] for _ in range(cfg.tests)]
    large = [[rng.randint(500_000, 1_000_000)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


PRIMES = Template(
    solution=count_primes_upto,
    buggy=_count_primes_upto_bug,
    args=(Arg("n", "int"),),
    returns="int",
    statement="A prime is an integer greater than 1 whose only positive divisors are 1 and itself.",
    result="how many primes are less than or equal to `n`",
    cases=_prime_cases,
    approach="Sieve of Eratosthenes up to n.",
)


# -------------------------------------------------------------------------------- divisor count


def count_divisors(n: int) -> int:
    """Divisors pair up as ``(d, n // d)`` with ``d <= sqrt(n)``."""
    count = 0
    d = 1
    while d * d <= n:
        if n % d == 0:
            count += 1 if d * d == n else 2
        d += 1
    return count


def _count_divisors_bug(n: int) -> int:
    count = 0
    d = 1
    while d * d <= n:
        if n % d == 0:
            count += 2
        d += 1
    return count


def _divisor_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[1], [2], [12], [36], [97], [1024]]
    rand = []
    for _ in range(cfg.tests):
        n = max(1, _number(rng, min(cfg.size, 8)))
        if rng.random() < 0.3:
            n = rng.randint(1, int(n**0.5) + 1) ** 2  # squares are where the common bug shows
        rand.append([n])
    large = [[rng.randint(10 ** (cfg.large - 1), 10**cfg.large)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


DIVISORS = Template(
    solution=count_divisors,
    buggy=_count_divisors_bug,
    args=(Arg("n", "int"),),
    returns="int",
    statement="Consider the positive integers that divide `n` exactly, including 1 and `n` itself.",
    result="how many there are",
    cases=_divisor_cases,
    approach="Trial division up to the square root, counting each divisor pair (d, n // d) once.",
)


# --------------------------------------------------------------------------------------- fibonacci


def fib_mod(n: int, m: int) -> int:
    """Fast doubling: F(2k) = F(k)(2F(k+1) - F(k)), F(2k+1) = F(k)^2 + F(k+1)^2, all modulo m."""
    a, b = 0, 1 % m  # (F(0), F(1))
    for bit in bin(n)[2:]:
        c = a * ((2 * b - a) % m) % m
        d = (a * a + b * b) % m
        a, b = (d, (c + d) % m) if bit == "1" else (c, d)
    return a


def _fib_mod_bug(n: int, m: int) -> int:
    if n < 2:
        return n
    a, b = 0, 1
    for _ in range(n - 1):
        a, b = b, (a + b) % m
    return b


def _fib_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[0, 7], [1, 1], [1, 10], [10, 1000], [2, 5], [90, 10**9 + 7]]
    digits = [1, 3, 5, 12, 18][level - 1]
    rand = [[_number(rng, digits), rng.randint(1, 10**9)] for _ in range(cfg.tests)]
    large = [[rng.randint(10**17, 10**18), rng.randint(2, 10**9)] for _ in range(cfg.large_tests)]
    return Cases(edge, rand, large)


FIBONACCI = Template(
    solution=fib_mod,
    buggy=_fib_mod_bug,
    args=(Arg("n", "int"), Arg("m", "int")),
    returns="int",
    statement="The Fibonacci numbers are F(0) = 0, F(1) = 1 and F(k) = F(k - 1) + F(k - 2) for k >= 2.",
    result="F(`n`) modulo `m` (a number from 0 to `m - 1`)",
    cases=_fib_cases,
    approach="Fast doubling over the bits of n, everything reduced modulo m.",
)


# ------------------------------------------------------------------------------------------ roman


def to_roman(n: int) -> str:
    """Greedy over the values including the subtractive pairs."""
    table = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]  # fmt: skip
    out = []
    for value, symbol in table:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def _to_roman_bug(n: int) -> str:
    table = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]
    out = []
    for value, symbol in table:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def _roman_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [[1], [4], [9], [14], [40], [90], [400], [900], [1994], [3999]]
    rand = [[rng.randint(1, cfg.value)] for _ in range(cfg.tests)]
    return Cases(edge, rand)


ROMAN = Template(
    solution=to_roman,
    buggy=_to_roman_bug,
    args=(Arg("n", "int"),),
    returns="str",
    statement=(
        "Roman numerals use I=1, V=5, X=10, L=50, C=100, D=500, M=1000, written from largest to smallest, "
        "with the subtractive forms IV=4, IX=9, XL=40, XC=90, CD=400 and CM=900 used instead of four equal "
        "symbols in a row (so 1994 is MCMXCIV)."
    ),
    result="`n` as a Roman numeral in uppercase",
    cases=_roman_cases,
    approach="Greedily take the largest value, subtractive pairs included, that still fits.",
)


# -------------------------------------------------------------------------------------------- base


def convert_base(digits: str, from_base: int, to_base: int) -> str:
    """Parse the numeral, then write it out by repeated division."""
    symbols = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    value = 0
    for ch in digits:
        value = value * from_base + symbols.index(ch)
    if value == 0:
        return "0"
    out = []
    while value:
        value, d = divmod(value, to_base)
        out.append(symbols[d])
    return "".join(reversed(out))


def _convert_base_bug(digits: str, from_base: int, to_base: int) -> str:
    symbols = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    value = int(digits, from_base)
    out = []
    while value:
        value, d = divmod(value, to_base)
        out.append(symbols[d])
    return "".join(reversed(out))


def _numeral(value: int, base: int) -> str:
    symbols = string.digits + string.ascii_uppercase
    out = []
    while value:
        value, d = divmod(value, base)
        out.append(symbols[d])
    return "".join(reversed(out)) or "0"


def _base_cases(rng: random.Random, level: int, cfg: CodeLevel) -> Cases:
    edge = [["0", 10, 2], ["FF", 16, 10], ["255", 10, 16], ["1", 2, 36], ["Z", 36, 10], ["10", 36, 2]]
    rand = []
    for _ in range(cfg.tests):
        source = rng.randint(2, 36)
        rand.append([_numeral(_number(rng, 2 * cfg.size + 1), source), source, rng.randint(2, 36)])
    return Cases(edge, rand)


BASES = Template(
    solution=convert_base,
    buggy=_convert_base_bug,
    args=(Arg("digits", "str"), Arg("from_base", "int"), Arg("to_base", "int")),
    returns="str",
    statement=(
        "`digits` is a non-negative integer written in base `from_base` with the symbols 0-9 then A-Z "
        "(A = 10, ..., Z = 35), without leading zeros. Write the same number in base `to_base`, using the "
        "same symbols and no leading zeros (zero is written `0`)."
    ),
    result="the converted numeral",
    cases=_base_cases,
    notes=("2 <= from_base, to_base <= 36",),
    approach="Read the numeral into an integer, then write it out by repeated division.",
)


class NumbersFamily(TemplateFamily):
    """Math and number problems as functions or stdin/stdout programs (see the module docstring)."""

    name = "numbers"
    templates = (DIGIT_SUM, PRIMES, DIVISORS, FIBONACCI, ROMAN, BASES)
    LEVELS = LEVELS

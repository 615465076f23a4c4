"""Physical quantities in answers: read ``3.0 km``, ``2.5\\times10^{3}\\,\\mathrm{J\\,kg^{-1}}`` or ``25 °C``.

Unit symbols are resolved through :mod:`sympy.physics.units` (scale to SI and dimension, computed once
per symbol and cached), but answer text is never handed to sympy: a small tokenizer and recursive-descent
parser read it, under a length cap, a token cap, a nesting cap and an exponent cap, so hostile input costs
microseconds and cannot hang. Comparison converts the answer into the reference's unit and applies the
tolerance there, so ``3000 m`` matches ``3.0 km`` and ``26 °C`` does not match ``25 °C`` (a relative
tolerance on kelvin would accept it).

Conventions: ``a/b c`` means ``a/(b·c)``; a temperature unit standing alone (``°C``, ``°F``) is a point on
its scale (affine), inside a compound (``J/(kg °C)``) it is an interval; angles are dimensionless with
``° = π/180``; a percent sign scales by 1/100. Dimensionless units still measure different things: a
unit carries its power of plane angle (:attr:`Unit.angle`), and an angle, a solid angle and a percentage
or plain number never convert into each other (52.2 % is not 0.522 rad).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from guru_envs.verify.claim import UNIT_WRAPPER_TIE, equation_value, read_claim, spaced_values, word_problem
from guru_envs.verify.extract import strip_wrappers
from guru_envs.verify.text import fold_unicode

MAX_MEASUREMENT_CHARS = 300  # "value unit" strings longer than this are not one measurement
MAX_UNIT_CHARS = 160
MAX_TOKENS = 48
MAX_DEPTH = 4
MAX_EXPONENT = 12

DIMENSIONS = ("length", "mass", "time", "current", "temperature", "amount", "luminous intensity")
_NO_DIMS = (0, 0, 0, 0, 0, 0, 0)


class UnitError(ValueError):
    """The text is not a unit this module can read."""


@dataclass(frozen=True)
class Unit:
    """A unit as its SI scale and dimension; ``si = value * scale + offset``.

    Attributes:
        scale: SI value of one unit (``km`` -> 1000).
        dims: exponents of (length, mass, time, current, temperature, amount, luminous intensity).
        offset: only for a lone ``°C``/``°F``: the SI value (kelvin) of the scale's zero.
        text: how the unit was written (for messages).
        angle: the power of plane angle (``rad`` and ``°`` 1, ``sr`` 2, ``rad/s`` 1), which SI drops from
            ``dims``; it keeps angles, solid angles, percentages and plain numbers apart.
    """

    scale: float
    dims: tuple[int, ...] = _NO_DIMS
    offset: float = 0.0
    text: str = ""
    angle: int = 0

    def __mul__(self, other: Unit) -> Unit:
        dims = tuple(a + b for a, b in zip(self.dims, other.dims))
        return Unit(self.scale * other.scale, dims, angle=self.angle + other.angle)

    def __truediv__(self, other: Unit) -> Unit:
        dims = tuple(a - b for a, b in zip(self.dims, other.dims))
        return Unit(self.scale / other.scale, dims, angle=self.angle - other.angle)

    def __pow__(self, power: int) -> Unit:
        return Unit(self.scale**power, tuple(a * power for a in self.dims), angle=self.angle * power)

    @property
    def dimensionless(self) -> bool:
        """True for pure numbers, percentages and angles."""
        return self.dims == _NO_DIMS

    @property
    def kind(self) -> tuple[tuple[int, ...], int]:
        """What the unit measures: its dimension and its power of plane angle.

        SI counts angles as dimensionless, so a percentage, a radian, a degree, a steradian and a plain
        number share one dimension; a unit converts only into a unit of the same kind, so 52.2 % is never
        0.522 rad, nor 0.399 rad 0.399 sr (an angle squared).
        """
        return self.dims, self.angle

    def to_si(self, value: float) -> float:
        """The SI value of ``value`` in this unit."""
        return value * self.scale + self.offset

    def from_si(self, si_value: float) -> float:
        """The value in this unit of an SI value."""
        return (si_value - self.offset) / self.scale

    def describe(self) -> str:
        """The dimension in words (``length/time``), for reasons shown to a model."""
        return describe_dims(self.dims)


ONE = Unit(1.0, _NO_DIMS, 0.0, "")


def describe_kind(unit: Unit) -> str:
    """What a dimensionless unit measures, in words: ``an angle``, ``a solid angle``, ``a plain number``."""
    if not unit.dimensionless:
        return f"a {unit.describe()}"
    if unit.angle == 1:
        return "an angle"
    if unit.angle == 2:
        return "a solid angle"
    if unit.angle:
        return f"an angle to the power {unit.angle}"
    return "a percentage" if "%" in unit.text or "percent" in unit.text.lower() else "a plain number"


def describe_dims(dims: tuple[int, ...]) -> str:
    """``(1, 0, -1, ...)`` -> ``length/time``; ``dimensionless`` for all zeros."""
    num = [n if p == 1 else f"{n}^{p}" for n, p in zip(DIMENSIONS, dims) if p > 0]
    den = [n if p == -1 else f"{n}^{-p}" for n, p in zip(DIMENSIONS, dims) if p < 0]
    if not num and not den:
        return "dimensionless"
    return ("·".join(num) or "1") + ("/" + "·".join(den) if den else "")


# --- the symbol table: symbol -> (sympy expression builder, takes SI prefixes) -------------------------

_Builder = Callable[[Any, Any], Any]  # (sympy.physics.units, sympy) -> expression

_SYMBOLS: dict[str, tuple[_Builder, bool]] = {
    "m": (lambda u, sp: u.meter, True),
    "g": (lambda u, sp: u.gram, True),
    "s": (lambda u, sp: u.second, True),
    "A": (lambda u, sp: u.ampere, True),
    "K": (lambda u, sp: u.kelvin, True),
    "mol": (lambda u, sp: u.mole, True),
    "cd": (lambda u, sp: u.candela, False),
    "N": (lambda u, sp: u.newton, True),
    "J": (lambda u, sp: u.joule, True),
    "W": (lambda u, sp: u.watt, True),
    "Wh": (lambda u, sp: u.watt * u.hour, True),
    "Pa": (lambda u, sp: u.pascal, True),
    "L": (lambda u, sp: u.liter, True),
    "l": (lambda u, sp: u.liter, True),
    "eV": (lambda u, sp: u.electronvolt, True),
    "C": (lambda u, sp: u.coulomb, True),
    "V": (lambda u, sp: u.volt, True),
    "Ω": (lambda u, sp: u.ohm, True),
    "F": (lambda u, sp: u.farad, True),
    "H": (lambda u, sp: u.henry, True),
    "T": (lambda u, sp: u.tesla, True),
    "Hz": (lambda u, sp: u.hertz, True),
    "S": (lambda u, sp: u.siemens, True),
    "Wb": (lambda u, sp: u.weber, True),
    "Bq": (lambda u, sp: u.becquerel, True),
    "lx": (lambda u, sp: u.lux, True),
    "cal": (lambda u, sp: sp.Rational(4184, 1000) * u.joule, True),  # thermochemical calorie
    "M": (lambda u, sp: u.mole / u.liter, True),  # molar
    "bar": (lambda u, sp: u.bar, True),
    "t": (lambda u, sp: u.tonne, True),
    "Da": (lambda u, sp: u.dalton, True),
    "pc": (lambda u, sp: u.astronomical_unit * 648000 / sp.pi, True),  # parsec, from its definition
    "ly": (lambda u, sp: u.lightyear, True),
    "yr": (lambda u, sp: u.julian_year, True),
    "min": (lambda u, sp: u.minute, False),
    "h": (lambda u, sp: u.hour, False),
    "d": (lambda u, sp: u.day, False),
    "AU": (lambda u, sp: u.astronomical_unit, False),
    "au": (lambda u, sp: u.astronomical_unit, False),
    "atm": (lambda u, sp: u.atmosphere, False),
    "Torr": (lambda u, sp: u.torr, False),
    "mmHg": (lambda u, sp: u.mmHg, False),
    "psi": (lambda u, sp: u.psi, False),
    "in": (lambda u, sp: u.inch, False),
    "ft": (lambda u, sp: u.foot, False),
    "yd": (lambda u, sp: u.yard, False),
    "mi": (lambda u, sp: u.mile, False),
    "mph": (lambda u, sp: u.mile / u.hour, False),
    "lb": (lambda u, sp: u.pound, False),
    "u": (lambda u, sp: u.atomic_mass_unit, False),
    "Å": (lambda u, sp: u.angstrom, False),
    "rad": (lambda u, sp: u.radian, False),
    "sr": (lambda u, sp: u.steradian, False),
    "°": (lambda u, sp: u.degree, False),
    "%": (lambda u, sp: u.percent, False),
    "Msun": (lambda u, sp: sp.Float("1.98847e30") * u.kilogram, False),  # IAU nominal solar mass
    "Lsun": (lambda u, sp: sp.Float("3.828e26") * u.watt, False),  # IAU nominal solar luminosity
    "Rsun": (lambda u, sp: sp.Float("6.957e8") * u.meter, False),  # IAU nominal solar radius
    "Mearth": (lambda u, sp: sp.Float("5.9722e24") * u.kilogram, False),
    "Rearth": (lambda u, sp: sp.Float("6.371e6") * u.meter, False),  # mean radius
}

_ALIASES = {
    "ohm": "Ω",
    "ohms": "Ω",
    "micron": "μm",
    "microns": "μm",
    "Ohm": "Ω",
    "Ohms": "Ω",
    "sec": "s",
    "secs": "s",
    "hr": "h",
    "hrs": "h",
    "mins": "min",
    "yrs": "yr",
    "y": "yr",
    "a": "yr",
    "deg": "°",
    "degs": "°",
    "lbs": "lb",
    "amu": "u",
    "kph": "km/h",
    "cc": "cm^3",
    "M_sun": "Msun",
    "Msol": "Msun",
    "M_sol": "Msun",
    "L_sun": "Lsun",
    "R_sun": "Rsun",
    "M_earth": "Mearth",
    "R_earth": "Rearth",
    "Mo": "Msun",
    "Lo": "Lsun",
    "Ro": "Rsun",
    "day": "d",
    "days": "d",
    "Nm": "N*m",
    "Gy": "Gyr",
    "Ga": "Gyr",
    "Ma": "Myr",
    "ka": "kyr",
    "My": "Myr",
    "°C": "°C",
    "°F": "°F",
    "degC": "°C",
    "degF": "°F",
    "℃": "°C",
    "℉": "°F",
}

_WORDS = {
    "meter": "m",
    "metre": "m",
    "gram": "g",
    "gramme": "g",
    "second": "s",
    "ampere": "A",
    "amp": "A",
    "kelvin": "K",
    "mole": "mol",
    "candela": "cd",
    "newton": "N",
    "joule": "J",
    "watt": "W",
    "pascal": "Pa",
    "liter": "L",
    "litre": "L",
    "electronvolt": "eV",
    "coulomb": "C",
    "volt": "V",
    "ohm": "Ω",
    "farad": "F",
    "henry": "H",
    "henries": "H",
    "tesla": "T",
    "hertz": "Hz",
    "siemens": "S",
    "weber": "Wb",
    "calorie": "cal",
    "molar": "M",
    "tonne": "t",
    "dalton": "Da",
    "parsec": "pc",
    "lightyear": "ly",
    "year": "yr",
    "minute": "min",
    "hour": "h",
    "day": "d",
    "atmosphere": "atm",
    "torr": "Torr",
    "inch": "in",
    "inches": "in",
    "foot": "ft",
    "feet": "ft",
    "yard": "yd",
    "mile": "mi",
    "pound": "lb",
    "radian": "rad",
    "steradian": "sr",
    "degree": "°",
    "percent": "%",
    "angstrom": "Å",
    "bar": "bar",
    "becquerel": "Bq",
    "lux": "lx",
}

_PREFIXES = {
    "Y": 1e24,
    "Z": 1e21,
    "E": 1e18,
    "P": 1e15,
    "T": 1e12,
    "G": 1e9,
    "M": 1e6,
    "k": 1e3,
    "h": 1e2,
    "da": 1e1,
    "d": 1e-1,
    "c": 1e-2,
    "m": 1e-3,
    "μ": 1e-6,
    "u": 1e-6,
    "n": 1e-9,
    "p": 1e-12,
    "f": 1e-15,
    "a": 1e-18,
    "z": 1e-21,
    "y": 1e-24,
}
_PREFIX_WORDS = {
    "yotta": "Y",
    "zetta": "Z",
    "exa": "E",
    "peta": "P",
    "tera": "T",
    "giga": "G",
    "mega": "M",
    "kilo": "k",
    "hecto": "h",
    "deca": "da",
    "deka": "da",
    "deci": "d",
    "centi": "c",
    "milli": "m",
    "micro": "μ",
    "nano": "n",
    "pico": "p",
    "femto": "f",
    "atto": "a",
}

_CELSIUS = Unit(1.0, (0, 0, 0, 0, 1, 0, 0), 273.15, "°C")
_FAHRENHEIT = Unit(5 / 9, (0, 0, 0, 0, 1, 0, 0), 459.67 * 5 / 9, "°F")


@functools.cache
def _symbol_unit(symbol: str) -> Unit:
    """SI scale and dimension of a table symbol, through sympy.physics.units (once per symbol)."""
    import sympy
    import sympy.physics.units as u

    expr = _SYMBOLS[symbol][0](u, sympy)
    base = [u.meter, u.kilogram, u.second, u.ampere, u.kelvin, u.mole, u.candela]
    converted = u.convert_to(expr, [*base, u.radian])
    converted = converted.subs(
        {u.radian: 1, u.steradian: 1, u.percent: sympy.Rational(1, 100), u.degree: sympy.pi / 180}
    )
    scale, rest = converted.as_coeff_Mul()
    powers = rest.as_powers_dict() if rest != 1 else {}
    dims = []
    for b in base:
        dims.append(int(powers.pop(b, 0)))
    leftover = {k: v for k, v in powers.items() if k != 1}
    if leftover:
        # a constant factor such as pi stays in the coefficient part of as_powers_dict
        for k, v in leftover.items():
            if k.free_symbols or k.atoms(u.Quantity):
                raise UnitError(f"unit {symbol!r} did not reduce to SI base units: {converted}")
            scale = scale * k**v
    return Unit(float(scale), tuple(dims), 0.0, symbol, _ANGLE_POWER.get(symbol, 0))


_ANGLE_POWER = {"rad": 1, "°": 1, "sr": 2}


def _lookup(name: str) -> Unit:
    """The unit named by one token: exact symbol, alias, prefix + symbol, then English words."""
    if name in _SYMBOLS:
        return _symbol_unit(name)
    if name in _ALIASES:
        target = _ALIASES[name]
        if target == "°C":
            return _CELSIUS
        if target == "°F":
            return _FAHRENHEIT
        return _symbol_unit(target) if target in _SYMBOLS else parse_unit(target)
    for plen in (2, 1):
        prefix, rest = name[:plen], name[plen:]
        if prefix in _PREFIXES and rest in _SYMBOLS and _SYMBOLS[rest][1]:
            unit = _symbol_unit(rest)
            return Unit(unit.scale * _PREFIXES[prefix], unit.dims, 0.0, name, unit.angle)
    word = name.lower()
    for candidate in (
        word,
        word[:-1] if word.endswith("s") else None,
        word[:-2] if word.endswith("es") else None,
    ):
        if not candidate:
            continue
        if candidate in _WORDS:
            return _symbol_unit(_WORDS[candidate])
        for pword, prefix in _PREFIX_WORDS.items():
            if candidate.startswith(pword) and candidate[len(pword) :] in _WORDS:
                symbol = _WORDS[candidate[len(pword) :]]
                if _SYMBOLS[symbol][1]:
                    unit = _symbol_unit(symbol)
                    return Unit(unit.scale * _PREFIXES[prefix], unit.dims, 0.0, name, unit.angle)
    raise UnitError(f"unknown unit {name!r}")


# --- normalisation: LaTeX, unicode and words into a plain unit string --------------------------------

_WRAPPER = re.compile(
    r"\\(?:text|textrm|textup|mathrm|mathit|mathsf|mathbf|textbf|operatorname|rm|unit|si|mbox|num)\s*\{([^{}]*)\}"
)
_OLD_STYLE_FONT = re.compile(r"\{\\(?:rm|mathrm|textrm|it|bf)\s+([^{}]*)\}")
_SIUNITX = re.compile(r"\\(?:SI|qty)\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SIUNITX_MACROS = {
    "kilo": "k",
    "mega": "M",
    "giga": "G",
    "milli": "m",
    "micro": "μ",
    "nano": "n",
    "pico": "p",
    "centi": "c",
    "meter": "m",
    "metre": "m",
    "second": "s",
    "gram": "g",
    "kilogram": "kg",
    "kelvin": "K",
    "mole": "mol",
    "newton": "N",
    "joule": "J",
    "watt": "W",
    "pascal": "Pa",
    "volt": "V",
    "ampere": "A",
    "ohm": "Ω",
    "coulomb": "C",
    "hertz": "Hz",
    "liter": "L",
    "litre": "L",
    "farad": "F",
    "henry": "H",
    "tesla": "T",
    "electronvolt": "eV",
    "hour": "h",
    "minute": "min",
    "day": "d",
    "degreeCelsius": "°C",
    "celsius": "°C",
    "percent": "%",
    "per": "/",
    "squared": "^2",
    "cubed": "^3",
    "Omega": "Ω",
    "mu": "μ",
    "AA": "Å",
    "angstrom": "Å",
    "degree": "°",
    "textdegree": "°",
    "circ": "°",
    "odot": "sun",
    "sun": "sun",
    "cdot": "*",
    "times": "*",
    "%": "%",
    "mol": "mol",
    "molar": "M",
    "astronomicalunit": "AU",
    "radian": "rad",
}
_JOINING_MACROS = {
    "kilo",
    "mega",
    "giga",
    "milli",
    "micro",
    "nano",
    "pico",
    "centi",
    "mu",
    "Omega",
    "AA",
    "circ",
    "degree",
    "textdegree",
}
_SPACES = re.compile(r"\\[,;:! ]|\\quad|\\qquad|~|\\thinspace|\\enspace")
_MACRO = re.compile(r"\\([A-Za-z]+|%)")
_DEGREE_TEMP = re.compile(r"(?i)(?:\bdeg(?:ree)?s?\.?\s*|°\s*)(c\b|celsius\b|centigrade\b|f\b|fahrenheit\b)")
_TEMP_WORD = re.compile(r"(?i)\b(celsius|centigrade|fahrenheit)\b")
_SQUARE = re.compile(r"(?i)\b(square|sq\.?|cubic|cu\.?)\s+([A-Za-zμΩ]+)")
_POSTFIX_POWER = re.compile(r"(?i)\s*\b(squared|cubed)\b")
_SUN = re.compile(r"\b([MLR])\s*_?\s*(?:sun|⊙|☉)")
_BIG_YEARS = re.compile(r"(?i)\b(thousand|million|billion)\s+years?\b")
_TWO_WORD_UNITS = re.compile(r"(?i)\b(electron|light)[\s-]+(volts?|years?)\b")
_SOLAR_WORDS = re.compile(r"(?i)\bsolar\s+(mass|luminosit|radi)\w*")


_LEFT_RIGHT = re.compile(r"\\(?:left|right|displaystyle)\b")
_PI = re.compile(r"\\(?:var)?pi(?![A-Za-z])")
_SUB_BRACES = re.compile(r"_\{([^{}]*)\}")
_SUP_BRACES = re.compile(r"\^\s*\{([^{}]*)\}")
_LONE_MU = re.compile(r"μ\s+(?=[A-Za-zΩ])")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_DEGREE_SPACE = re.compile(r"°\s+([CF])\b")
_PER = re.compile(r"(?i)\bper\b")


def _normalize(text: str) -> str:
    """Plain ASCII-ish unit text: LaTeX wrappers removed, symbols unified, words kept for the lexer."""
    s = fold_unicode(text)  # m/s² is m/s^{2}; 4.92₃ is not 4.923
    s = s.replace("\u2212", "-").replace("\u2009", " ").replace("\u202f", " ").replace("\u00a0", " ")
    s = s.replace("·", "*").replace("⋅", "*").replace("•", "*").replace("×", "*").replace("÷", "/")
    s = _SPACES.sub(" ", s)
    s = _LEFT_RIGHT.sub("", s)
    s = _PI.sub("π", s)
    s = s.replace("\\$", "").replace("$", "").replace("{,}", ",")  # 1{,}250: a LaTeX thousands separator
    s = _OLD_STYLE_FONT.sub(r" \1 ", s)  # {\rm m/s}
    s = s.replace("^{\\circ}", "°").replace("^\\circ", "°").replace("^{°}", "°").replace("^°", "°")
    s = _SUB_BRACES.sub(r"_\1", s)
    s = _SUP_BRACES.sub(r"^(\1)", s)
    for _ in range(8):
        new = _SIUNITX.sub(r"\1 \2", s)
        new = _WRAPPER.sub(r" \1 ", new)
        new = _FRAC.sub(r"(\1)/(\2)", new)
        if new == s:
            break
        s = new

    def macro(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _SIUNITX_MACROS:
            value = _SIUNITX_MACROS[name]
            return value if name in _JOINING_MACROS else value + " "
        raise UnitError(f"unknown macro \\{name}")

    s = _MACRO.sub(macro, s)
    s = _LONE_MU.sub("μ", s)  # "\mu F": a lone mu is always a prefix
    s = s.replace("{", "(").replace("}", ")")
    s = _EMPTY_PARENS.sub("", s)
    s = _TWO_WORD_UNITS.sub(lambda m: m.group(1) + m.group(2), s)  # electron volts, light-years
    s = _SOLAR_WORDS.sub(lambda m: {"m": "Msun", "l": "Lsun", "r": "Rsun"}[m.group(1)[0].lower()], s)
    s = _SUN.sub(r"\1sun", s)
    s = _DEGREE_TEMP.sub(lambda m: "°C" if m.group(1)[0].lower() == "c" else "°F", s)
    s = _TEMP_WORD.sub(lambda m: "°F" if m.group(1)[0].lower() == "f" else "°C", s)
    s = _DEGREE_SPACE.sub(r"°\1", s)
    s = _SQUARE.sub(lambda m: f"{m.group(2)}^{2 if m.group(1)[0].lower() == 's' else 3}", s)
    s = _POSTFIX_POWER.sub(lambda m: "^2" if m.group(1).lower() == "squared" else "^3", s)
    s = _BIG_YEARS.sub(
        lambda m: {"thousand": "kyr", "million": "Myr", "billion": "Gyr"}[m.group(1).lower()], s
    )
    s = _PER.sub("/", s)
    s = s.replace("**", "^")
    return s.strip()


# --- the unit grammar ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<name>°[CF]?|%|[A-Za-zΩμÅ_]+)(?P<tail>-?\d+)?|(?P<num>\d+(?:\.\d+)?)|(?P<op>\^|\*|/|\(|\)|-|\+|\.))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; raises UnitError on anything else."""
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise UnitError(f"unexpected character {text[pos]!r} in unit")
        if m.group("name"):
            out.append(("name", m.group("name")))
            tail = m.group("tail")
            if tail:  # m2, s-1: an exponent written right after the symbol
                out += (
                    [("op", "^"), ("op", "-"), ("num", tail[1:])]
                    if tail[0] == "-"
                    else [("op", "^"), ("num", tail)]
                )
        elif m.group("num"):
            out.append(("num", m.group("num")))
        else:
            out.append(("op", m.group("op")))
        if len(out) > MAX_TOKENS:
            raise UnitError("unit has too many parts")
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def unit(self, depth: int) -> Unit:
        result = self.group(depth)
        while (tok := self.peek()) is not None and tok == ("op", "/"):
            self.take()
            result = result / self.group(depth)
        return result

    def group(self, depth: int) -> Unit:
        result = self.factor(depth)
        while (tok := self.peek()) is not None:
            if tok in (("op", "*"), ("op", ".")):
                self.take()
            elif not (tok[0] == "name" or tok == ("op", "(") or tok[0] == "num"):
                break
            result = result * self.factor(depth)
        return result

    def factor(self, depth: int) -> Unit:
        tok = self.peek()
        if tok is None:
            raise UnitError("unit ends too early")
        self.take()
        if tok[0] == "name":
            nxt = self.peek()
            if tok[1] in _PREFIXES and nxt is not None and nxt[0] == "name" and tok[1] not in _SYMBOLS:
                self.take()  # "k Ω" from "\\text{k}\\Omega": a lone prefix joins the next symbol
                base = _lookup(tok[1] + nxt[1])
            else:
                base = _lookup(tok[1])
        elif tok[0] == "num":
            if tok[1] != "1" or self.peek() != ("op", "/"):  # only the 1 of 1/s: "0.5 1.0" is two numbers
                raise UnitError(f"a number ({tok[1]}) inside a unit")
            base = ONE
        elif tok[1] == "(":
            if depth >= MAX_DEPTH:
                raise UnitError("unit nests too deeply")
            base = self.unit(depth + 1)
            close = self.peek()
            if close is None or close != ("op", ")"):
                raise UnitError("unbalanced parenthesis in unit")
            self.take()
        else:
            raise UnitError(f"unexpected {tok[1]!r} in unit")
        nxt = self.peek()
        if nxt is not None and nxt == ("op", "^"):
            self.take()
            base = base ** self.exponent()
        return base

    def exponent(self) -> int:
        tok = self.peek()
        paren = tok is not None and tok == ("op", "(")
        if paren:
            self.take()
        sign = 1
        tok = self.peek()
        if tok is not None and tok in (("op", "-"), ("op", "+")):
            sign = -1 if tok[1] == "-" else 1
            self.take()
        tok = self.peek()
        if tok is None or tok[0] != "num" or not tok[1].isdigit():
            raise UnitError("exponent must be an integer")
        self.take()
        value = sign * int(tok[1])
        if abs(value) > MAX_EXPONENT:
            raise UnitError(f"exponent {value} is out of range")
        if paren:
            close = self.peek()
            if close is None or close != ("op", ")"):
                raise UnitError("unbalanced parenthesis in exponent")
            self.take()
        return value


def parse_unit(text: str) -> Unit:
    """The unit written in ``text`` (``km/h``, ``J kg^-1 K^-1``, ``\\mathrm{m\\,s^{-2}}``, ``°C``).

    The empty string is the dimensionless unit. Raises UnitError for anything it cannot read.
    """
    if not isinstance(text, str):
        raise UnitError("unit must be a string")
    if len(text) > MAX_UNIT_CHARS:
        raise UnitError(f"unit text longer than {MAX_UNIT_CHARS} characters")
    return _parse_unit_cached(text)


@functools.lru_cache(maxsize=4096)
def _parse_unit_cached(text: str) -> Unit:
    """Units are few and immutable: the same text is read once (errors are not cached, and re-raised)."""
    return _parse_normalized(_normalize(text), text)


def _parse_normalized(s: str, original: str) -> Unit:
    if not s:
        return ONE
    if s in ("°C", "°F"):
        return _CELSIUS if s == "°C" else _FAHRENHEIT
    tokens = _tokens(s)
    parser = _Parser(tokens)
    unit = parser.unit(0)
    if parser.pos != len(tokens):
        raise UnitError(f"could not read unit {original.strip()!r}")
    if (
        not math.isfinite(unit.scale)
        or unit.scale == 0.0
        or any(abs(d) > 2 * MAX_EXPONENT for d in unit.dims)
    ):
        raise UnitError(f"unit {original.strip()!r} is out of range")
    return Unit(unit.scale, unit.dims, unit.offset, original.strip(), unit.angle)


# --- quantities -------------------------------------------------------------------------------------------


class Measurement(NamedTuple):
    """A number with its physical unit, as an answer wrote it; ``unit`` is None for a bare number."""

    value: float
    unit: Unit | None


# Digit groups start with a non-zero digit: ``0 360`` is two numbers, not 360.
_NUM = r"(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:\s\d{3})+(?!\d)|\d+)(?:\.\d*)?|\.\d+"
_HEAD = re.compile(
    rf"""\s*(?P<sign>[-+]?)\s*(?:
      10\s*\^\s*\(?\s*(?P<pexp>[-+]?\s*\d{{1,4}})\s*\)?
     |\(?\s*(?P<pimul>\d+(?:\.\d+)?)?\s*\*?\s*(?P<pi>π)\s*\)?(?:\s*/\s*\(?\s*(?P<piden>\d+(?:\.\d+)?)\s*\)?)?
     |\(\s*(?P<fnum>\d+(?:\.\d+)?)\s*\)\s*/\s*\(\s*(?P<fden>\d+(?:\.\d+)?)\s*\)
     |(?P<snum>\d+(?:\.\d+)?)\s*/\s*(?P<sden>\d+(?:\.\d+)?)(?![\d.])
     |(?P<mant>{_NUM})(?:[eE](?P<eexp>[-+]?\d{{1,4}}))?
        (?:\s*(?:\*|x)\s*10\s*\^\s*\(?\s*(?P<texp>[-+]?\s*\d{{1,4}})\s*\)?)?
    )""",
    re.VERBOSE,
)


def _to_float(mantissa: str, exponent: int) -> float | None:
    try:
        value = float(mantissa) * 10.0**exponent
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_measurement(text: str) -> Measurement | None:
    """The number and unit ``text`` consists of, or None when it is not exactly one number and a unit.

    Accepts plain, comma-grouped and scientific numbers (``1.5e3``, ``1.5\\times10^{3}``, ``1.5×10³``,
    ``10^{-3}``), ``\\frac{a}{b}`` and ``a/b``, ``\\SI{..}{..}``, LaTeX unit wrappers, unicode superscripts
    and English unit words. Nothing else: an equation (``v = 3 m/s``) or any extra word is not a
    measurement (:func:`read_measured_answer` reads equations and refuses hedges).
    """
    if not isinstance(text, str) or len(text) > MAX_MEASUREMENT_CHARS:
        return None
    return _parse_measurement_cached(text)


@functools.lru_cache(maxsize=8192)
def _parse_measurement_cached(text: str) -> Measurement | None:
    """A scorer reads the same short answer several times (claim check, comparison, repeated boxes)."""
    try:
        s = _normalize(text).rstrip(" .,;")
    except UnitError:
        return None
    head = _split_head(s)
    if head is None:
        return None
    value, rest = head
    if not rest:
        return Measurement(value, None)
    try:
        unit = _normalized_unit(rest)
    except UnitError:
        return None
    return Measurement(value, unit)


@functools.lru_cache(maxsize=4096)
def _normalized_unit(rest: str) -> Unit:
    """The unit of already normalised text (few distinct ones: cached; errors are not cached)."""
    return _parse_normalized(rest, rest)


def _split_head(s: str) -> tuple[float, str] | None:
    """(value, the text after it) for normalised text that starts with a number."""
    m = _HEAD.match(s)
    if m is None or m.end() == 0 or not m.group(0).strip(" +-"):
        return None
    sign = -1.0 if m.group("sign") == "-" else 1.0
    if m.group("pi") is not None:  # 2π/3, π/4, (π)/(4) from \\frac{\\pi}{4}
        den = float(m.group("piden") or 1)
        if den == 0 or m.group(0).count("(") != m.group(0).count(")"):
            return None
        value: float | None = float(m.group("pimul") or 1) * math.pi / den
    elif m.group("fnum") is not None or m.group("snum") is not None:
        num = float(m.group("fnum") or m.group("snum"))
        den = float(m.group("fden") or m.group("sden"))
        if den == 0:
            return None
        value = num / den
    elif m.group("pexp") is not None:
        value = _to_float("1", int(m.group("pexp").replace(" ", "")))
    else:
        mantissa = re.sub(r"[,\s]", "", m.group("mant"))
        exponent = int(m.group("eexp") or 0) + int((m.group("texp") or "0").replace(" ", ""))
        value = _to_float(mantissa, exponent)
    if value is None:
        return None
    return sign * value, s[m.end() :].strip()


def convert(value: float, from_unit: Unit | str, to_unit: Unit | str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; raises UnitError when dimensions differ."""
    src = parse_unit(from_unit) if isinstance(from_unit, str) else from_unit
    dst = parse_unit(to_unit) if isinstance(to_unit, str) else to_unit
    if src.dims != dst.dims:
        raise UnitError(f"cannot convert {src.describe()} to {dst.describe()}")
    return dst.from_si(src.to_si(value))


class UnitMatch(NamedTuple):
    """Verdict of :func:`compare_measurement`.

    Attributes:
        ok: True/False, or None when the answer is not a quantity at all (callers may try other checks).
        reason: one sentence for the Score.
        value: the answer converted into the reference unit, when that was possible.
    """

    ok: bool | None
    reason: str
    value: float | None = None


def same_unit(a: Unit, b: Unit) -> bool:
    """Whether two units are the same unit (``km/h`` and ``kph``), not merely the same dimension."""
    return (
        a.dims == b.dims
        and math.isclose(a.scale, b.scale, rel_tol=1e-9)
        and math.isclose(a.offset, b.offset, rel_tol=1e-9, abs_tol=1e-9)
    )


def compare_measurement(
    answer: str | Measurement,
    value: float,
    unit: str | Unit,
    rel_tol: float = 1e-2,
    abs_tol: float = 0.0,
    stated_only: bool = False,
    bare_number: bool = True,
) -> UnitMatch:
    """Whether ``answer`` equals ``value`` ``unit`` within tolerance, after unit conversion.

    Args:
        answer: the answer's value text (``3000 m``, ``3.0\\,\\mathrm{km}``, ``3``), or already parsed.
        value: the reference value, expressed in ``unit``.
        unit: the reference unit (the unit the question asked for).
        rel_tol: relative tolerance, applied in the reference unit.
        abs_tol: absolute tolerance, in the reference unit.
        stated_only: the answer must be written in the reference unit itself (or as a bare number).
        bare_number: a number without a unit is read as being in the reference unit (else it is wrong).
    """
    want = parse_unit(unit) if isinstance(unit, str) else unit
    got = answer if isinstance(answer, Measurement) else parse_measurement(answer)
    if got is None:
        return UnitMatch(None, "could not read a number with a unit")
    if got.unit is None:
        if not bare_number and not want.dimensionless:
            return UnitMatch(False, f"the answer has no unit (expected {want.text or want.describe()})")
        converted = got.value
    else:
        if got.unit.dims != want.dims:
            return UnitMatch(
                False,
                f"unit {got.unit.text!r} measures {got.unit.describe()}, but the answer is a {want.describe()}",
            )
        if want.dimensionless and got.unit.angle != want.angle:
            return UnitMatch(
                False,
                f"unit {got.unit.text!r} is {describe_kind(got.unit)}, but the answer is {describe_kind(want)}",
            )
        if (
            stated_only
            and not same_unit(got.unit, want)
            and not (want.dimensionless and want.scale == got.unit.scale == 1.0)
        ):
            return UnitMatch(False, f"the answer must be given in {want.text!r}, not {got.unit.text!r}")
        converted = want.from_si(got.unit.to_si(got.value))
    if not math.isfinite(converted):
        return UnitMatch(False, "the answer is not a finite number")
    if math.isclose(converted, value, rel_tol=rel_tol, abs_tol=abs_tol):
        return UnitMatch(True, "matches the reference value", converted)
    return UnitMatch(False, f"{converted:.6g} {want.text} differs from the reference value", converted)


def same_measurement(a: str, b: str, rel_tol: float = 1e-2) -> bool | None:
    """Whether two answer texts state the same measurement (``3.0 km`` and ``3000 m``); None if unreadable.

    Two bare numbers compare as numbers; a bare number and a physical quantity are undecided (None).
    """
    x, y = parse_measurement(a), parse_measurement(b)
    if x is None or y is None:
        return None
    if (x.unit is None) != (y.unit is None):
        return None if not (x.unit or y.unit).dimensionless else False
    if x.unit is None or y.unit is None:
        return math.isclose(x.value, y.value, rel_tol=rel_tol)
    if x.unit.dims != y.unit.dims or (x.unit.dimensionless and x.unit.angle != y.unit.angle):
        return False
    return math.isclose(x.unit.to_si(x.value), y.unit.to_si(y.value), rel_tol=rel_tol)


# --- one claim ---------------------------------------------------------------------------------------

# "Equals" and "approximately equals": a measured value is honestly reported as ``E ≈ 3 J``. Congruence
# (``\\cong``, ``≅``) is no approximation sign and is refused with the comparisons below.
_RELATION = re.compile(r"\\(?:approx|simeq)(?![A-Za-z])|=|≈|≃")
# Every precomposed struck-through sign (≠ ≉ ≄ ≇ ≢ ≁ ≮ ≰ ∉ ...): what NFC makes of a sign followed by U+0338.
_STRUCK_SIGNS = "".join(
    ch for ch in map(chr, range(0x2190, 0x2B00)) if unicodedata.decomposition(ch).endswith(" 0338")
)
# A negated relation says what the value is not: ``\\not`` before any sign (``\\not=``, ``\\not\\approx``),
# LaTeX's negated signs (``\\neq``, ``\\napprox``, ``\\ncong``, ``\\nleq`` ...), logical negation, an
# overlay that strikes a sign through (U+0338 and its kin) and every precomposed struck-through sign.
_NEGATED = re.compile(
    r"\\(?:not|notin|neg|lnot|nexists)(?![A-Za-z])"
    r"|\\n(?:eq|e|approx|sim|simeq|cong|equiv|leq|geq|leqq|geqq|leqslant|geqslant|less|gtr|lessgtr"
    r"|mid|parallel|prec|succ|preceq|succeq|subset|supset|subseteq|supseteq|vdash|models)(?![A-Za-z])"
    "|[\u0337\u0338\u20d2\u20e5" + _STRUCK_SIGNS + "]"
)
_CONGRUENT = re.compile(r"\\cong(?![A-Za-z])|≅")
_NOT_ONE_VALUE = re.compile(
    r"[?~<>≤≥±∓≠≲≳]|\\(?:pm|mp|leq?|geq?|lt|gt|neq?|ne|sim|lesssim|gtrsim|ll|gg|in|subset)(?![A-Za-z])"
    f"|{_NEGATED.pattern}|{_CONGRUENT.pattern}"
)
_SUBSCRIPT = re.compile(r"[_^](?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9+\-*])")
_NUMBER_SYMBOL = re.compile(r"\\(?:pi|infty|varpi)(?![A-Za-z])|[π∞]")
_NAME_REST = re.compile(r"[A-Za-z\u0370-\u03ff\s()\[\]'’]*")
_TIE = re.compile(r"(?<=[\d}.])\s*~\s*(?=[A-Za-z\\°μµΩ%])")
_BIG_YEAR_WORDS = re.compile(r"(?i)\b(?:thousand|million|billion)\s+years?\b")


class MeasuredAnswer(NamedTuple):
    """A final answer read as one measurement claim.

    Attributes:
        text: the value part to compare (``3.0 km`` of ``v = 3.0 km``); None when refused.
        refused: why the answer is not one claim; None when it is.
    """

    text: str | None
    refused: str | None


def is_symbol(text: str) -> bool:
    """Whether ``text`` names a quantity (``v``, ``v_f``, ``\\lambda_{max}``, ``T_{1/2}``, ``[H^+]``).

    Letters (Latin or Greek, LaTeX Greek commands) with sub- and superscripts, at most 30 characters, and
    not itself a number with a unit. Numbers written as symbols (``\\pi``, ``π``, ``\\infty``) are not
    names: ``\\pi = \\pi/2`` is a false statement, not a definition.
    """
    s = text.strip()
    if not s or len(s) > 30 or parse_measurement(s) is not None or _NUMBER_SYMBOL.search(s):
        return False
    s = _WRAPPER.sub(r"\1", s)
    s = _SUBSCRIPT.sub("", _SUBSCRIPT.sub("", s))
    s = re.sub(r"\\[A-Za-z]+", "x", s)
    return any(ch.isalpha() for ch in s) and _NAME_REST.fullmatch(s) is not None


_WORD_LABEL = re.compile(r"[A-Za-z]+(?:[ '\-][A-Za-z]+)*")


def read_labelled_number(text: str, allow: Collection[str]) -> MeasuredAnswer:
    """A bare number followed by words the task allows (``1250 deer``): the number, or why not.

    The shared rule (:func:`guru_envs.verify.claim.read_claim`) decides whether the label may be dropped;
    on top of it the label must be plain words, so LaTeX after a number (``7 \\lor \\pi``, ``7 -\\pi``) is
    never taken for a label.
    """
    claim = read_claim(text, allow=allow)
    if claim.refused is not None:
        return MeasuredAnswer(None, claim.refused)
    if claim.label and not _WORD_LABEL.fullmatch(claim.label):
        return MeasuredAnswer(None, f"the text after the number is not a word: {claim.label[:40]!r}")
    return MeasuredAnswer(claim.text, None)


def split_relations(text: str) -> list[str]:
    """The sides of ``=``, ``\\approx``, ``≈``, ``\\simeq`` and ``≃`` in ``text`` (one side when none).

    A text that holds a negated relation (``\\not=``, ``\\not\\approx``, ``x =\u0338 5``) is one side: its
    ``=`` is struck through, never an equation's; callers refuse it as :data:`_NOT_ONE_VALUE` does.
    """
    if _NEGATED.search(text):
        return [text]
    return _RELATION.split(text)


def read_measured_answer(text: str, rel_tol: float = 1e-2, allow: Collection[str] = ()) -> MeasuredAnswer:
    """The one value a final answer states (:mod:`guru_envs.verify.claim`), before any comparison.

    ``v = 3.0 m/s`` and ``\\approx 3.0 m/s`` state ``3.0 m/s`` (so do ``≈``, ``\\simeq`` and ``≃``: a
    measured value is reported as approximately equal); so does the true chain
    ``v = 3.0 m/s = 10.8 km/h`` (sides equal within ``rel_tol``). Refused: a negated relation anywhere
    (``E \\not= 3 J``, ``\\not\\approx``, ``≠``, ``≉``, a sign struck through with U+0338), congruence
    (``\\cong``, ``≅``: not an approximation), a false or uncheckable equation (``6 m/s = 3 m/s``,
    ``d = v^2/(2a) = 3 m``), a comparison or hedge sign (``<``, ``~``, ``\\sim``, ``±``, ``?``), and any
    denied word (``or``, ``not``, ``about``, a number word, a scale word other than in ``million years``)
    unless ``allow`` lists it (scale words only).
    """
    if isinstance(text, str) and len(text) > 4 * MAX_MEASUREMENT_CHARS:  # before any folding: it is not short
        return MeasuredAnswer(None, f"the answer has {len(text):,} characters; a value with a unit is short")
    s = strip_wrappers(UNIT_WRAPPER_TIE.sub(r"\1", fold_unicode(text))) if isinstance(text, str) else ""
    if not s:
        return MeasuredAnswer(None, "the answer is empty")
    if len(s) > MAX_MEASUREMENT_CHARS:
        return MeasuredAnswer(None, f"the answer has {len(s):,} characters; a value with a unit is short")
    negated = _NEGATED.search(s) or _CONGRUENT.search(s)  # before the sides: "E \\not= 3 J" is no equation
    if negated is not None:
        return MeasuredAnswer(None, f"the answer is not one claim: it contains {negated.group(0)!r}")
    sides = split_relations(s)
    if len(sides) > 1:
        if len(sides) == 2 and not sides[0].strip():
            s = sides[1]  # "\approx 3.0 m/s": the rounding sign is presentation
        else:
            value, why = equation_value(
                sides, is_name=is_symbol, same=lambda a, b: same_measurement(a, b, rel_tol)
            )
            if value is None:
                return MeasuredAnswer(None, why)
            s = value
    apart = spaced_values(s)  # 0 \\quad 360 mL: two values, however a reader that drops spacing joins them
    if apart is not None:
        return MeasuredAnswer(None, apart)
    s = _TIE.sub(" ", s)  # 3.2~m/s: LaTeX's tie is a space; a leading ~3 m is still "about"
    sign = _NOT_ONE_VALUE.search(s)
    if sign is not None:
        return MeasuredAnswer(None, f"the answer is not one claim: it contains {sign.group(0)!r}")
    if parse_measurement(s) is not None:  # exactly a number and a unit: the grammar admits no other word
        return MeasuredAnswer(s.strip(), None)
    problem = word_problem(_BIG_YEAR_WORDS.sub(" years ", s), allow)
    if problem is not None:
        return MeasuredAnswer(None, problem)
    return MeasuredAnswer(s.strip(), None)


def format_number(value: float, sig: int = 3, latex: bool = False) -> str:
    """``value`` to ``sig`` significant figures: plain for 1e-3 <= |x| < 1e5, else scientific.

    Scientific form is ``1.23 × 10^5`` (plain) or ``1.23 \\times 10^{5}`` (LaTeX); both parse back.
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    rounded = float(f"{value:.{sig - 1}e}")
    exponent = math.floor(math.log10(abs(rounded)))
    if -3 <= exponent < 5:
        decimals = max(0, sig - 1 - exponent)
        return f"{rounded:.{decimals}f}"
    mantissa = rounded / 10.0**exponent
    text = f"{mantissa:.{sig - 1}f}"
    return f"{text} \\times 10^{{{exponent}}}" if latex else f"{text} × 10^{exponent}"


# --- the units a question uses ---------------------------------------------------------------------------
# Words that read as units but in a question are English (``in`` inch, ``a`` year, ``at`` attometre...).
_FUNCTION_WORDS = frozenset("a A in In at At as As".split())
_BRACKETED = re.compile(r"[(\[]([^()\[\]]{1,24})[)\]]")
# Units of more than one word: ``square centimeters``, ``cubic feet``, ``meters squared``, ``km per hour``.
_UNIT_WORD = r"[A-Za-zμΩÅ]+"
_MULTI_WORD_UNIT = re.compile(
    rf"(?i)\b(?:(?:square|sq\.?|cubic|cu\.?)\s+{_UNIT_WORD}|{_UNIT_WORD}\s+(?:squared|cubed)\b)"
    rf"(?:\s+per\s+(?:(?:square|cubic)\s+)?{_UNIT_WORD}(?:\s+(?:squared|cubed)\b)?)?"
    rf"|\b{_UNIT_WORD}\s+per\s+(?:(?:square|cubic)\s+)?{_UNIT_WORD}(?:\s+(?:squared|cubed)\b)?"
    r"|\bdeg(?:ree)?s?\.?\s+(?:celsius|centigrade|fahrenheit|c|f)\b"
)


_AFTER_NUMBER = re.compile(r"\d$")


def _measures(unit: Unit) -> bool:
    """Whether a question's unit says what an answer measures: a physical dimension or an angle."""
    return not unit.dimensionless or unit.angle != 0


def _read_unit(text: str) -> Unit | None:
    try:
        return parse_unit(fold_unicode(text))
    except Exception:  # noqa: BLE001 - most words are not units
        return None


@functools.lru_cache(maxsize=1_024)
def question_units(question: str) -> tuple[Unit, ...]:
    """The units a question shows: its words, phrases and bracketed parts.

    ``Nitrate (mg/L)``, ``(in cm)``, ``square centimeters`` (an area: its words do not also count alone, so
    the question is not read as showing a length), ``km per hour``, ``degrees`` and ``radians`` (angles,
    which SI counts as dimensionless, are read too; percentages and plain numbers are not).
    """
    found = []
    rest = question
    for m in _MULTI_WORD_UNIT.finditer(question):
        unit = _read_unit(m.group(0))
        if unit is not None and _measures(unit):
            found.append(unit)
            rest = rest.replace(m.group(0), " ")
    tokens = [w.strip("()[]{},.:;!?'\"$") for w in rest.split()]
    words = {
        w
        for i, w in enumerate(tokens)
        if len(w) > 1 or (i > 0 and _AFTER_NUMBER.search(tokens[i - 1]))  # "3 m", not the variable y
    } - _FUNCTION_WORDS
    words |= {re.sub(r"^in\s+", "", m.group(1).strip()) for m in _BRACKETED.finditer(rest)}  # (in cm)
    for word in sorted(w for w in words if w and len(w) <= 24):
        unit = _read_unit(word)
        if unit is not None and _measures(unit):
            found.append(unit)
    return tuple(found)


# Where a question asks for a unit: "in cm", "in square meters", "how many hours", "to the nearest degree".
_ASKS_IN = re.compile(
    r"(?i)(?<![\\\w])(?:in\s+units\s+of|in|how\s+many|to\s+the\s+nearest(?:\s+(?:whole|tenth|hundredth))?)\s+"
    r"(?:of\s+(?:a|an)\s+)?"
)
_ASKED_WORD = re.compile(r"[A-Za-zμΩÅ°%$€£¥¢][\w°μΩÅ/^*.\-²³$€£¥¢]*")
_QUESTION_TAIL = re.compile(r"[^.?!]*\?[^?]*$", re.DOTALL)


def _asking_part(question: str) -> str:
    """The part of a question that asks, from its last question sentence to the end, else its last two sentences.

    Instructions after the question count (``... ? Express your answer in cm.``); units the question's
    setting mentions earlier (``A rope 2 m long ...``) do not.
    """
    text = question[-4_000:]
    m = _QUESTION_TAIL.search(text)
    if m is not None:
        return m.group(0)
    sentences = re.split(r"(?<=[.!])\s+", text.strip())
    return " ".join(sentences[-2:])


def _asked_phrases(question: str) -> list[list[str]]:
    """For each asking phrase, the up to four words after it, as phrases longest first.

    ``in square centimeters?``: ``["square centimeters", "square"]``.
    """
    out = []
    part = _asking_part(question)
    for m in _ASKS_IN.finditer(part):
        words: list[str] = []
        pos = m.end()
        for _ in range(4):
            w = _ASKED_WORD.match(part, pos)
            if w is None:
                break
            word = w.group(0).rstrip(".,;:!?)'\"")
            if word:
                words.append(word)
            if not word or word != w.group(0):
                break  # a sentence or a clause ends with this word
            pos = w.end()
            while pos < len(part) and part[pos] in " \t":
                pos += 1
        if words:
            out.append([" ".join(words[:k]) for k in range(len(words), 0, -1)])
    return out


@functools.lru_cache(maxsize=1_024)
def asked_units(question: str) -> tuple[Unit, ...]:
    """The units the question asks the answer in; empty when none.

    ``in cm``, ``in square centimeters``, ``how many hours``, ``to the nearest degree``, read from its asking
    part only (:func:`_asking_part`), the longest phrase that is a unit. Unlike :func:`question_units`
    (every unit the question shows), these are the units the answer is to be given in, so an answer in a
    unit of another kind or scale states another value.
    """
    found: list[Unit] = []
    for phrases in _asked_phrases(question):
        first = phrases[-1]
        if first in _FUNCTION_WORDS or (len(first) == 1 and first not in "°"):
            continue  # "in a", "in x": English, or a variable
        if read_currency(first) is not None:
            continue
        for phrase in phrases:
            unit = _read_unit(phrase)
            if unit is not None and _measures(unit):
                found.append(unit)
                break
    return tuple(found)


@functools.lru_cache(maxsize=1_024)
def asked_currency(question: str) -> tuple[str, float] | None:
    """The currency the question asks the answer in (``how many dollars``, ``in cents``, ``in euros``)."""
    for phrases in _asked_phrases(question):
        for phrase in phrases:
            money = read_currency(phrase)
            if money is not None:
                return money
    return None


# --- money -------------------------------------------------------------------------------------------------
# A currency is not a physical unit; a value in cents is not the same value in dollars, nor in euros.
_CURRENCIES: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("dollar", "dollars", "usd", "$", "\\$", "us$", "buck", "bucks"), ("USD", 1.0)),
    **dict.fromkeys(("cent", "cents", "¢", "\\textcent", "\\cent"), ("USD", 0.01)),
    **dict.fromkeys(("euro", "euros", "eur", "€", "\\euro", "\\texteuro"), ("EUR", 1.0)),
    **dict.fromkeys(("yuan", "rmb", "cny", "renminbi"), ("CNY", 1.0)),
    **dict.fromkeys(("yen", "jpy", "¥", "\\yen"), ("JPY", 1.0)),
    **dict.fromkeys(("gbp", "£", "\\pounds", "\\textsterling", "sterling"), ("GBP", 1.0)),
    **dict.fromkeys(("pence", "p"), ("GBP", 0.01)),
    **dict.fromkeys(("rupee", "rupees", "inr", "rs", "₹"), ("INR", 1.0)),
    **dict.fromkeys(("cad",), ("CAD", 1.0)),
    **dict.fromkeys(("aud",), ("AUD", 1.0)),
    **dict.fromkeys(("peso", "pesos"), ("peso", 1.0)),
    **dict.fromkeys(("franc", "francs", "chf"), ("franc", 1.0)),
    **dict.fromkeys(("ruble", "rubles", "rouble", "roubles", "rub"), ("RUB", 1.0)),
    **dict.fromkeys(("won", "krw"), ("KRW", 1.0)),
}
_DOLLAR_COUNTRIES = {
    "us": "USD",
    "u.s.": "USD",
    "american": "USD",
    "canadian": "CAD",
    "australian": "AUD",
    "singapore": "SGD",
    "hong": "HKD",
    "new": "NZD",
    "taiwan": "TWD",
}


def read_currency(label: str) -> tuple[str, float] | None:
    """``(currency, scale)`` of a money label (``dollars``, ``cents``, ``US dollars``, ``€``), else None.

    The scale is in the currency's main unit (cents: 0.01 dollars). ``pence`` and ``p`` are British.
    """
    words = label.strip().lower().split()
    if not words or len(words) > 3:
        return None
    last = words[-1].strip(".")
    if last == "p" and len(words) > 1:
        return None
    money = _CURRENCIES.get(last)
    if money is None:
        return None
    if len(words) > 1:
        if money[0] != "USD" or words[0] not in _DOLLAR_COUNTRIES:
            return None
        return (_DOLLAR_COUNTRIES[words[0]], money[1])
    return money


@functools.lru_cache(maxsize=8_192)
def foreign_unit(unit: str, units: tuple[Unit, ...]) -> str | None:
    """Why a physical unit after an answer's value states another scale than the question's; None if not.

    A unit is dropped, never converted, so ``8.87 g/L`` for a ``mg/L`` column, or ``7 mm`` for a length
    asked in cm, would state another value. Refused only where the question shows a unit of the same
    kind and none of them has this one's scale (``kilograms`` for ``kg`` is the same unit; a unit of a
    kind the question never shows is left to the other rules).
    """
    if not unit or not units:
        return None
    try:
        given = parse_unit(fold_unicode(unit))
    except Exception:  # noqa: BLE001 - not a physical unit: a counted noun or a word, judged elsewhere
        return None
    same_kind = [u for u in units if u.kind == given.kind]
    if not same_kind or any(math.isclose(u.scale, given.scale, rel_tol=1e-9) for u in same_kind):
        return None
    return f"the answer's unit {unit!r} is not the question's ({', '.join(u.text for u in same_kind[:3])})"

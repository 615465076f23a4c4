"""Independent solutions of every generated science problem, read from the prompt text and solved with pint.

Nothing here imports the families or reads ``task.meta``: each topic is a *template* of its question (the
prompt's wording with ``{q:name}`` for a quantity with its unit, ``{n:name}`` for a bare number and
``{w:name}`` for words) and a solution written from the physics, in :mod:`pint` quantities. Constants the
prompt states (``g = 9.81 m/s^2``, ``R = 8.314 J/(mol·K)``) are read from it; the rest come from pint's own
CODATA values or from the IAU nominal solar values defined below. Unit text is mapped to pint by a table
of its own (``UNITS``), so a wrong conversion in :mod:`guru_envs.verify.units` cannot hide a wrong gold.

:func:`solve` finds the template that matches a question and returns the answer as a pint quantity (a
dimensionless one for counts, probabilities and pH).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pint

UREG = pint.UnitRegistry()
UREG.define("solar_luminosity = 3.828e26 W = Lsun")  # IAU 2015 nominal
UREG.define("solar_mass = 1.98847e30 kg")  # IAU 2015 nominal (GM_sun / G)
UREG.define("solar_radius = 6.957e8 m")  # IAU 2015 nominal
Q = UREG.Quantity

# unit text as the prompts and options write it -> pint expression
UNITS = {
    "": "dimensionless",
    "m": "meter",
    "km": "kilometer",
    "cm": "centimeter",
    "mm": "millimeter",
    "μm": "micrometer",
    "nm": "nanometer",
    "ft": "foot",
    "mi": "mile",
    "AU": "astronomical_unit",
    "pc": "parsec",
    "kpc": "kiloparsec",
    "Mpc": "megaparsec",
    "ly": "light_year",
    "s": "second",
    "ms": "millisecond",
    "min": "minute",
    "h": "hour",
    "d": "day",
    "yr": "julian_year",
    "kyr": "kiloyear",
    "Myr": "megayear",
    "Gyr": "gigayear",
    "kg": "kilogram",
    "g": "gram",
    "mg": "milligram",
    "t": "metric_ton",
    "m/s": "meter/second",
    "cm/s": "centimeter/second",
    "km/h": "kilometer/hour",
    "km/s": "kilometer/second",
    "m/s^2": "meter/second**2",
    "cm/s^2": "centimeter/second**2",
    "cm/yr": "centimeter/julian_year",
    "N": "newton",
    "kN": "kilonewton",
    "mN": "millinewton",
    "N/m": "newton/meter",
    "kN/m": "kilonewton/meter",
    "J": "joule",
    "kJ": "kilojoule",
    "MJ": "megajoule",
    "mJ": "millijoule",
    "eV": "electron_volt",
    "kWh": "kilowatt_hour",
    "W": "watt",
    "kW": "kilowatt",
    "mW": "milliwatt",
    "Lsun": "solar_luminosity",
    "Pa": "pascal",
    "kPa": "kilopascal",
    "MPa": "megapascal",
    "hPa": "hectopascal",
    "atm": "standard_atmosphere",
    "V": "volt",
    "mV": "millivolt",
    "A": "ampere",
    "mA": "milliampere",
    "Ω": "ohm",
    "kΩ": "kiloohm",
    "F": "farad",
    "mF": "millifarad",
    "μF": "microfarad",
    "Hz": "hertz",
    "kHz": "kilohertz",
    "MHz": "megahertz",
    "mol": "mole",
    "mmol": "millimole",
    "M": "mole/liter",
    "mM": "millimole/liter",
    "mol/L": "mole/liter",
    "mmol/L": "millimole/liter",
    "L": "liter",
    "mL": "milliliter",
    "m^3": "meter**3",
    "m^3/s": "meter**3/second",
    "L/s": "liter/second",
    "kg/m^3": "kilogram/meter**3",
    "g/mol": "gram/mole",
    "J/kg": "joule/kilogram",
    "km/s/Mpc": "kilometer/second/megaparsec",
    "K": "kelvin",
    "°C": "degC",
    "°F": "degF",
    "°": "degree",
    "rad": "radian",
    "%": "percent",
    "arcseconds": "arcsecond",
    "milliarcseconds": "milliarcsecond",
}

NUM = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?: × 10\^[-−]?\d+)?"
_PLACEHOLDER = re.compile(r"\{([qnws]):(\w+)\}")


def number(text: str) -> float:
    """``1,250``, ``-3.5``, ``4.5 × 10^-4`` -> float (the only number formats the prompts use)."""
    text = text.replace("−", "-").replace(",", "")
    mantissa, _, exponent = text.partition(" × 10^")
    return float(mantissa) * 10.0 ** int(exponent or 0)


def quantity(text: str) -> pint.Quantity:
    """``72 km/h``, ``25°``, ``4.5 × 10^-4 F``, ``23 °C`` -> a pint quantity (unknown units raise KeyError)."""
    m = re.fullmatch(rf"({NUM}) ?(.*)", text.strip())
    if m is None:
        raise ValueError(f"not a quantity: {text!r}")
    unit = m.group(2).strip()
    return Q(number(m.group(1)), UNITS[unit])


def _compile(template: str) -> re.Pattern[str]:
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        kind, name = m.groups()
        if kind == "q":
            parts.append(rf"(?P<{name}>{NUM} ?[^\s,?()]+)")
        elif kind == "n":
            parts.append(rf"(?P<{name}>{NUM})")
        elif kind == "s":
            parts.append(rf"(?P<{name}>\S+)")
        else:
            parts.append(rf"(?P<{name}>.+?)")
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts))


Solution = Callable[..., Any]
# (solution, compiled template, placeholder kinds) for every registered question form
TEMPLATES: list[tuple[Solution, re.Pattern[str], dict[str, str]]] = []


def problem(*templates: str) -> Callable[[Solution], Solution]:
    """Register a solution for questions matching any of ``templates``; its arguments are the placeholders.

    ``{q:x}`` arrives as a pint quantity, ``{n:x}`` as a float, ``{w:x}`` (words) and ``{s:x}`` (one token,
    such as a formula) as text.
    """

    def register(fn: Solution) -> Solution:
        for template in templates:
            kinds = {name: kind for kind, name in _PLACEHOLDER.findall(template)}
            TEMPLATES.append((fn, _compile(template), kinds))
        return fn

    return register


def solve(question: str) -> tuple[str, pint.Quantity]:
    """(solution name, answer) for a question (the prompt's first paragraph).

    Exactly one template must match: none, or two (an ambiguous reading), raises LookupError.
    """
    found = [(fn, m, kinds) for fn, pattern, kinds in TEMPLATES if (m := pattern.fullmatch(question))]
    if len(found) != 1:
        names = [fn.__name__ for fn, _, _ in found]
        raise LookupError(f"{len(found)} templates ({names}) match the question: {question!r}")
    fn, m, kinds = found[0]
    args: dict[str, Any] = {}
    for key, text in m.groupdict().items():
        kind = kinds[key]
        args[key] = quantity(text) if kind == "q" else number(text) if kind == "n" else text
    answer = fn(**args)
    return fn.__name__, answer if isinstance(answer, pint.Quantity) else Q(answer, "dimensionless")


def sin(angle: pint.Quantity) -> float:
    """Sine of a pint angle."""
    return math.sin(angle.to("radian").magnitude)


def asin_degrees(x: Any) -> pint.Quantity:
    """Arcsine of a dimensionless value, as an angle."""
    return Q(math.asin(float(Q(x).to("dimensionless").magnitude)), "radian").to("degree")


def kelvin(t: pint.Quantity) -> pint.Quantity:
    """A temperature (point on any scale) in kelvin."""
    return t.to("kelvin")


# --- mechanics ---------------------------------------------------------------------------------------


@problem(
    "A cyclist moving at {q:v0} speeds up with a constant acceleration of {q:a} for {q:t}. What is the final speed?"
)
def final_speed(v0, a, t):
    return v0 + a * t


@problem(
    "A train starts from rest and accelerates uniformly at {q:a} for {q:t}. How far does it travel in that time?"
)
def distance_from_rest(a, t):
    return a * t**2 / 2


@problem(
    "A stone is dropped from rest from a height of {q:h}. Ignoring air resistance, how long does it take to "
    "reach the ground? (g = {q:g})"
)
def free_fall_time(h, g):
    return (2 * h / g) ** 0.5


@problem(
    "A ball is launched from level ground at {q:v} at {q:theta} above the horizontal. Ignoring air resistance, "
    "how far away does it land? (g = {q:g})"
)
def projectile_range(v, theta, g):
    return v**2 * sin(2 * theta) / g


@problem(
    "A crate of mass {q:m} is pulled across a level floor by a horizontal force of {q:force}. The coefficient "
    "of kinetic friction is {n:mu}. What is the crate's acceleration? (g = {q:g})"
)
def friction_acceleration(m, force, mu, g):
    return (force - mu * m * g) / m


@problem(
    "A {q:m} block slides down a frictionless ramp inclined at {q:theta} to the horizontal. What is its "
    "acceleration along the ramp? (g = {q:g})"
)
def incline_acceleration(m, theta, g):
    return g * sin(theta)


@problem("A car of mass {q:m} travels at {q:v}. What is its kinetic energy?")
def kinetic_energy(m, v):
    return m * v**2 / 2


@problem(
    "A ball falls from rest through a height of {q:h}. Using conservation of energy and ignoring air "
    "resistance, what is its speed at the bottom? (g = {q:g})"
)
def drop_speed(h, g):
    return (2 * g * h) ** 0.5


@problem(
    "A motor lifts a {q:m} load at constant speed through a height of {q:h} in {q:t}. What is the motor's "
    "useful power output? (g = {q:g})"
)
def lifting_power(m, h, t, g):
    return m * g * h / t


@problem(
    "A cart of mass {q:m1} moving at {q:v1} hits a stationary cart of mass {q:m2}, and the two stick together. "
    "What is their common speed just after the collision?"
)
def inelastic_collision(m1, v1, m2):
    return m1 * v1 / (m1 + m2)


@problem(
    "A spring with spring constant {q:k} is compressed by {q:x}. How much elastic potential energy does it store?"
)
def spring_energy(k, x):
    return k * x**2 / 2


@problem(
    "A {q:m} ball on a string moves in a horizontal circle of radius {q:r} at a constant speed of {q:v}. What is "
    "the tension providing the centripetal force?"
)
def centripetal_force(m, r, v):
    return m * v**2 / r


@problem(
    "A car travelling at {q:v} brakes hard with its wheels locked. The coefficient of kinetic friction between "
    "tyres and road is {n:mu}. How far does it skid before stopping? (g = {q:g})"
)
def stopping_distance(v, mu, g):
    return v**2 / (2 * mu * g)


@problem(
    "A block starts from rest at the top of a frictionless ramp {q:length} long, inclined at {q:theta}. How fast "
    "is it moving at the bottom? (g = {q:g})"
)
def incline_slide_speed(length, theta, g):
    return (2 * g * length * sin(theta)) ** 0.5


# --- circuits ----------------------------------------------------------------------------------------


@problem("A resistor of {q:r} is connected across a {q:v} supply. What current flows through it?")
def ohm_current(r, v):
    return v / r


@problem("Resistors of {w:listing} are connected in series. What is the equivalent resistance?")
def series_resistance(listing):
    return sum((quantity(x) for x in listing.split(", ")), Q(0, "ohm"))


@problem("Resistors of {w:listing} are connected in parallel. What is the equivalent resistance?")
def parallel_resistance(listing):
    return 1 / sum(1 / quantity(x) for x in listing.split(", "))


@problem(
    "A {q:v} potential difference is applied across a {q:r} resistor. How much power does the resistor dissipate?"
)
def power_dissipated(v, r):
    return v**2 / r


@problem(
    "A voltage divider is made of R1 = {q:r1} (top) and R2 = {q:r2} (bottom) across a {q:v} supply. What is the "
    "voltage across R2?"
)
def voltage_divider(r1, r2, v):
    current = v / (r1 + r2)
    return current * r2


@problem("A {q:c} capacitor charges through a {q:r} resistor. What is the time constant of the circuit?")
def rc_time_constant(c, r):
    return r * c


@problem("A {q:c} capacitor is charged to {q:v}. How much energy does it store?")
def capacitor_energy(c, v):
    return c * v**2 / 2


@problem(
    "Resistors R1 = {q:r1} and R2 = {q:r2} are connected in series to a {q:v} battery. What power is dissipated "
    "in R2?"
)
def series_pair_power(r1, r2, v):
    current = v / (r1 + r2)
    return current**2 * r2


@problem(
    "An appliance rated at {q:p} runs for {n:hours} hours a day for {n:days} days. How much electrical energy "
    "does it use?"
)
def appliance_energy(p, hours, days):
    return p * Q(hours, "hour") * days


# --- optics ------------------------------------------------------------------------------------------


def _image_distance(f: pint.Quantity, d_object: pint.Quantity) -> pint.Quantity:
    return 1 / (1 / f - 1 / d_object)


@problem(
    "An object is placed {q:d_object} in front of a converging lens of focal length {q:f}. How far from the lens "
    "is the image formed?"
)
def thin_lens_image(d_object, f):
    return _image_distance(f, d_object)


@problem(
    "An object {q:h_object} tall stands {q:d_object} from a converging lens of focal length {q:f}. What is the "
    "height of the (inverted) image? Give its size as a positive number."
)
def image_height(h_object, d_object, f):
    return h_object * _image_distance(f, d_object) / d_object


@problem(
    "A ray of light in air (n = {n:n1}) strikes the surface of {w:name} (n = {n:n2}) at {q:theta1} to the "
    "normal. What is the angle of refraction?"
)
def snell_angle(n1, name, n2, theta1):
    return asin_degrees(n1 * sin(theta1) / n2)


@problem(
    "What is the critical angle for light travelling in {w:name} (n = {n:n1}) towards a boundary with {w:other} "
    "(n = {n:n2})?"
)
def critical_angle(name, n1, other, n2):
    return asin_degrees(n2 / n1)


@problem(
    "What is the energy of one photon of light with wavelength {q:wavelength}? (h = {n:h} J s, c = {q:c}, "
    "1 eV = {q:ev})"
)
def photon_energy(wavelength, h, c, ev):
    return Q(h, "J s") * c / wavelength


@problem("A radio station broadcasts at {q:f}. What is the wavelength of its signal? (c = {q:c})")
def radio_wavelength(f, c):
    return c / f


@problem(
    "Light of wavelength {q:wavelength} falls normally on a diffraction grating with {n:lines} lines per mm. At "
    "what angle from the central maximum is the {w:ordinal}-order bright fringe?"
)
def grating_angle(wavelength, lines, ordinal):
    order = {"first": 1, "second": 2, "third": 3}[ordinal]
    spacing = Q(1, "mm") / lines
    return asin_degrees(order * wavelength / spacing)


@problem(
    "An object is {q:d_object} in front of a concave mirror whose radius of curvature is {q:radius}. Where is "
    "the image, measured from the mirror?"
)
def mirror_image(d_object, radius):
    return _image_distance(radius / 2, d_object)


# --- thermodynamics ----------------------------------------------------------------------------------


@problem(
    "How much heat is needed to warm {q:m} of {w:name} (specific heat {n:c} J/(kg·K)) from {q:t1} to {q:t2}?"
)
def heat_capacity(m, name, c, t1, t2):
    return m * Q(c, "J/(kg K)") * (kelvin(t2) - kelvin(t1))


@problem(
    "{q:m1} of water at {q:t1} is mixed with {q:m2} of water at {q:t2} in an insulated container. What is the "
    "final temperature?"
)
def mixing_temperature(m1, t1, m2, t2):
    return (m1 * kelvin(t1) + m2 * kelvin(t2)) / (m1 + m2)


@problem(
    "How much heat is needed to {w:what} {q:m} of {w:start}? (latent heat of fusion {q:l_fusion}, of "
    "vaporisation {q:l_vapour})"
)
def melting_heat(what, m, start, l_fusion, l_vapour):
    if what == "melt":
        assert start == "ice at 0 °C", start
        return m * l_fusion
    assert what == "boil away" and start == "water at 100 °C", (what, start)
    return m * l_vapour


@problem(
    "A heat engine works between a hot reservoir at {q:t_hot} and a cold reservoir at {q:t_cold}. What is its "
    "maximum (Carnot) efficiency?"
)
def carnot_efficiency(t_hot, t_cold):
    return 1 - kelvin(t_cold) / kelvin(t_hot)


@problem(
    "{n:n} mol of an ideal gas expands isothermally at {q:t} from {q:v1} to {q:v2}. How much work does the gas "
    "do? (R = {n:r} J/(mol·K))"
)
def isothermal_work(n, t, v1, v2, r):
    return Q(n, "mol") * Q(r, "J/(mol K)") * t * math.log((v2 / v1).to("dimensionless").magnitude)


@problem(
    "A {w:name} rail (α = {n:alpha} × 10^-6 /K) is {q:length} long at {q:t1}. By how much does its length "
    "increase when it warms to {q:t2}?"
)
def thermal_expansion(name, alpha, length, t1, t2):
    return Q(alpha * 1e-6, "1/K") * length * (kelvin(t2) - kelvin(t1))


@problem(
    "A {w:name} wall panel (thermal conductivity {n:k} W/(m·K)) has area {n:area} m^2 and thickness {q:d}. The "
    "inside is at {q:t_in} and the outside at {q:t_out}. What is the rate of heat flow through it?"
)
def conduction(name, k, area, d, t_in, t_out):
    return Q(k, "W/(m K)") * Q(area, "m^2") * (kelvin(t_in) - kelvin(t_out)) / d


@problem(
    "How much heat turns {q:m} of ice at {q:t0} into water at {q:t1}? (c_ice = {n:c_ice} J/(kg·K), "
    "c_water = {n:c_water} J/(kg·K), L_f = {q:l_fusion})"
)
def ice_to_water(m, t0, t1, c_ice, c_water, l_fusion):
    melting_point = Q(0, "degC").to("kelvin")
    warm_ice = m * Q(c_ice, "J/(kg K)") * (melting_point - kelvin(t0))
    warm_water = m * Q(c_water, "J/(kg K)") * (kelvin(t1) - melting_point)
    return warm_ice + m * l_fusion + warm_water


@problem(
    "A surface of area {n:area} m^2 and emissivity {n:eps} is at {q:t}. How much power does it radiate? "
    "(σ = {n:sigma} × 10^-8 W/(m^2·K^4))"
)
def radiated_power(area, eps, t, sigma):
    return eps * Q(sigma * 1e-8, "W/(m^2 K^4)") * Q(area, "m^2") * kelvin(t) ** 4


# --- chemistry ---------------------------------------------------------------------------------------

# IUPAC standard atomic weights (abridged), to check the molar masses the prompts state
ATOMIC_WEIGHT = {
    "H": 1.008,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "Na": 22.990,
    "Mg": 24.305,
    "Al": 26.982,
    "S": 32.06,
    "Cl": 35.45,
    "K": 39.098,
    "Ca": 40.078,
    "Mn": 54.938,
    "Fe": 55.845,
    "Cu": 63.546,
}


def atoms(formula: str) -> dict[str, int]:
    """Element counts of a formula such as ``Al2(SO4)3`` (one level of brackets, as in the prompts)."""
    counts: dict[str, int] = {}

    def add(text: str, times: int) -> None:
        for el, n in re.findall(r"([A-Z][a-z]?)(\d*)", text):
            counts[el] = counts.get(el, 0) + int(n or 1) * times

    rest = formula
    for group, n in re.findall(r"\(([^()]+)\)(\d*)", formula):
        add(group, int(n or 1))
    rest = re.sub(r"\([^()]+\)\d*", "", rest)
    add(rest, 1)
    return counts


def formula_mass(formula: str, weights: dict[str, float] = ATOMIC_WEIGHT) -> pint.Quantity:
    """Molar mass from atomic weights."""
    return Q(sum(weights[el] * n for el, n in atoms(formula).items()), "g/mol")


def equation(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """``2H2 + O2 → 2H2O`` -> ({H2: 2, O2: 1}, {H2O: 2}); asserts the equation is balanced."""
    sides = []
    for side in text.split(" → "):
        terms = {}
        for term in side.split(" + "):
            m = re.fullmatch(r"(\d*)(\S+)", term)
            assert m is not None, term
            terms[m.group(2)] = int(m.group(1) or 1)
        sides.append(terms)
    left, right = sides
    for el in set().union(*(atoms(f) for f in [*left, *right])):
        assert sum(c * atoms(f).get(el, 0) for f, c in left.items()) == sum(
            c * atoms(f).get(el, 0) for f, c in right.items()
        ), f"unbalanced: {text}"
    return left, right


def _stated_molar_mass(formula: str, stated: float) -> pint.Quantity:
    """The molar mass the prompt states, checked against the formula to the 4 figures it is given to."""
    expected = formula_mass(formula).magnitude
    assert math.isclose(stated, expected, rel_tol=6e-4), (formula, stated, expected)
    return Q(stated, "g/mol")


@problem("What is the molar mass of {s:formula}? Use the atomic masses {w:listing} g/mol.")
def molar_mass(formula, listing):
    weights = {k: float(v) for k, v in re.findall(r"(\w+) = ([\d.]+)", listing)}
    assert set(weights) == set(atoms(formula)), (formula, listing)
    return formula_mass(formula, weights)


@problem("How many moles are in {q:m} of {s:formula} (molar mass {n:mm} g/mol)?")
def moles_from_mass(m, formula, mm):
    return m / _stated_molar_mass(formula, mm)


@problem(
    "For the reaction {w:reaction}, what mass of {s:product} is formed from {q:m} of {s:reactant}, with the "
    "other reactants in excess? (molar masses: {s:reactant2} {n:mm_in} g/mol, {s:product2} {n:mm_out} g/mol)"
)
def reaction_mass(reaction, product, m, reactant, reactant2, mm_in, product2, mm_out):
    assert (reactant, product) == (reactant2, product2)
    left, right = equation(reaction)
    moles = m / _stated_molar_mass(reactant, mm_in) * right[product] / left[reactant]
    return moles * _stated_molar_mass(product, mm_out)


@problem(
    "What volume does {n:n} mol of an ideal gas occupy at {q:t} and {q:p}? (R = {n:r} J/(mol·K))",
)
def ideal_gas_volume(n, t, p, r):
    return Q(n, "mol") * Q(r, "J/(mol K)") * kelvin(t) / p


@problem("A gas occupies {q:v1} at {q:p1} and {q:t1}. What volume does it occupy at {q:p2} and {q:t2}?")
def combined_gas(v1, p1, t1, p2, t2):
    return v1 * (p1 / p2) * (kelvin(t2) / kelvin(t1))


STRONG_ACIDS = {"HCl", "HNO3", "HBr"}  # monoprotic, fully dissociated
STRONG_BASES = {"NaOH", "KOH"}  # one hydroxide each, fully dissociated
KW = 1.0e-14  # at 25 °C


def _ph(h: float) -> pint.Quantity:
    return Q(-math.log10(h), "dimensionless")


def _solve_h(balance: Callable[[float], float]) -> float:
    """[H+] in mol/L where the charge balance ``balance(h)`` changes sign (bisection on log h)."""
    lo, hi = -14.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if balance(10**mid) > 0:
            hi = mid
        else:
            lo = mid
    return 10 ** ((lo + hi) / 2)


@problem("What is the pH of a {q:c} solution of {s:name} at 25 °C?")
def strong_ph(c, name):
    conc = c.to("mol/L").magnitude
    if name in STRONG_ACIDS:  # h = c + Kw/h
        return _ph(_solve_h(lambda h: h - conc - KW / h))
    assert name in STRONG_BASES, name
    return _ph(_solve_h(lambda h: h + conc - KW / h))


@problem("What is the pH of a {q:c} solution of {w:name} (Ka = {n:ka}) at 25 °C?")
def weak_acid_ph(c, name, ka):
    conc = c.to("mol/L").magnitude
    # charge balance h = [A-] + [OH-], with [A-] = c Ka/(Ka + h)
    return _ph(_solve_h(lambda h: h - conc * ka / (ka + h) - KW / h))


@problem(
    "A buffer contains {n:n_acid} mol of {w:name} (Ka = {n:ka}) and {n:n_base} mol of its sodium salt in 1.00 L. "
    "What is its pH?"
)
def buffer_ph(n_acid, name, ka, n_base):
    return Q(-math.log10(ka) + math.log10(n_base / n_acid), "dimensionless")


@problem("What volume of {q:c1} stock solution is needed to make {q:v2} of {q:c2} solution?")
def dilution(c1, v2, c2):
    return c2 * v2 / c1


@problem(
    "{q:m} of {s:formula} (molar mass {n:mm} g/mol) is dissolved in water to make {q:v} of solution. What is "
    "the molar concentration?"
)
def molarity(m, formula, mm, v):
    return m / _stated_molar_mass(formula, mm) / v


@problem(
    "Heating decomposes {q:m} of {s:reactant} completely: {w:reaction}. What volume of {s:gas} is produced at "
    "{q:t} and {q:p}? (molar mass of {s:reactant2}: {n:mm} g/mol; R = {n:r} J/(mol·K))"
)
def reaction_gas_volume(m, reactant, reaction, gas, t, p, reactant2, mm, r):
    assert reactant == reactant2
    left, right = equation(reaction)
    moles = m / _stated_molar_mass(reactant, mm) * right[gas] / left[reactant]
    return moles * Q(r, "J/(mol K)") * kelvin(t) / p


# --- genetics ----------------------------------------------------------------------------------------

_LEGEND = re.compile(r"(.+?) \((\w)\) is dominant over (.+?) \((\w)\)")


def _legend(text: str) -> dict[str, tuple[str, bool]]:
    """Phenotype name -> (gene letter, dominant?) from ``tall (T) is dominant over short (t); ...``."""
    out = {}
    for part in text.split("; "):
        m = _LEGEND.fullmatch(part)
        assert m is not None, part
        out[m.group(1)] = (m.group(2), True)
        out[m.group(3)] = (m.group(2), False)
    return out


def _offspring(parent1: str, parent2: str) -> list[dict[str, str]]:
    """Every equally likely offspring of two multi-gene genotypes (``Tt Aa`` x ``TT aa``), by enumeration."""
    genes1, genes2 = parent1.split(), parent2.split()
    gametes = [list(itertools.product(*genes)) for genes in (genes1, genes2)]
    out = []
    for g1, g2 in itertools.product(*gametes):
        out.append({a.upper(): "".join(sorted(a + b)) for a, b in zip(g1, g2)})
    return out


def _probability(children: list[dict[str, str]], wanted: Callable[[dict[str, str]], bool]) -> Fraction:
    return Fraction(sum(wanted(c) for c in children), len(children))


@problem(
    "In pea plants, {w:legend}. Plants with genotypes {w:parent1} and {w:parent2} are crossed: what is the "
    "probability that an offspring is {w:phenotype}?",
    "In pea plants, {w:legend}. Plants with genotypes {w:parent1} and {w:parent2} are crossed: how many of "
    "{n:count} offspring are expected to be {w:phenotype}?",
)
def cross_phenotype(legend, parent1, parent2, phenotype, count=1.0):
    legend = legend.removesuffix("; the genes assort independently")
    traits = _legend(legend)
    wanted = [traits[name] for name in phenotype.split(" and ")]

    def shows(child: dict[str, str]) -> bool:
        return all(
            (child[gene].upper() != child[gene].lower() and any(ch.isupper() for ch in child[gene]))
            == dominant
            for gene, dominant in wanted
        )

    return float(_probability(_offspring(parent1, parent2), shows)) * count


@problem(
    "In pea plants, {w:dominant} ({w:gene}) is dominant over {w:recessive} ({w:gene2}). Two plants with "
    "genotypes {w:parent1} and {w:parent2} are crossed. What is the probability that an offspring has genotype "
    "{w:genotype}?"
)
def cross_genotype(dominant, gene, recessive, gene2, parent1, parent2, genotype):
    target = "".join(sorted(genotype))
    return float(_probability(_offspring(parent1, parent2), lambda c: c[gene] == target))


_MOTHER = re.compile(r"an? [\w-]+ mother \(X\^(\w) X\^(\w)\)")
_FATHER = re.compile(r"an? [\w-]+ father \(X\^(\w) Y\)")


@problem(
    "{w:disease} is X-linked recessive. A couple has {w:mother} and {w:father}. What is the probability {w:ask}?"
)
def x_linked(disease, mother, father, ask):
    m, f = _MOTHER.fullmatch(mother), _FATHER.fullmatch(father)
    assert m is not None and f is not None, (mother, father)
    children = []  # (sex, alleles on the X chromosomes), each equally likely
    for x_mother in m.groups():
        children.append(("son", x_mother))
        children.append(("daughter", x_mother + f.group(1)))

    def affected(child: tuple[str, str]) -> bool:
        return "A" not in child[1]

    sons = [c for c in children if c[0] == "son"]
    daughters = [c for c in children if c[0] == "daughter"]
    if ask == "that a son of theirs is affected":
        return float(_probability_of(sons, affected))
    if ask == "that their next child is an affected son":
        return float(_probability_of(children, lambda c: c[0] == "son" and affected(c)))
    if ask == "that a daughter of theirs is a carrier (heterozygous)":
        return float(_probability_of(daughters, lambda c: sorted(c[1]) == ["A", "a"]))
    if ask == "that a daughter of theirs is affected":
        return float(_probability_of(daughters, affected))
    if ask == "that their next child (of either sex) is affected":
        return float(_probability_of(children, affected))
    k = re.fullmatch(r"that (\d) sons of theirs are all affected", ask)
    assert k is not None, ask
    return float(_probability_of(sons, affected) ** int(k.group(1)))


def _probability_of(items: list, wanted: Callable[[Any], bool]) -> Fraction:
    return Fraction(sum(wanted(i) for i in items), len(items))


@problem(
    "A population sample has {n:n_dom} AA, {n:n_het} Aa and {n:n_rec} aa individuals. What is the frequency of "
    "allele {w:allele}?"
)
def allele_frequency(n_dom, n_het, n_rec, allele):
    big = 2 * n_dom + n_het
    small = 2 * n_rec + n_het
    return (big if allele == "A" else small) / (big + small)


def _carrier_fraction(incidence: float) -> float:
    q = math.sqrt(1 / incidence)
    return 2 * q * (1 - q)


@problem(
    "{w:disease} is autosomal recessive and affects 1 in {n:n} newborns in a population in Hardy-Weinberg "
    "equilibrium. What fraction of the population are carriers (heterozygotes)?"
)
def carrier_frequency(disease, n):
    return _carrier_fraction(n)


@problem(
    "{w:disease} (autosomal recessive) affects 1 in {n:n} people. In a town of {n:town} people in Hardy-Weinberg "
    "equilibrium, how many carriers (heterozygotes) are expected?"
)
def expected_carriers(disease, n, town):
    return _carrier_fraction(n) * town


# --- ecology -----------------------------------------------------------------------------------------


def _integrate(rate: Callable[[float], float], y0: float, t_end: float, steps: int = 4000) -> float:
    """y(t_end) for dy/dt = rate(y), by classical Runge-Kutta (independent of any closed form)."""
    y, h = y0, t_end / steps
    for _ in range(steps):
        k1 = rate(y)
        k2 = rate(y + h * k1 / 2)
        k3 = rate(y + h * k2 / 2)
        k4 = rate(y + h * k3)
        y += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return y


@problem(
    "A population of {n:n0} {w:who} grows exponentially at a continuous rate r = {n:r} per year. How many "
    "{w:who2} are there after {n:t} years?"
)
def exponential_growth(n0, who, r, who2, t):
    return _integrate(lambda y: r * y, n0, t)


@problem("A population grows continuously at {n:pct}% per year. What is its doubling time?")
def doubling_time(pct):
    rate = Q(pct, "percent") / Q(1, "julian_year")
    return Q(math.log(2), "") / rate


@problem(
    "A culture starts with {n:n0} bacteria that divide every {n:g} minutes. Assuming unlimited growth, how many "
    "bacteria are there after {n:hours} hours?"
)
def bacterial_generations(n0, g, hours):
    generations = (Q(hours, "hour") / Q(g, "minute")).to("dimensionless").magnitude
    return n0 * 2**generations


@problem(
    "A population of {n:n} {w:who} follows logistic growth with r = {n:r} per year and carrying capacity K = "
    "{n:k}. At what rate (individuals per year) is it growing now?"
)
def logistic_rate(n, who, r, k):
    return r * n * (1 - n / k)


@problem(
    "A population of {n:n0} {w:who} grows logistically with r = {n:r} per year and carrying capacity K = {n:k}. "
    "What is its size after {n:t} years?"
)
def logistic_population(n0, who, r, k, t):
    return _integrate(lambda y: r * y * (1 - y / k), n0, t)


@problem(
    "A patient takes a {q:dose} dose of a drug with a half-life of {n:half} hours (first-order elimination). How "
    "much of the drug remains in the body after {n:t} hours?"
)
def drug_elimination(dose, half, t):
    return dose * math.exp(-math.log(2) * t / half)


@problem(
    "Ecologists mark {n:marked} {w:who} and release them. Later they catch {n:caught} {w:who2}, of which "
    "{n:recaptured} are marked. Estimate the population size (Lincoln-Petersen)."
)
def mark_recapture(marked, who, caught, who2, recaptured):
    return marked * caught / recaptured


# --- astronomy ---------------------------------------------------------------------------------------

G_NEWTON = Q(1, "gravitational_constant")


@problem(
    "A planet orbits the Sun with a semi-major axis of {q:a}. What is its orbital period?",
    "A planet orbits a star of {n:solar_masses} solar masses with a semi-major axis of {q:a}. What is its "
    "orbital period?",
)
def kepler_period(a, solar_masses=1.0):
    mass = Q(solar_masses, "solar_mass")
    return 2 * math.pi * (a**3 / (G_NEWTON * mass)) ** 0.5


@problem(
    "A satellite is in a circular orbit {q:h} above Earth's surface. What is its orbital speed? (G = {n:g} N "
    "m^2/kg^2, Earth's mass {q:m}, radius {q:r})"
)
def orbital_speed(h, g, m, r):
    return (Q(g, "N m^2/kg^2") * m / (r + h)) ** 0.5


@problem(
    "A planet has {n:mass} times the mass of Earth and {n:radius} times its radius. What is the escape speed "
    "from its surface? (G = {n:g} N m^2/kg^2, Earth: {q:m}, {q:r})"
)
def escape_speed(mass, radius, g, m, r):
    return (2 * Q(g, "N m^2/kg^2") * mass * m / (radius * r)) ** 0.5


@problem(
    "A planet has {n:mass} Earth masses and {n:radius} Earth radii. What is the gravitational acceleration at "
    "its surface? (G = {n:g} N m^2/kg^2, Earth: {q:m}, {q:r})"
)
def surface_gravity(mass, radius, g, m, r):
    return Q(g, "N m^2/kg^2") * mass * m / (radius * r) ** 2


@problem(
    "A star has a surface temperature of {q:t}. At what wavelength does its blackbody spectrum peak? (Wien's "
    "constant b = {n:b} × 10^-3 m K)"
)
def wien_peak(t, b):
    return Q(b * 1e-3, "m K") / t


@problem("A star's measured parallax is {q:p}. How far away is it?")
def parallax_distance(p):
    return Q(1, "astronomical_unit") / math.tan(p.to("radian").magnitude)


@problem("A galaxy recedes at {q:v}. Using Hubble's law with H0 = {n:h0} km/s/Mpc, how far away is it?")
def hubble_distance(v, h0):
    return v / Q(h0, "km/s/Mpc")


@problem(
    "The hydrogen-alpha line (rest wavelength {q:rest}) appears at {q:seen} in a star's spectrum. What is the "
    "star's radial velocity? Take motion away from us as positive. (c = {q:c})"
)
def doppler_velocity(rest, seen, c):
    return c * (seen - rest) / rest


@problem("A star has apparent magnitude {n:m} and absolute magnitude {n:big_m}. How far away is it?")
def distance_modulus(m, big_m):
    return Q(10, "parsec") * 10 ** ((m - big_m) / 5)


@problem(
    "{w:planet} orbits at an average {q:a} from the Sun. How long does sunlight take to reach it? (1 AU = "
    "{q:au}, c = {q:c})",
    "A space probe is {q:a} from Earth. How long does a radio signal take to reach it? (1 AU = {q:au}, c = {q:c})",
)
def light_travel_time(a, au, c, planet=""):
    return a / Q(1, "speed_of_light")


@problem(
    "A star has {n:radius} times the Sun's radius and a surface temperature of {q:t} (the Sun's is {q:t_sun}). "
    "What is its luminosity in solar luminosities (L_sun)?",
    "A star has {n:radius} times the Sun's radius and a surface temperature of {q:t} (the Sun's is {q:t_sun}). "
    "What is its luminosity? (L_sun = {q:l_sun})",
)
def stellar_luminosity(radius, t, t_sun, l_sun=None):
    # Stefan-Boltzmann from pint's constants, not the stated L_sun (IAU's nominal values agree to 1e-4)
    sigma = Q(1, "stefan_boltzmann_constant")
    return 4 * math.pi * (radius * Q(1, "solar_radius")) ** 2 * sigma * t**4


# --- earth science -----------------------------------------------------------------------------------

_SPAN = {"years": "julian_year", "million years": "megayear", "billion years": "gigayear"}


@problem(
    "A sample retains {n:pct}% of its original {w:isotope} (half-life {n:half} {w:span}). How old is it?"
)
def fraction_remaining_age(pct, isotope, half, span):
    decay = math.log(2) / Q(half, _SPAN[span])
    return math.log(100 / pct) / decay


@problem(
    "A mineral contains radiogenic daughter atoms and {w:isotope} parent atoms (half-life {n:half} {w:span}) in "
    "the ratio D/P = {n:ratio}, with no daughter at formation. How old is it?"
)
def daughter_parent_age(isotope, half, span, ratio):
    decay = math.log(2) / Q(half, _SPAN[span])
    return math.log(1 + ratio) / decay  # parent P = N0 e^(-λt), daughter D = N0 - P


@problem(
    "At a seismic station the S waves arrive {q:lag} after the P waves. The P-wave speed is {n:vp} km/s and the "
    "S-wave speed {n:vs} km/s. How far away is the epicentre?"
)
def epicentre_distance(lag, vp, vs):
    return lag / (1 / Q(vs, "km/s") - 1 / Q(vp, "km/s"))


@problem(
    "What is the absolute pressure {q:depth} below the surface of the sea? (seawater density {q:rho}, g = {q:g}, "
    "atmospheric pressure {q:p0})"
)
def ocean_pressure(depth, rho, g, p0):
    return p0 + rho * g * depth


@problem(
    "Assuming an isothermal atmosphere with scale height {q:scale} and sea-level pressure {q:p0}, what is the air "
    "pressure at an altitude of {q:h}?"
)
def barometric_pressure(scale, p0, h):
    return p0 * math.exp(-(h / scale).to("dimensionless").magnitude)


@problem("Two plates separate at {q:rate}. How far apart do they move in {n:myr} million years?")
def plate_motion(rate, myr):
    return rate * Q(myr, "megayear")


@problem(
    "How many times larger is the {w:what} by a magnitude {n:m2} earthquake than by a magnitude {n:m1} one?"
)
def magnitude_ratio(what, m2, m1):
    if what == "energy released":
        return 10 ** (1.5 * (m2 - m1))  # Gutenberg-Richter energy relation
    assert what == "maximum ground-motion amplitude (at the same distance)", what
    return 10 ** (m2 - m1)


@problem(
    "A parcel of dry air at {q:t0} at sea level rises adiabatically to {q:h}. What is its temperature there? (dry "
    "adiabatic lapse rate {n:rate} °C/km)"
)
def lapse_temperature(t0, h, rate):
    return kelvin(t0) - Q(rate, "K/km") * h


@problem(
    "A river channel is {q:width} wide and {q:depth} deep on average, and the water flows at {q:speed}. What is "
    "the discharge?"
)
def stream_discharge(width, depth, speed):
    return width * depth * speed

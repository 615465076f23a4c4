"""Quantities with units: parsing, conversion, comparison in the stated unit, and hostile input."""

import math
import time

import pytest

from guru_envs.verify.units import (
    UnitError,
    compare_measurement,
    convert,
    format_number,
    is_symbol,
    parse_measurement,
    parse_unit,
    read_measured_answer,
)


def si(text):
    q = parse_measurement(text)
    assert q is not None, text
    return q.unit.to_si(q.value) if q.unit is not None else q.value


@pytest.mark.parametrize(
    ("text", "value_si"),
    [
        ("3.0 km", 3000.0),
        ("3000 m", 3000.0),
        ("3 \\text{km}", 3000.0),
        ("3.0\\,\\mathrm{km}", 3000.0),
        ("\\SI{3}{\\kilo\\meter}", 3000.0),
        ("3.0 kilometres", 3000.0),
        ("72 km/h", 20.0),
        ("72 km h^-1", 20.0),
        ("72 \\mathrm{km\\,h^{-1}}", 20.0),
        ("20 meters per second", 20.0),
        ("9.8 m/s^2", 9.8),
        ("9.8 m s^-2", 9.8),
        ("9.8 m·s⁻²", 9.8),
        ("9.8 \\frac{m}{s^2}", 9.8),
        ("2.5\\times10^{3}\\,\\mathrm{J\\,kg^{-1}}", 2500.0),
        ("2.5 × 10³ J/kg", 2500.0),
        ("2.5e3 J/kg", 2500.0),
        ("2.5E+3 J/kg", 2500.0),
        ("2.5 \\cdot 10^{3} J/kg", 2500.0),
        ("2.5*10**3 J/kg", 2500.0),
        ("2,500 J/kg", 2500.0),
        ("2 500 J/kg", 2500.0),
        ("10^{-3} m", 1e-3),
        ("1.5 mM", 1.5),
        ("1.5 \\mathrm{mmol\\,L^{-1}}", 1.5),
        ("0.25 mol/L", 250.0),
        ("1.2 kΩ", 1200.0),
        ("1.2 k\\Omega", 1200.0),
        ("1.2 \\text{k}\\Omega", 1200.0),
        ("5 \\mu F", 5e-6),
        ("5 µF", 5e-6),
        ("5 μF", 5e-6),
        ("1 atm", 101325.0),
        ("760 mmHg", 101325.0),
        ("1 bar", 1e5),
        ("1 kWh", 3.6e6),
        ("1 kcal", 4184.0),
        ("1 eV", 1.602176634e-19),
        ("1 L", 1e-3),
        ("1 mL", 1e-6),
        ("1 cm^3", 1e-6),
        ("1 AU", 1.495978707e11),
        ("1 ly", 9.4607304725808e15),
        ("4.5 Gyr", 4.5e9 * 365.25 * 86400),
        ("4.5 billion years", 4.5e9 * 365.25 * 86400),
        ("2 M_\\odot", 2 * 1.98847e30),
        ("2 solar masses", 2 * 1.98847e30),
        ("8.31 J/(mol K)", 8.31),
        ("4.18 J/(g °C)", 4180.0),
        ("5 N m", 5.0),
        ("5 Nm", 5.0),
        ("12 square meters", 12.0),
        ("25 °C", 298.15),
        ("25^\\circ C", 298.15),
        ("25\\,^{\\circ}\\mathrm{C}", 298.15),
        ("25 degrees Celsius", 298.15),
        ("77 °F", 298.15),
        ("−40 °F", 233.15),
        ("30°", math.pi / 6),
        ("30^\\circ", math.pi / 6),
        ("30 degrees", math.pi / 6),
        ("0.5236 rad", 0.5236),
        ("18.75%", 0.1875),
        ("18.75 \\%", 0.1875),
        ("18.75 percent", 0.1875),
        ("3/16", 0.1875),
        ("\\frac{3}{16}", 0.1875),
        ("$3.2$ m/s", 3.2),
        ("3 m.", 3.0),
        # common spellings of right answers (scientific notation, LaTeX units, thousands separators)
        ("1.34 \\times 10^{5} m", 1.34e5),
        ("1.34 \\times 10^5 m", 1.34e5),
        ("1.34\\cdot10^5 m", 1.34e5),
        ("1.34 x 10^5 m", 1.34e5),
        ("1.34×10⁵ m", 1.34e5),
        ("1.34E5 m", 1.34e5),
        ("1{,}340 m", 1340.0),
        ("5\\,{\\rm m/s}", 5.0),
        ("\\num{1.5e3} J", 1500.0),
        ("45\\,\\mathrm{m\\,s^{-1}}", 45.0),
        ("3.2 \\text{ m/s}^2", 3.2),
        ("25 \\degree C", 298.15),
        ("25^{\\circ}\\text{C}", 298.15),
        ("1.2 \\times 10^{-3} \\, \\text{m}^3", 1.2e-3),
        ("12\\%", 0.12),
        ("2.5 \\text{ kJ}", 2500.0),
    ],
)
def test_parse_measurement_to_si(text, value_si):
    assert math.isclose(si(text), value_si, rel_tol=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "m/s",
        "3 furlongs",
        "\\sqrt{2} m",
        "9^9^9^9",
        "9^{9^{9^{9}}}",
        "1e999999 m",
        "3 m 2",
        "3 k",
        "3 m^99",
        "3 ((((((m))))))",
        "3 \\evil{m}",
        "3 m/",
        "3 m^",
        "3 (m",
        "1/0 m",
        "3 H2O",
        "v = 3.2 m/s",  # an equation is read by read_measured_answer, not here
        "3 m or 4 m",
        "3 m (approx)",
        "±3 m",
    ],
)
def test_not_measurements(text):
    assert parse_measurement(text) is None


def test_bare_numbers_have_no_unit():
    assert parse_measurement("9.81") == (9.81, None)
    assert parse_measurement("-3") == (-3.0, None)


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("v = 3.2 m/s", "3.2 m/s"),
        ("v_f = 3.2 m/s", "3.2 m/s"),
        ("\\lambda_{max} = 500 nm", "500 nm"),
        ("T_{1/2} = 5 yr", "5 yr"),
        ("[H^+] = 0.01 M", "0.01 M"),
        ("\\Delta L = 3 mm", "3 mm"),
        ("3.2 m/s = v", "3.2 m/s"),
        ("\\approx 3 J", "3 J"),
        ("E \\approx 3 J", "3 J"),
        ("v = 3.0 m/s = 10.8 km/h", "10.8 km/h"),  # a true chain states its value
        ("4.5 billion years", "4.5 billion years"),  # a unit, not a scale word
        ("3.0 \\text{ m/s}", "3.0 \\text{ m/s}"),
    ],
)
def test_one_measured_claim(answer, value):
    assert read_measured_answer(answer) == (value, None)


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("6 m/s = 3 m/s", "false equation"),
        ("v = 3 m/s = 6 m/s", "false equation"),
        ("5 = 3", "false equation"),
        ("E = mc^2 = 3 J", "names"),
        ("d = v^2/(2a) = 3 m", "cannot be checked"),
        ("x = y", "names"),
        ("3 m or 4 m", "alternative"),
        ("0.47 or thirteen", "alternative"),
        ("about 3 m", "approximation"),
        ("not 3 m", "negation"),
        ("3 m (not 4 m)", "negation"),
        ("7 thousand", "scale word"),
        ("~3 m", "'~'"),
        ("< 3 m", "'<'"),
        ("3 \\pm 0.1 m", "pm"),
        ("3 m?", "'?'"),
        ("\\text{Final answer: } 3 m", "statement"),
        # a denied word where the quantity's name stands (it passed the name check as letters)
        ("\\text{not } v = 3 m/s", "negation"),
        ("maybe = 3 m/s", "hedge"),
        ("\\mathrm{or} = 3 m/s", "alternative"),
        ("3 m/s = about", "approximation"),
    ],
)
def test_not_one_measured_claim(answer, why):
    read = read_measured_answer(answer)
    assert read.text is None and why in read.refused


@pytest.mark.parametrize(
    "name", ["v", "v_f", "v_{f}", "\\lambda_{max}", "T_{1/2}", "[H^+]", "\\Delta L", "E_k", "pH"]
)
def test_symbols(name):
    assert is_symbol(name)


@pytest.mark.parametrize("text", ["3 m", "3", "v^2/(2a)", "2 v", "", "a" * 40])
def test_not_symbols(text):
    assert not is_symbol(text)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1, "km/h", "m/s", 1 / 3.6),
        (1, "mi", "km", 1.609344),
        (1, "lb", "kg", 0.45359237),
        (1, "ft", "m", 0.3048),
        (100, "°C", "°F", 212.0),
        (0, "K", "°C", -273.15),
        (1, "pc", "ly", 3.2616),
        (1, "atm", "kPa", 101.325),
        (1, "cal", "J", 4.184),
        (1, "h", "min", 60),
        (1, "J", "eV", 6.241509e18),
        (1, "M", "mol/m^3", 1000),
        (180, "°", "rad", math.pi),
        (1, "kWh", "MJ", 3.6),
        (1, "N", "kg m/s^2", 1.0),
        (1, "W", "J/s", 1.0),
        (1, "Ω", "V/A", 1.0),
        (1, "F", "C/V", 1.0),
        (1, "Pa", "N/m^2", 1.0),
    ],
)
def test_conversions_agree_with_definitions(value, src, dst, expected):
    assert math.isclose(convert(value, src, dst), expected, rel_tol=1e-4)


def test_dimension_mismatch_is_refused():
    with pytest.raises(UnitError):
        convert(1, "kg", "m")
    with pytest.raises(UnitError):
        parse_unit("furlong")


@pytest.mark.parametrize(
    ("answer", "value", "unit", "ok"),
    [
        ("3000 m", 3.0, "km", True),
        ("3.0 km", 3.0, "km", True),
        ("3", 3.0, "km", True),  # a bare number is read in the stated unit
        ("3.02 km", 3.0, "km", True),  # within 1 %
        ("3.1 km", 3.0, "km", False),
        ("3.0 m", 3.0, "km", False),  # wrong unit, same dimension
        ("3000", 3.0, "km", False),  # the SI number under the stated unit
        ("3.0 kg", 3.0, "km", False),  # wrong dimension
        ("6.0 km", 3.0, "km", False),  # factor 2
        ("-3.0 km", 3.0, "km", False),  # sign
        ("298.15 K", 25.0, "°C", True),
        ("77 °F", 25.0, "°C", True),
        ("26 °C", 25.0, "°C", False),  # 1 % of 298 K would have let this through
        ("25 K", 25.0, "°C", False),
        ("0.5236 rad", 30.0, "°", True),
        ("30", 30.0, "°", True),
        ("0.5236", 30.0, "°", False),
        ("25%", 0.25, "", True),
        ("0.25", 0.25, "", True),
        ("25", 0.25, "", False),
        ("250 mM", 0.25, "mol/L", True),
        ("0.25 M", 0.25, "mol/L", True),
        ("2.5 \\times 10^{-4} mol/mL", 0.25, "mol/L", True),
    ],
)
def test_compare_measurement(answer, value, unit, ok):
    assert compare_measurement(answer, value, unit).ok is ok


def test_stated_only_requires_the_stated_unit():
    assert compare_measurement("3000 m", 3.0, "km", stated_only=True).ok is False
    assert compare_measurement("3.0 km", 3.0, "km", stated_only=True).ok is True
    assert compare_measurement("3.0", 3.0, "km", stated_only=True).ok is True
    assert (
        compare_measurement("20 kph", 20.0, "km/h", stated_only=True).ok is True
    )  # same unit, other spelling
    assert "must be given in" in compare_measurement("3000 m", 3.0, "km", stated_only=True).reason


def test_reasons_say_what_is_wrong():
    assert "length" in compare_measurement("3 kg", 3.0, "km").reason
    assert compare_measurement("hello", 3.0, "km").ok is None


@pytest.mark.parametrize(
    ("value", "sig", "latex", "text"),
    [
        (123456, 3, False, "1.23 × 10^5"),
        (0.000123, 3, True, "1.23 \\times 10^{-4}"),
        (-2.5, 3, False, "-2.50"),
        (9.996, 3, False, "10.0"),
        (0.00123, 3, False, "0.00123"),
        (0, 3, False, "0"),
    ],
)
def test_format_number_round_trips(value, sig, latex, text):
    assert format_number(value, sig, latex) == text
    parsed = parse_measurement(text)
    assert parsed is not None and math.isclose(
        parsed.value, float(f"{value:.{sig - 1}e}"), rel_tol=1e-9, abs_tol=1e-12
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "9" * 10_000_000,
        "3 " + "(" * 100_000 + "m" + ")" * 100_000,
        "3 " + "m*" * 50_000 + "m",
        "3 " + "\\text{" * 50_000 + "m" + "}" * 50_000,
        "3 " + "k" * 200,
        "1" + "0" * 299 + " m",
        "3 m^" + "9" * 1000,
        None,
        b"3 m",
    ],
)
def test_hostile_input_is_fast_and_harmless(hostile):
    start = time.thread_time()
    assert parse_measurement(hostile) is None or isinstance(parse_measurement(hostile).value, float)
    assert compare_measurement(hostile, 3.0, "m").ok is not True
    assert time.thread_time() - start < 0.5


def test_unit_symbols_come_from_sympy_units():
    # the table is resolved through sympy.physics.units; spot-check values sympy defines
    import sympy.physics.units as u

    assert math.isclose(parse_unit("atm").scale, float(u.convert_to(u.atmosphere, u.pascal).args[0]))
    assert math.isclose(parse_unit("mmHg").scale, float(u.convert_to(u.mmHg, u.pascal).args[0]))
    assert parse_unit("J").dims == parse_unit("N m").dims == parse_unit("kg m^2/s^2").dims


# --- negated relations and congruence (red team 2026-12: "E \not= 49.20 m/s" was paid) -------------------

_NEGATED = [
    "E \\not= {g}",
    "E \\not = {g}",
    "KE \\not= {g}",
    "\\not= {g}",
    "\\not\\approx {g}",
    "\\not \\approx {g}",
    "\\not\\simeq {g}",
    "\\not\\cong {g}",
    "E \\not\\equiv {g}",
    "E \\notin {g}",
    "E \\napprox {g}",
    "E \\nsim {g}",
    "E \\ncong {g}",
    "\\neg {g}",
    "\\lnot {g}",
    "E \u2260 {g}",  # ≠
    "\u2249 {g}",  # ≉
    "\u2244 {g}",  # ≄
    "\u2247 {g}",  # ≇
    "E \u2241 {g}",  # ≁
    "E =\u0338 {g}",  # a combining long solidus overlay on "=" (NFC makes it ≠)
    "E \u0338= {g}",
    "E \u2248\u0338 {g}",
    "v = {g} \\not= 3 m/s",
]
# Congruence is no approximation sign.
_CONGRUENT = ["\\cong {g}", "E \\cong {g}", "\u2245 {g}", "E \u2245 {g}"]
# Approximately equals: how a measured value is reported.
_APPROXIMATE = [
    "\\approx {g}",
    "E \\approx {g}",
    "\u2248 {g}",
    "E \u2248 {g}",
    "\\simeq {g}",
    "\u2243 {g}",
    "E = {g}",
]


@pytest.mark.parametrize("answer", _NEGATED + _CONGRUENT)
def test_a_negated_relation_or_congruence_is_no_claim_of_the_value(answer):
    read = read_measured_answer(answer.format(g="49.20 m/s"))
    assert read.text is None and "not one claim" in read.refused


@pytest.mark.parametrize("answer", _APPROXIMATE)
def test_approximately_equals_is_presentation(answer):
    assert read_measured_answer(answer.format(g="49.20 m/s")) == ("49.20 m/s", None)


def test_split_relations_never_splits_a_struck_equals():
    from guru_envs.verify.units import split_relations

    assert split_relations("E \\not= 3 J") == ["E \\not= 3 J"]
    assert split_relations("\\not\\approx 3 J") == ["\\not\\approx 3 J"]
    assert split_relations("E \\cong 3 J") == ["E \\cong 3 J"]
    assert split_relations("E \\approx 3 J") == ["E ", " 3 J"]


_NUMERIC_FAMILIES = (
    "mechanics",
    "circuits",
    "optics",
    "thermodynamics",
    "chemistry",
    "genetics",
    "ecology",
    "astronomy",
    "earth",
)


@pytest.mark.parametrize("family", _NUMERIC_FAMILIES)
def test_every_numeric_family_refuses_negations_and_congruence(family):
    """Through the env: the reference's own boxed value behind a negated sign or ≅ earns 0; behind ≈ it earns 1."""
    import gymnasium as gym

    import guru_envs  # noqa: F401 - registers the envs

    env = gym.make(f"guru/Science.{family}-v0", difficulty=1)
    env.reset(seed=0)
    reference = env.unwrapped.task.reference_response
    gold = reference.rsplit("\\boxed{", 1)[1]
    depth = 0
    for i, ch in enumerate(gold):  # the boxed value, to its matching brace
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            gold = gold[:i]
            break

    def reward(answer: str) -> float:
        env.reset(seed=0)
        return env.step(f"\\boxed{{{answer.format(g=gold)}}}")[1]

    assert reward("{g}") == 1.0
    for answer in _NEGATED + _CONGRUENT:
        assert reward(answer) == 0.0, (family, answer)
    for answer in _APPROXIMATE:
        assert reward(answer) == 1.0, (family, answer)

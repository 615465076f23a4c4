"""Thermodynamics: heat, phase changes, mixing, engines, gases, expansion and heat transfer, with units.

Description:
    Specific heat (``Q = m c ΔT``), final temperature of a mixture, latent heat, Carnot efficiency,
    isothermal work of an ideal gas, linear thermal expansion, conduction through a wall, and radiated
    power (Stefan-Boltzmann).

Prompt:
    The situation with its givens (temperatures in °C, masses in g or kg, thicknesses in cm ...) and the
    unit the answer is wanted in.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{41.8 kJ}``, ``\\boxed{37.5 °C}``, ``\\boxed{42.1 %}``.
    Temperatures are compared on the stated scale (``310.6 K`` is converted to °C before the 1 %
    tolerance applies). With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one relation, SI givens. 2: grams, cm, kJ. 3: adds two-stage heating (warm, then melt/boil) and
    radiated power from a temperature in °C, answers in other units.

Version History:
    v0: initial release.
    v0 (unreleased): isothermal work shows the final volume exactly (it was rounded to 3 figures, so the
        volume ratio read from the prompt could differ from the one the gold used by up to 0.5 %); radiated
        power uses the stated σ = 5.67e-8; multiple-choice temperatures are shown to 0.1 degree (3 figures
        were shown, so options in kelvin could read 314, 315 and 316 K); answers must be one claim (hedges,
        negations, scale words, false equations, LaTeX connectives such as ``\\lor`` or ``\\pm``, values set
        apart by spacing and several different boxes score 0; a label after a count only when the question
        uses it) (issue 17).
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import (
    AnswerUnit,
    ScienceConfig,
    ScienceFamily,
    Topic,
    Worked,
    exact_text,
    fmt,
    given,
)

SPECIFIC_HEAT = {
    "water": 4186.0,
    "aluminium": 900.0,
    "copper": 385.0,
    "iron": 450.0,
    "glass": 840.0,
}  # J/(kg K)
EXPANSION = {"steel": 12e-6, "aluminium": 23e-6, "copper": 17e-6, "brass": 19e-6}  # 1/K
CONDUCTIVITY = {"glass": 0.80, "brick": 0.60, "concrete": 1.1, "wood": 0.12}  # W/(m K)
L_FUSION = 3.34e5  # J/kg, ice
L_VAPOR = 2.26e6  # J/kg, water
C_ICE = 2100.0  # J/(kg K)
SIGMA = 5.67e-8  # W/(m^2 K^4), as the prompt states it
R_GAS = 8.314  # J/(mol K)


def heat_capacity(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Q = m c ΔT."""
    name, c = rng.choice(sorted(SPECIFIC_HEAT.items()))
    m = given(rng, 0.1, 5, "kg", cfg, alt=("g",))
    t1 = rng.randint(5, 30)
    t2 = t1 + rng.randint(10, 60)
    ans = AnswerUnit(rng, cfg, "J", ("kJ",))
    q_heat = m.base * c * (t2 - t1)
    q = f"How much heat is needed to warm {m} of {name} (specific heat {fmt(c, 4)} J/(kg·K)) from {t1} °C to {t2} °C?"
    steps = [f"Q = m c ΔT = {fmt(m.base)} kg × {fmt(c, 4)} J/(kg·K) × {t2 - t1} K = {fmt(q_heat, 4)} J."]
    mistakes = [
        (m.base * c * t2, "final temperature used instead of ΔT"),
        (m.base * c * (t2 + t1), "temperatures added"),
        (m.base * c * (t2 - t1 + 273.15), "ΔT converted to kelvin by adding 273"),
    ]
    if m.unit != "kg":
        mistakes.append((m.value * c * (t2 - t1), f"mass used in {m.unit} without converting"))
    return ans.worked(q, q_heat, steps, mistakes)


def mixing_temperature(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """T = (m1 T1 + m2 T2)/(m1 + m2) for water."""
    m1 = given(rng, 0.1, 2, "kg", cfg, alt=("g",))
    m2 = given(rng, 0.1, 2, "kg", cfg, alt=("g",))
    t1 = rng.randint(5, 30)
    t2 = rng.randint(45, 95)
    ans = AnswerUnit(rng, cfg, "°C", ("K",))
    tf = (m1.base * t1 + m2.base * t2) / (m1.base + m2.base)
    q = f"{m1} of water at {t1} °C is mixed with {m2} of water at {t2} °C in an insulated container. What is the final temperature?"
    steps = [
        f"Heat lost = heat gained: T = (m1 T1 + m2 T2)/(m1 + m2) = ({fmt(m1.base)} × {t1} + {fmt(m2.base)} × {t2})/{fmt(m1.base + m2.base, 4)} = {fmt(tf, 4)} °C."
    ]
    mistakes = [
        ((t1 + t2) / 2, "simple average"),
        ((m1.base * t2 + m2.base * t1) / (m1.base + m2.base), "masses swapped"),
    ]
    if m1.unit != m2.unit:
        mistakes.append(
            ((m1.value * t1 + m2.value * t2) / (m1.value + m2.value), "masses in different units mixed")
        )
    w = ans.worked(q, tf, steps, mistakes)
    w.unit_words = "degrees Celsius" if w.unit == "°C" else "kelvin"
    return w


def melting_heat(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Q = m L (melting or boiling)."""
    m = given(rng, 0.05, 3, "kg", cfg, alt=("g",))
    boil = rng.random() < 0.5
    latent, what = (L_VAPOR, "boil away") if boil else (L_FUSION, "melt")
    start = "water at 100 °C" if boil else "ice at 0 °C"
    ans = AnswerUnit(rng, cfg, "J", ("kJ", "MJ"))
    q_heat = m.base * latent
    q = f"How much heat is needed to {what} {m} of {start}? (latent heat of fusion 3.34 × 10^5 J/kg, of vaporisation 2.26 × 10^6 J/kg)"
    steps = [f"Q = m L = {fmt(m.base)} kg × {fmt(latent, 3)} J/kg = {fmt(q_heat, 4)} J."]
    other = L_FUSION if boil else L_VAPOR
    mistakes = [
        (m.base * other, "the other latent heat used"),
        (m.base * 4186 * 100, "specific heat × 100 K used"),
    ]
    if m.unit != "kg":
        mistakes.append((m.value * latent, f"mass used in {m.unit} without converting"))
    return ans.worked(q, q_heat, steps, mistakes)


def carnot_efficiency(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Carnot efficiency: η = 1 − T_c/T_h with kelvin temperatures."""
    th = rng.randint(150, 600)
    tc = rng.randint(5, 60)
    eff = 1 - (tc + 273.15) / (th + 273.15)
    q = f"A heat engine works between a hot reservoir at {th} °C and a cold reservoir at {tc} °C. What is its maximum (Carnot) efficiency?"
    steps = [
        f"η = 1 − T_c/T_h with kelvin temperatures: 1 − {fmt(tc + 273.15, 5)} K / {fmt(th + 273.15, 5)} K = {fmt(eff * 100, 4)} %."
    ]
    mistakes = [
        ((1 - tc / th) * 100, "Celsius temperatures used"),
        ((tc + 273.15) / (th + 273.15) * 100, "T_c/T_h given"),
        ((th - tc) / (tc + 273.15) * 100, "divided by T_c"),
    ]
    return Worked(q, eff * 100, "%", steps, mistakes)


def isothermal_work(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """W = n R T ln(V2/V1)."""
    n = round(rng.uniform(0.2, 3.0), 2)
    t = rng.randint(250, 600)
    v1 = given(rng, 0.002, 0.02, "m^3", cfg, alt=("L",))
    ratio = rng.choice([1.5, 2, 2.5, 3, 4, 5])
    v2_text = f"{exact_text(v1.value * ratio)} {v1.unit}"  # 2 figures times 2.5 may need 4 to be exact
    ans = AnswerUnit(rng, cfg, "J", ("kJ",))
    w = n * R_GAS * t * math.log(ratio)
    q = f"{n} mol of an ideal gas expands isothermally at {t} K from {v1} to {v2_text}. How much work does the gas do? (R = 8.314 J/(mol·K))"
    steps = [f"W = n R T ln(V2/V1) = {n} × 8.314 × {t} × ln({fmt(ratio, 3)}) = {fmt(w, 4)} J."]
    mistakes = [
        (n * R_GAS * t * math.log10(ratio), "log10 used instead of ln"),
        (n * R_GAS * t * ratio, "ratio not logged"),
        (n * R_GAS * t * (ratio - 1), "W = n R T (V2 − V1)/V1"),
    ]
    return ans.worked(q, w, steps, mistakes)


def thermal_expansion(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """ΔL = α L ΔT."""
    name, alpha = rng.choice(sorted(EXPANSION.items()))
    length = given(rng, 1, 50, "m", cfg, alt=("cm", "km"))
    t1 = rng.randint(-10, 20)
    t2 = t1 + rng.randint(15, 60)
    ans = AnswerUnit(rng, cfg, "mm", ("cm", "μm"))
    dl = alpha * length.base * (t2 - t1)
    q = f"A {name} rail (α = {fmt(alpha * 1e6, 2)} × 10^-6 /K) is {length} long at {t1} °C. By how much does its length increase when it warms to {t2} °C?"
    steps = [
        f"ΔL = α L ΔT = {fmt(alpha, 2)} /K × {fmt(length.base)} m × {t2 - t1} K = {fmt(dl, 4)} m = {fmt(dl * 1000, 4)} mm."
    ]
    mistakes = [
        (alpha * length.base * t2, "final temperature used instead of ΔT"),
        (alpha * (t2 - t1), "length left out"),
        (alpha * length.base * (t2 - t1) * 3, "volume coefficient 3α used"),
    ]
    return ans.worked(q, dl * 1000, steps, [(m * 1000, why) for m, why in mistakes])


def conduction(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = k A ΔT / d."""
    name, k = rng.choice(sorted(CONDUCTIVITY.items()))
    area = round(rng.uniform(0.5, 12), 1)
    d = given(rng, 0.003, 0.25, "m", cfg, alt=("cm", "mm"))
    t_in = rng.randint(15, 25)
    t_out = rng.randint(-15, 10)
    ans = AnswerUnit(rng, cfg, "W", ("kW",))
    p = k * area * (t_in - t_out) / d.base
    q = f"A {name} wall panel (thermal conductivity {k} W/(m·K)) has area {area} m^2 and thickness {d}. The inside is at {t_in} °C and the outside at {t_out} °C. What is the rate of heat flow through it?"
    steps = [f"P = k A ΔT / d = {k} × {area} m^2 × {t_in - t_out} K / {fmt(d.base)} m = {fmt(p, 4)} W."]
    mistakes = [
        (k * area * (t_in - t_out) * d.base, "multiplied by the thickness"),
        (k * (t_in - t_out) / d.base, "area left out"),
        (k * area * (t_in + t_out) / d.base, "temperatures added"),
    ]
    if d.unit != "m":
        mistakes.append(
            (k * area * (t_in - t_out) / d.value, f"thickness used in {d.unit} without converting")
        )
    return ans.worked(q, p, steps, mistakes)


def ice_to_water(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Three stages: warm the ice, melt it, warm the water."""
    m = given(rng, 0.05, 2, "kg", cfg, alt=("g",))
    t0 = -rng.randint(2, 25)
    t1 = rng.randint(5, 60)
    ans = AnswerUnit(rng, cfg, "J", ("kJ",))
    q1 = m.base * C_ICE * (0 - t0)
    q2 = m.base * L_FUSION
    q3 = m.base * 4186 * t1
    total = q1 + q2 + q3
    q = (
        f"How much heat turns {m} of ice at {t0} °C into water at {t1} °C? (c_ice = 2100 J/(kg·K), "
        f"c_water = 4186 J/(kg·K), L_f = 3.34 × 10^5 J/kg)"
    )
    steps = [
        f"Warm the ice: {fmt(m.base)} × 2100 × {-t0} = {fmt(q1, 4)} J.",
        f"Melt it: {fmt(m.base)} × 3.34e5 = {fmt(q2, 4)} J.",
        f"Warm the water: {fmt(m.base)} × 4186 × {t1} = {fmt(q3, 4)} J; total {fmt(total, 4)} J.",
    ]
    mistakes = [
        (q1 + q3, "melting left out"),
        (q2 + q3, "warming the ice left out"),
        (m.base * 4186 * (t1 - t0), "one specific heat for the whole range, no melting"),
    ]
    return ans.worked(q, total, steps, mistakes)


def radiated_power(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = ε σ A T⁴ with T from °C."""
    area = round(rng.uniform(0.05, 2.0), 2)
    t_c = rng.randint(50, 900)
    eps = round(rng.uniform(0.3, 0.95), 2)
    ans = AnswerUnit(rng, cfg, "W", ("kW",))
    t_k = t_c + 273.15
    p = eps * SIGMA * area * t_k**4
    q = f"A surface of area {area} m^2 and emissivity {eps} is at {t_c} °C. How much power does it radiate? (σ = 5.67 × 10^-8 W/(m^2·K^4))"
    steps = [
        f"T = {t_c} + 273.15 = {fmt(t_k, 5)} K; P = ε σ A T⁴ = {eps} × 5.67e-8 × {area} × {fmt(t_k, 5)}⁴ = {fmt(p, 4)} W."
    ]
    mistakes = [
        (eps * SIGMA * area * t_c**4, "Celsius temperature used"),
        (SIGMA * area * t_k**4, "emissivity left out"),
        (eps * SIGMA * area * t_k**3, "T cubed"),
    ]
    return ans.worked(q, p, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "heat_capacity": (heat_capacity, 1),
    "mixing_temperature": (mixing_temperature, 1),
    "melting_heat": (melting_heat, 1),
    "carnot_efficiency": (carnot_efficiency, 1),
    "isothermal_work": (isothermal_work, 1),
    "thermal_expansion": (thermal_expansion, 1),
    "conduction": (conduction, 1),
    "ice_to_water": (ice_to_water, 3),
    "radiated_power": (radiated_power, 3),
}


class ThermodynamicsFamily(ScienceFamily):
    """Heat, temperature and ideal-gas problems with units (see the module docstring)."""

    name = "thermodynamics"
    TOPICS = TOPICS

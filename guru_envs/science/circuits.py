"""Circuits: Ohm's law, resistor networks, power, capacitors and RC circuits, with units.

Description:
    DC circuit problems: current from Ohm's law, series and parallel resistance, dissipated power,
    voltage dividers, RC time constants, capacitor energy, and (level 3) power in one resistor of a
    series pair and the energy an appliance uses.

Prompt:
    The circuit in words with its component values (Ω, V, F at level 1; kΩ, mA, μF, mV from level 2),
    and the unit the answer is wanted in.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{2.4 mA}``; any unit of the right dimension is converted.
    With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one relation, SI values. 2: prefixed values (kΩ, μF, mA). 3: two-step problems, answers in
    prefixed units.

Version History:
    v0: initial release.
    v0 (unreleased): answers must be one claim (hedges, negations, scale words, false equations, LaTeX
        connectives such as ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes
        score 0; a label after a count only when the question uses it) (issue 17).
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import AnswerUnit, ScienceConfig, ScienceFamily, Topic, Worked, fmt, given


def ohm_current(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """I = V/R."""
    v = given(rng, 1.5, 24, "V", cfg)
    r = given(rng, 10, 5000, "Ω", cfg, alt=("kΩ",))
    ans = AnswerUnit(rng, cfg, "A", ("mA",))
    i = v.base / r.base
    q = f"A resistor of {r} is connected across a {v} supply. What current flows through it?"
    steps = [f"I = V/R = {fmt(v.base)} V / {fmt(r.base)} Ω = {fmt(i, 4)} A."]
    mistakes = [(v.base * r.base, "multiplied V by R"), (r.base / v.base, "R/V")]
    if r.unit != "Ω":
        mistakes.append((v.base / r.value, f"resistance used in {r.unit} without converting"))
    return ans.worked(q, i, steps, mistakes)


def series_resistance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """R = R1 + R2 + ..."""
    rs = [given(rng, 10, 2000, "Ω", cfg, alt=("kΩ",)) for _ in range(rng.randint(2, 4))]
    ans = AnswerUnit(rng, cfg, "Ω", ("kΩ",))
    total = sum(r.base for r in rs)
    listing = ", ".join(str(r) for r in rs)
    q = f"Resistors of {listing} are connected in series. What is the equivalent resistance?"
    steps = [
        f"In series resistances add: R = {' + '.join(fmt(r.base) + ' Ω' for r in rs)} = {fmt(total, 4)} Ω."
    ]
    parallel = 1 / sum(1 / r.base for r in rs)
    mistakes = [(parallel, "parallel formula used"), (total / len(rs), "averaged the resistances")]
    if any(r.unit != "Ω" for r in rs):
        mistakes.append((sum(r.value for r in rs), "added values in different units"))
    return ans.worked(q, total, steps, mistakes)


def parallel_resistance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """1/R = 1/R1 + 1/R2 + ..."""
    rs = [given(rng, 10, 2000, "Ω", cfg, alt=("kΩ",)) for _ in range(rng.randint(2, 3))]
    ans = AnswerUnit(rng, cfg, "Ω", ("kΩ",))
    total = 1 / sum(1 / r.base for r in rs)
    listing = ", ".join(str(r) for r in rs)
    q = f"Resistors of {listing} are connected in parallel. What is the equivalent resistance?"
    steps = [
        f"1/R = {' + '.join('1/' + fmt(r.base) + ' Ω' for r in rs)} = {fmt(1 / total, 4)} 1/Ω.",
        f"R = {fmt(total, 4)} Ω.",
    ]
    mistakes = [
        (sum(r.base for r in rs), "series formula used"),
        (1 / sum(r.base for r in rs), "1/(R1 + R2 + ...)"),
        (sum(1 / r.base for r in rs), "did not invert 1/R"),
    ]
    return ans.worked(q, total, steps, mistakes)


def power_dissipated(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = V²/R."""
    v = given(rng, 3, 230, "V", cfg)
    r = given(rng, 5, 2000, "Ω", cfg, alt=("kΩ",))
    ans = AnswerUnit(rng, cfg, "W", ("mW", "kW"))
    p = v.base**2 / r.base
    q = f"A {v} potential difference is applied across a {r} resistor. How much power does the resistor dissipate?"
    steps = [f"P = V²/R = ({fmt(v.base)} V)² / {fmt(r.base)} Ω = {fmt(p, 4)} W."]
    mistakes = [
        (v.base / r.base, "current V/R given instead of power"),
        (v.base**2 * r.base, "multiplied by R"),
        (v.base**2 / (2 * r.base), "divided by 2R"),
    ]
    return ans.worked(q, p, steps, mistakes)


def voltage_divider(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """V_out = V_in R2/(R1 + R2)."""
    vin = given(rng, 5, 24, "V", cfg)
    r1 = given(rng, 100, 10000, "Ω", cfg, alt=("kΩ",))
    r2 = given(rng, 100, 10000, "Ω", cfg, alt=("kΩ",))
    ans = AnswerUnit(rng, cfg, "V", ("mV",))
    vout = vin.base * r2.base / (r1.base + r2.base)
    q = f"A voltage divider is made of R1 = {r1} (top) and R2 = {r2} (bottom) across a {vin} supply. What is the voltage across R2?"
    steps = [
        f"V_out = V_in R2/(R1 + R2) = {fmt(vin.base)} V × {fmt(r2.base)} / ({fmt(r1.base)} + {fmt(r2.base)}) = {fmt(vout, 4)} V."
    ]
    mistakes = [
        (vin.base * r1.base / (r1.base + r2.base), "voltage across R1 given"),
        (vin.base * r2.base / r1.base, "ratio R2/R1 used"),
        (vin.base / 2, "assumed an even split"),
    ]
    return ans.worked(q, vout, steps, mistakes)


def rc_time_constant(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Rc time constant: τ = R C."""
    r = given(rng, 1000, 100000, "Ω", cfg, alt=("kΩ",))
    c = given(rng, 1e-6, 1e-3, "F", cfg, alt=("μF",))
    ans = AnswerUnit(rng, cfg, "s", ("ms",))
    tau = r.base * c.base
    q = f"A {c} capacitor charges through a {r} resistor. What is the time constant of the circuit?"
    steps = [f"τ = R C = {fmt(r.base)} Ω × {fmt(c.base)} F = {fmt(tau, 4)} s."]
    mistakes = [
        (r.base / c.base, "R/C"),
        (tau * math.log(2), "half-charge time τ ln 2 given"),
        (c.base / r.base, "C/R"),
    ]
    if r.unit != "Ω" or c.unit != "F":
        mistakes.append((r.value * c.value, "prefixed values multiplied without converting"))
    return ans.worked(q, tau, steps, mistakes)


def capacitor_energy(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """E = ½ C V²."""
    c = given(rng, 1e-6, 5e-3, "F", cfg, alt=("μF", "mF"))
    v = given(rng, 5, 400, "V", cfg)
    ans = AnswerUnit(rng, cfg, "J", ("mJ",))
    e = 0.5 * c.base * v.base**2
    q = f"A {c} capacitor is charged to {v}. How much energy does it store?"
    steps = [f"E = ½ C V² = 0.5 × {fmt(c.base)} F × ({fmt(v.base)} V)² = {fmt(e, 4)} J."]
    mistakes = [
        (c.base * v.base**2, "the factor ½ left out"),
        (0.5 * c.base * v.base, "V not squared"),
        (c.base * v.base, "charge Q = C V given"),
    ]
    return ans.worked(q, e, steps, mistakes)


def series_pair_power(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: I = V/(R1 + R2), then P2 = I² R2."""
    v = given(rng, 6, 48, "V", cfg)
    r1 = given(rng, 10, 1000, "Ω", cfg, alt=("kΩ",))
    r2 = given(rng, 10, 1000, "Ω", cfg, alt=("kΩ",))
    ans = AnswerUnit(rng, cfg, "W", ("mW",))
    i = v.base / (r1.base + r2.base)
    p = i**2 * r2.base
    q = f"Resistors R1 = {r1} and R2 = {r2} are connected in series to a {v} battery. What power is dissipated in R2?"
    steps = [
        f"I = V/(R1 + R2) = {fmt(v.base)} V / {fmt(r1.base + r2.base, 4)} Ω = {fmt(i, 4)} A.",
        f"P2 = I² R2 = ({fmt(i, 4)} A)² × {fmt(r2.base)} Ω = {fmt(p, 4)} W.",
    ]
    mistakes = [
        (v.base**2 / r2.base, "whole supply voltage put across R2"),
        (i**2 * (r1.base + r2.base), "total power given"),
        (i * r2.base, "voltage across R2 given"),
    ]
    return ans.worked(q, p, steps, mistakes)


def appliance_energy(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """E = P t in kWh over several days."""
    p = given(rng, 40, 3000, "W", cfg, alt=("kW",))
    hours = rng.choice([0.5, 1, 1.5, 2, 3, 4, 5, 6, 8])
    days = rng.choice([7, 10, 14, 20, 30])
    ans = AnswerUnit(rng, cfg, "kWh", ("MJ",))
    kwh = p.base / 1000 * hours * days
    q = f"An appliance rated at {p} runs for {fmt(hours, 2)} hours a day for {days} days. How much electrical energy does it use?"
    steps = [f"E = P t = {fmt(p.base / 1000)} kW × {fmt(hours, 2)} h/day × {days} days = {fmt(kwh, 4)} kWh."]
    mistakes = [
        (p.base * hours * days, "watt-hours taken as kilowatt-hours"),
        (p.base / 1000 * hours, "one day only"),
        (p.base / 1000 * 24 * days, "ran 24 hours a day"),
    ]
    return ans.worked(q, kwh, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "ohm_current": (ohm_current, 1),
    "series_resistance": (series_resistance, 1),
    "parallel_resistance": (parallel_resistance, 1),
    "power_dissipated": (power_dissipated, 1),
    "voltage_divider": (voltage_divider, 1),
    "rc_time_constant": (rc_time_constant, 1),
    "capacitor_energy": (capacitor_energy, 1),
    "series_pair_power": (series_pair_power, 3),
    "appliance_energy": (appliance_energy, 3),
}


class CircuitsFamily(ScienceFamily):
    """DC circuit problems with units (see the module docstring)."""

    name = "circuits"
    TOPICS = TOPICS

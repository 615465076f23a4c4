"""Earth science: radiometric dating, earthquakes, the atmosphere, oceans, plates and rivers, with units.

Description:
    Ages from the fraction of a radioactive parent left or from daughter/parent ratios, epicentre
    distance from the S-P lag, pressure at ocean depth, barometric pressure with altitude, plate
    displacement, earthquake amplitude and energy ratios between magnitudes, temperature with altitude
    (dry adiabatic lapse rate), and stream discharge.

Prompt:
    The setting with its givens (half-lives in yr/Myr/Gyr, speeds in km/s, rates in cm/yr ...) and the
    unit the answer is wanted in.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{1.21 Gyr}`` (``1.21 billion years`` is read too),
    ``\\boxed{412 km}``; ratios as a bare number. With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one relation. 2: mixed units. 3: adds daughter/parent dating and energy ratios, answers in other
    units.

Version History:
    v0: initial release.
    v0 (unreleased): pressures use the stated sea-level pressure (101.3 kPa, was 101.325); multiple-choice
        temperatures are shown to 0.1 degree (3 figures were shown, so kelvin options could be 1 K apart);
        answers must be one claim (hedges, negations, scale words, false equations, LaTeX connectives such as
        ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes score 0; a label after
        a count only when the question uses it) (issue 17).
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import AnswerUnit, ScienceConfig, ScienceFamily, Topic, Worked, fmt, given

ISOTOPES = [
    ("carbon-14", 5730.0, "yr"),
    ("potassium-40", 1.25e9, "Gyr"),
    ("uranium-238", 4.468e9, "Gyr"),
    ("uranium-235", 7.04e8, "Myr"),
    ("rubidium-87", 4.97e10, "Gyr"),
]
G = 9.81
P0 = 101.3e3  # Pa, as the prompts state it
SCALE_HEIGHT = 8.5e3  # m
LAPSE = 9.8  # K/km, dry adiabatic


def _age_unit(rng: random.Random, cfg: ScienceConfig, natural: str) -> AnswerUnit:
    alt = {"yr": ("kyr",), "Myr": ("Gyr", "yr"), "Gyr": ("Myr", "yr")}[natural]
    return AnswerUnit(rng, cfg, natural, alt)


def _half_life_text(half_years: float, unit: str) -> str:
    scale = {"yr": 1.0, "Myr": 1e6, "Gyr": 1e9}[unit]
    words = {"yr": "years", "Myr": "million years", "Gyr": "billion years"}[unit]
    return f"{fmt(half_years / scale, 4)} {words}"


def fraction_remaining_age(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Fraction remaining age: t = t½ log2(N0/N)."""
    name, half, unit = rng.choice(ISOTOPES)
    frac = round(rng.uniform(0.05, 0.9), 3)
    scale = {"yr": 1.0, "Myr": 1e6, "Gyr": 1e9}[unit]
    ans = _age_unit(rng, cfg, unit)
    t = half * math.log2(1 / frac) / scale
    q = f"A sample retains {fmt(frac * 100, 3)}% of its original {name} (half-life {_half_life_text(half, unit)}). How old is it?"
    steps = [
        f"N/N0 = (1/2)^(t/t½), so t = t½ log2(N0/N) = {_half_life_text(half, unit)} × log2(1/{frac}) = {fmt(t, 4)} {unit}."
    ]
    h = half / scale
    mistakes = [
        (h * (1 - frac) * 2, "linear decay"),
        (h * math.log(1 / frac), "ln used without dividing by ln 2"),
        (h * math.log10(1 / frac), "log10 used"),
        (h / frac, "t½ / fraction"),
    ]
    return ans.worked(q, t, steps, mistakes)


def daughter_parent_age(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Daughter parent age: t = t½ log2(1 + D/P)."""
    name, half, unit = rng.choice([iso for iso in ISOTOPES if iso[0] != "carbon-14"])
    ratio = round(rng.uniform(0.05, 3.0), 2)
    scale = {"yr": 1.0, "Myr": 1e6, "Gyr": 1e9}[unit]
    ans = _age_unit(rng, cfg, unit)
    h = half / scale
    t = h * math.log2(1 + ratio)
    q = f"A mineral contains radiogenic daughter atoms and {name} parent atoms (half-life {_half_life_text(half, unit)}) in the ratio D/P = {ratio}, with no daughter at formation. How old is it?"
    steps = [
        f"D/P = 2^(t/t½) − 1, so t = t½ log2(1 + D/P) = {fmt(h, 4)} {unit} × log2({fmt(1 + ratio, 4)}) = {fmt(t, 4)} {unit}."
    ]
    mistakes = [
        (h * math.log2(ratio) if ratio > 1.05 else h * ratio * 3, "log2(D/P) without the +1"),
        (h * ratio, "t½ × D/P"),
        (h * math.log(1 + ratio), "ln without dividing by ln 2"),
    ]
    return ans.worked(q, t, steps, mistakes)


def epicentre_distance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Epicentre distance: d = Δt / (1/vs − 1/vp)."""
    vp = round(rng.uniform(5.5, 8.0), 1)
    vs = round(vp / rng.uniform(1.65, 1.8), 1)
    lag = given(rng, 5, 120, "s", cfg, alt=("min",))
    ans = AnswerUnit(rng, cfg, "km", ("m", "mi"))
    d = lag.base / (1 / vs - 1 / vp)
    q = f"At a seismic station the S waves arrive {lag} after the P waves. The P-wave speed is {vp} km/s and the S-wave speed {vs} km/s. How far away is the epicentre?"
    steps = [
        f"Δt = d/vs − d/vp, so d = Δt / (1/vs − 1/vp) = {fmt(lag.base)} s / (1/{vs} − 1/{vp}) s/km = {fmt(d, 4)} km."
    ]
    mistakes = [
        (lag.base * (vp - vs), "Δt × (vp − vs)"),
        (lag.base * vs, "Δt × vs"),
        (lag.base * vp, "Δt × vp"),
    ]
    return ans.worked(q, d, steps, mistakes)


def ocean_pressure(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = P0 + ρ g h."""
    depth = given(rng, 5, 4000, "m", cfg, alt=("km", "ft"))
    rho = 1025.0
    ans = AnswerUnit(rng, cfg, "kPa", ("atm", "MPa"))
    p = P0 + rho * G * depth.base
    q = f"What is the absolute pressure {depth} below the surface of the sea? (seawater density 1025 kg/m^3, g = 9.81 m/s^2, atmospheric pressure 101.3 kPa)"
    steps = [
        f"P = P0 + ρ g h = 101300 Pa + 1025 × 9.81 × {fmt(depth.base, 4)} = {fmt(p, 4)} Pa = {fmt(p / 1000, 4)} kPa."
    ]
    mistakes = [
        (rho * G * depth.base, "atmospheric pressure left out"),
        (P0 + rho * depth.base, "g left out"),
        (P0 + G * depth.base, "density left out"),
    ]
    return ans.worked(q, p / 1000, steps, [(m / 1000, why) for m, why in mistakes])


def barometric_pressure(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = P0 e^(−h/H)."""
    h = given(rng, 500, 9000, "m", cfg, alt=("km", "ft"))
    ans = AnswerUnit(rng, cfg, "kPa", ("atm", "hPa"))
    p = P0 * math.exp(-h.base / SCALE_HEIGHT)
    q = f"Assuming an isothermal atmosphere with scale height 8.5 km and sea-level pressure 101.3 kPa, what is the air pressure at an altitude of {h}?"
    steps = [f"P = P0 e^(−h/H) = 101.3 kPa × e^(−{fmt(h.base, 4)} m / 8500 m) = {fmt(p / 1000, 4)} kPa."]
    mistakes = [
        (P0 * (1 - h.base / SCALE_HEIGHT), "linear decrease"),
        (P0 * math.exp(-SCALE_HEIGHT / h.base), "H/h in the exponent"),
        (P0 * 10 ** (-h.base / SCALE_HEIGHT), "10^ instead of e^"),
    ]
    return ans.worked(q, p / 1000, steps, [(m / 1000, why) for m, why in mistakes])


def plate_motion(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Plate motion: d = rate × time."""
    rate = round(rng.uniform(1, 10), 1)
    myr = rng.choice([1, 2, 5, 10, 20, 30, 50, 65, 100, 150, 200])
    ans = AnswerUnit(rng, cfg, "km", ("m", "mi"))
    d_km = rate * myr * 1e6 / 1e5
    q = f"Two plates separate at {rate} cm/yr. How far apart do they move in {myr} million years?"
    steps = [
        f"d = rate × time = {rate} cm/yr × {myr} × 10^6 yr = {fmt(rate * myr * 1e6, 4)} cm = {fmt(d_km, 4)} km."
    ]
    mistakes = [
        (d_km * 100, "cm converted to km by dividing by 1000"),
        (d_km / 10, "one factor of 10 lost"),
        (rate * myr, "million years not expanded"),
    ]
    return ans.worked(q, d_km, steps, mistakes)


def magnitude_ratio(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Amplitude 10^ΔM or energy 10^(1.5 ΔM)."""
    m1 = round(rng.uniform(3, 6.5), 1)
    m2 = round(m1 + rng.randint(3, 35) / 10, 1)
    energy = cfg.steps >= 2 and rng.random() < 0.6
    dm = m2 - m1
    value = 10 ** (1.5 * dm) if energy else 10**dm
    what = "energy released" if energy else "maximum ground-motion amplitude (at the same distance)"
    q = f"How many times larger is the {what} by a magnitude {m2} earthquake than by a magnitude {m1} one?"
    rule = "energy scales as 10^(1.5 ΔM)" if energy else "amplitude scales as 10^ΔM"
    steps = [f"ΔM = {fmt(dm, 2)}; the {rule}: ratio = {fmt(value, 4)}."]
    other = 10**dm if energy else 10 ** (1.5 * dm)
    mistakes = [
        (other, "amplitude and energy scaling confused"),
        (10 * dm, "10 × ΔM"),
        (m2 / m1, "ratio of magnitudes"),
    ]
    return Worked(q, value, "", steps, mistakes, sig=3)


def lapse_temperature(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """T = T0 − Γ h (dry adiabatic)."""
    t0 = rng.randint(5, 35)
    h = given(rng, 300, 5000, "m", cfg, alt=("km", "ft"))
    ans = AnswerUnit(rng, cfg, "°C", ("K", "°F"))
    t = t0 - LAPSE * h.base / 1000
    q = f"A parcel of dry air at {t0} °C at sea level rises adiabatically to {h}. What is its temperature there? (dry adiabatic lapse rate 9.8 °C/km)"
    steps = [f"T = T0 − Γ h = {t0} °C − 9.8 °C/km × {fmt(h.base / 1000, 4)} km = {fmt(t, 4)} °C."]
    mistakes = [
        (t0 + LAPSE * h.base / 1000, "temperature added"),
        (t0 - 6.5 * h.base / 1000, "environmental lapse rate 6.5 °C/km used"),
        (t0 - LAPSE * h.base / 100, "metres divided by 100"),
    ]
    w = ans.worked(q, t, steps, mistakes)
    w.unit_words = {"°C": "degrees Celsius", "K": "kelvin", "°F": "degrees Fahrenheit"}[w.unit]
    return w


def stream_discharge(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Q = w d v."""
    width = given(rng, 2, 80, "m", cfg, alt=("ft",))
    depth = given(rng, 0.2, 5, "m", cfg, alt=("cm",))
    speed = given(rng, 0.2, 3, "m/s", cfg, alt=("km/h", "cm/s"))
    ans = AnswerUnit(rng, cfg, "m^3/s", ("L/s",))
    q_flow = width.base * depth.base * speed.base
    q = f"A river channel is {width} wide and {depth} deep on average, and the water flows at {speed}. What is the discharge?"
    steps = [
        f"Q = w d v = {fmt(width.base, 4)} m × {fmt(depth.base, 4)} m × {fmt(speed.base, 4)} m/s = {fmt(q_flow, 4)} m^3/s."
    ]
    mistakes = [
        (width.base * depth.base, "speed left out"),
        (width.base * speed.base, "depth left out"),
        ((width.base + depth.base) * speed.base, "width and depth added"),
    ]
    return ans.worked(q, q_flow, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "fraction_remaining_age": (fraction_remaining_age, 1),
    "daughter_parent_age": (daughter_parent_age, 3),
    "epicentre_distance": (epicentre_distance, 1),
    "ocean_pressure": (ocean_pressure, 1),
    "barometric_pressure": (barometric_pressure, 1),
    "plate_motion": (plate_motion, 1),
    "magnitude_ratio": (magnitude_ratio, 1),
    "lapse_temperature": (lapse_temperature, 1),
    "stream_discharge": (stream_discharge, 1),
}


class EarthFamily(ScienceFamily):
    """Geology, seismology, atmosphere and hydrology problems with units (see the module docstring)."""

    name = "earth"
    TOPICS = TOPICS

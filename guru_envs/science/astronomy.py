"""Astronomy: orbits, gravity, stellar radiation and cosmic distances, with units.

Description:
    Kepler's third law (in AU, years and solar masses), circular orbital speed and escape speed, surface
    gravity, Wien's law, parallax distances, Hubble's law, Doppler velocities from spectral lines, the
    distance modulus, light travel time, and (level 3) stellar luminosity from radius and temperature.

Prompt:
    The body or star with its givens (Earth masses and radii, AU, mas, nm, km/s/Mpc ...) and the unit the
    answer is wanted in.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{7.61 km/s}``, ``\\boxed{250 pc}``, ``\\boxed{3.2 L_\\odot}``.
    Any unit of the right dimension is converted (``815 ly`` for ``250 pc``). With ``choices=N``: one
    letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one formula. 2: givens in mixed units. 3: adds luminosity and asks for answers in other units.

Version History:
    v0: initial release.
    v0 (unreleased): golds use the constants the prompts state (Earth's mass 5.972e24 kg, 1 AU = 1.496e8 km);
        a parallax in arcseconds is shown exactly (it was rounded to 3 figures, up to 0.3 % from the value
        solved); answers must be one claim (hedges, negations, scale words, false equations, LaTeX connectives
        such as ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes score 0; a
        label after a count only when the question uses it) (issue 17); stellar luminosity asked in watts
        no longer asks "in solar luminosities" in its question (the instruction and the gold were in W), and
        states the Sun's luminosity it converts with.
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import AnswerUnit, ScienceConfig, ScienceFamily, Topic, Worked, exact_text, fmt

G_CONST = 6.674e-11  # m^3/(kg s^2)
M_EARTH = 5.972e24  # kg, as the prompts state it
R_EARTH = 6.371e6  # m
C = 2.998e8  # m/s
AU = 1.496e11  # m, as the prompts state it
WIEN_B = 2.898e-3  # m K
T_SUN = 5772.0  # K
H_ALPHA = 656.3  # nm


def kepler_period(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """T² = a³/M in years, AU and solar masses."""
    a = round(rng.uniform(0.2, 40), 2)
    mass = rng.choice([1.0, 1.0, 0.5, 0.8, 1.5, 2.0]) if cfg.mixed_units else 1.0
    ans = AnswerUnit(rng, cfg, "yr", ("d",))
    t = math.sqrt(a**3 / mass)
    star = "the Sun" if mass == 1.0 else f"a star of {mass} solar masses"
    q = f"A planet orbits {star} with a semi-major axis of {a} AU. What is its orbital period?"
    steps = [f"Kepler's third law in solar units: T² = a³/M, so T = √({a}³ / {mass}) = {fmt(t, 4)} years."]
    mistakes = [
        (a**1.5 * mass, "multiplied by the stellar mass"),
        (a ** (2 / 3), "a^(2/3) instead of a^(3/2)"),
        (a**3, "square root not taken"),
    ]
    w = ans.worked(q, t, steps, mistakes)
    w.unit_words = "years" if w.unit == "yr" else "days"
    return w


def orbital_speed(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Orbital speed: v = √(GM/r) with r = R_Earth + h."""
    h_km = rng.choice([rng.randint(20, 200) * 10, rng.randint(20, 360) * 100, 20200, 35786])
    ans = AnswerUnit(rng, cfg, "km/s", ("m/s", "km/h"))
    r = R_EARTH + h_km * 1000
    v = math.sqrt(G_CONST * M_EARTH / r)
    q = (
        f"A satellite is in a circular orbit {h_km:,} km above Earth's surface. What is its orbital speed? "
        f"(G = 6.674 × 10^-11 N m^2/kg^2, Earth's mass 5.972 × 10^24 kg, radius 6371 km)"
    )
    steps = [
        f"r = 6371 km + {h_km} km = {fmt(r, 5)} m; v = √(GM/r) = {fmt(v, 4)} m/s = {fmt(v / 1000, 4)} km/s."
    ]
    mistakes = [
        (math.sqrt(G_CONST * M_EARTH / (h_km * 1000)), "altitude used as the radius"),
        (math.sqrt(2 * G_CONST * M_EARTH / r), "escape speed √(2GM/r)"),
        (G_CONST * M_EARTH / r / 1000, "square root not taken"),
    ]
    return ans.worked(q, v / 1000, steps, [(m / 1000, why) for m, why in mistakes])


def escape_speed(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Escape speed: v = √(2GM/R)."""
    m_e = round(rng.uniform(0.05, 300), 2)
    r_e = round(rng.uniform(0.3, 12), 2)
    ans = AnswerUnit(rng, cfg, "km/s", ("m/s",))
    m, r = m_e * M_EARTH, r_e * R_EARTH
    v = math.sqrt(2 * G_CONST * m / r)
    q = (
        f"A planet has {m_e} times the mass of Earth and {r_e} times its radius. What is the escape speed from its "
        f"surface? (G = 6.674 × 10^-11 N m^2/kg^2, Earth: 5.972 × 10^24 kg, 6371 km)"
    )
    steps = [
        f"v = √(2GM/R) = √(2 × 6.674e-11 × {fmt(m, 4)} kg / {fmt(r, 4)} m) = {fmt(v, 4)} m/s = {fmt(v / 1000, 4)} km/s."
    ]
    mistakes = [
        (math.sqrt(G_CONST * m / r), "factor 2 left out (orbital speed)"),
        (math.sqrt(2 * G_CONST * m / r**2), "R squared"),
        (11.19 * m_e / r_e * 1000, "scaled Earth's value linearly"),
    ]
    return ans.worked(q, v / 1000, steps, [(x / 1000, why) for x, why in mistakes])


def surface_gravity(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Surface gravity: g = GM/R²."""
    m_e = round(rng.uniform(0.05, 300), 2)
    r_e = round(rng.uniform(0.3, 12), 2)
    ans = AnswerUnit(rng, cfg, "m/s^2", ("cm/s^2",))
    g = G_CONST * m_e * M_EARTH / (r_e * R_EARTH) ** 2
    q = f"A planet has {m_e} Earth masses and {r_e} Earth radii. What is the gravitational acceleration at its surface? (G = 6.674 × 10^-11 N m^2/kg^2, Earth: 5.972 × 10^24 kg, 6371 km)"
    steps = [
        f"g = GM/R² = 6.674e-11 × {fmt(m_e * M_EARTH, 4)} / ({fmt(r_e * R_EARTH, 4)})² = {fmt(g, 4)} m/s^2 (= 9.82 × {m_e}/{r_e}²)."
    ]
    mistakes = [
        (9.82 * m_e / r_e, "radius not squared"),
        (9.82 * m_e * r_e**2, "multiplied by R²"),
        (9.82 * m_e, "radius ignored"),
    ]
    return ans.worked(q, g, steps, mistakes)


def wien_peak(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Wien peak: λ_max = b/T."""
    t = rng.randint(25, 400) * 100
    ans = AnswerUnit(rng, cfg, "nm", ("μm", "m"))
    lam = WIEN_B / t
    q = f"A star has a surface temperature of {t:,} K. At what wavelength does its blackbody spectrum peak? (Wien's constant b = 2.898 × 10^-3 m K)"
    steps = [f"λ_max = b/T = 2.898e-3 m K / {t} K = {fmt(lam, 4)} m = {fmt(lam * 1e9, 4)} nm."]
    mistakes = [
        (WIEN_B * t * 1e9 / 1e9, "multiplied by T"),
        (WIEN_B / (t - 273.15) * 1e9, "temperature converted as if in °C"),
        (WIEN_B / t * 1e6, "metres taken as millimetres"),
    ]
    return ans.worked(q, lam * 1e9, steps, mistakes)


def parallax_distance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Parallax distance: d (pc) = 1/p (arcsec)."""
    p_mas = round(rng.uniform(2, 800), 1)
    in_arcsec = not cfg.mixed_units or rng.random() < 0.3
    given_text = f"{exact_text(p_mas / 1000)} arcseconds" if in_arcsec else f"{p_mas} milliarcseconds"
    ans = AnswerUnit(rng, cfg, "pc", ("ly", "kpc"))
    d = 1000 / p_mas
    q = f"A star's measured parallax is {given_text}. How far away is it?"
    steps = [f"d (pc) = 1 / p (arcsec) = 1 / {fmt(p_mas / 1000, 4)} = {fmt(d, 4)} pc."]
    mistakes = [
        (1 / p_mas, "milliarcseconds not converted"),
        (p_mas / 1000, "d = p"),
        (2000 / p_mas, "factor 2"),
    ]
    if in_arcsec:
        mistakes[0] = (1000 * d, "arcseconds taken as milliarcseconds")
    return ans.worked(q, d, steps, mistakes)


def hubble_distance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Hubble distance: d = v/H0."""
    h0 = rng.choice([67.4, 70.0, 73.0])
    v = rng.randint(20, 300) * 100
    ans = AnswerUnit(rng, cfg, "Mpc", ("ly", "pc"))
    d = v / h0
    q = f"A galaxy recedes at {v:,} km/s. Using Hubble's law with H0 = {h0} km/s/Mpc, how far away is it?"
    steps = [f"d = v/H0 = {v} km/s / {h0} km/s/Mpc = {fmt(d, 4)} Mpc."]
    mistakes = [(v * h0, "multiplied by H0"), (h0 / v, "H0/v"), (v / h0 / 1000, "km/s treated as m/s")]
    return ans.worked(q, d, steps, mistakes)


def doppler_velocity(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Doppler velocity: v = c Δλ/λ0 (signed)."""
    shift = round(rng.uniform(0.05, 6.0), 2) * rng.choice([1, -1])
    observed = round(H_ALPHA + shift, 2)
    ans = AnswerUnit(rng, cfg, "km/s", ("m/s",))
    v = C * (observed - H_ALPHA) / H_ALPHA
    direction = "away from us (positive)" if v > 0 else "towards us (negative)"
    q = f"The hydrogen-alpha line (rest wavelength 656.3 nm) appears at {observed} nm in a star's spectrum. What is the star's radial velocity? Take motion away from us as positive. (c = 2.998 × 10^5 km/s)"
    steps = [
        f"v = c Δλ/λ0 = 2.998e5 km/s × ({observed} − 656.3)/656.3 = {fmt(v / 1000, 4)} km/s, i.e. {direction}."
    ]
    mistakes = [
        (-v / 1000, "sign of the shift reversed"),
        (C * observed / H_ALPHA / 1000, "λ/λ0 used instead of Δλ/λ0"),
        (C * (observed - H_ALPHA) / 1000, "not divided by λ0"),
    ]
    return ans.worked(q, v / 1000, steps, mistakes)


def distance_modulus(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Distance modulus: d = 10^((m − M + 5)/5) pc."""
    big_m = round(rng.uniform(-5, 10), 1)
    small_m = round(big_m + rng.uniform(1, 15), 1)
    ans = AnswerUnit(rng, cfg, "pc", ("ly", "kpc"))
    d = 10 ** ((small_m - big_m + 5) / 5)
    q = f"A star has apparent magnitude {small_m} and absolute magnitude {big_m}. How far away is it?"
    steps = [
        f"m − M = 5 log10(d/10 pc), so d = 10^((m − M + 5)/5) = 10^({fmt((small_m - big_m + 5) / 5, 4)}) = {fmt(d, 4)} pc."
    ]
    mistakes = [
        (10 ** ((small_m - big_m) / 5), "the +5 left out"),
        (10 ** ((small_m - big_m + 5) / 2.5), "divided by 2.5"),
        (10 ** ((big_m - small_m + 5) / 5), "magnitudes swapped"),
    ]
    return ans.worked(q, d, steps, mistakes)


def light_travel_time(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Light travel time: t = d/c."""
    planets = [
        ("Mercury", 0.387),
        ("Venus", 0.723),
        ("Mars", 1.524),
        ("Jupiter", 5.203),
        ("Saturn", 9.537),
        ("Uranus", 19.19),
        ("Neptune", 30.07),
    ]
    ans = AnswerUnit(rng, cfg, "min", ("s", "h"))
    if rng.random() < 0.3:
        name, a = rng.choice(planets)
        q = f"{name} orbits at an average {a} AU from the Sun. How long does sunlight take to reach it? (1 AU = 1.496 × 10^8 km, c = 2.998 × 10^5 km/s)"
    else:
        a = round(rng.uniform(0.5, 160), 1)
        q = f"A space probe is {a} AU from Earth. How long does a radio signal take to reach it? (1 AU = 1.496 × 10^8 km, c = 2.998 × 10^5 km/s)"
    t = a * AU / C
    steps = [f"t = d/c = {a} × 1.496e11 m / 2.998e8 m/s = {fmt(t, 4)} s = {fmt(t / 60, 4)} min."]
    mistakes = [
        (t / 3600 * 60, "seconds divided by 3600 (hours) but labelled minutes"),
        (AU / C, "1 AU used"),
        (t * 2, "round trip"),
    ]
    return ans.worked(q, t / 60, steps, [(m / 60, why) for m, why in mistakes])


def stellar_luminosity(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """L/L_sun = (R/R_sun)² (T/T_sun)⁴."""
    r = round(rng.uniform(0.1, 50), 2)
    t = rng.randint(30, 300) * 100
    ans = AnswerUnit(rng, cfg, "Lsun", ("W",))
    lum = r**2 * (t / T_SUN) ** 4
    star = (
        f"A star has {r} times the Sun's radius and a surface temperature of {t:,} K (the Sun's is 5772 K)."
    )
    if ans.unit == "Lsun":
        q = f"{star} What is its luminosity in solar luminosities (L_sun)?"
    else:  # the instruction asks for watts: the question must not ask for solar luminosities
        q = f"{star} What is its luminosity? (L_sun = 3.828 × 10^26 W)"
    steps = [f"L ∝ R² T⁴: L = {r}² × ({t}/5772)⁴ L_sun = {fmt(lum, 4)} L_sun."]
    mistakes = [
        (r * (t / T_SUN) ** 4, "radius not squared"),
        (r**2 * (t / T_SUN) ** 2, "T² instead of T⁴"),
        (r**2 * (t / T_SUN), "temperature not raised to the 4th power"),
    ]
    return ans.worked(q, lum, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "kepler_period": (kepler_period, 1),
    "orbital_speed": (orbital_speed, 1),
    "escape_speed": (escape_speed, 1),
    "surface_gravity": (surface_gravity, 1),
    "wien_peak": (wien_peak, 1),
    "parallax_distance": (parallax_distance, 1),
    "hubble_distance": (hubble_distance, 1),
    "doppler_velocity": (doppler_velocity, 2),
    "distance_modulus": (distance_modulus, 2),
    "light_travel_time": (light_travel_time, 1),
    "stellar_luminosity": (stellar_luminosity, 3),
}


class AstronomyFamily(ScienceFamily):
    """Orbits, gravity, stellar radiation and distance problems with units (see the module docstring)."""

    name = "astronomy"
    TOPICS = TOPICS

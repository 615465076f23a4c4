"""Optics and waves: lenses, mirrors, refraction, photons, wavelengths and gratings, with units.

Description:
    Thin-lens and mirror image distances, image height, Snell's law, critical angle, photon energy,
    wavelength of a radio wave, diffraction-grating angles.

Prompt:
    The setup with its givens (cm, nm, MHz, lines per mm ...) and the unit the answer is wanted in.
    Angles are asked in degrees.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{24.6 cm}`` or ``\\boxed{35.2°}`` (``35.2^\\circ``,
    ``35.2 degrees`` and ``0.614 rad`` are read too). With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0.

Difficulty:
    1: one relation. 2: values in other units. 3: adds a concave mirror given by its radius, and asks
    for answers in other units.

Version History:
    v0: initial release.
    v0 (unreleased): photon energies and radio wavelengths are solved with the constants the prompt states (h,
        c = 3.00e8 m/s, 1 eV); multiple-choice options are shown to the precision the free answer asks for;
        answers must be one claim (hedges, negations, scale words, false equations, LaTeX connectives such as
        ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes score 0; a label after
        a count only when the question uses it) (issue 17).
"""

from __future__ import annotations

import math
import random

from guru_envs.science.common import AnswerUnit, ScienceConfig, ScienceFamily, Topic, Worked, fmt, given

# the constants as the prompts state them: a problem is solved with the values it shows
H = 6.626e-34  # J s
C = 3.00e8  # m/s
EV = 1.602e-19  # J

MEDIA = [
    ("water", 1.33),
    ("glass", 1.50),
    ("crown glass", 1.52),
    ("flint glass", 1.62),
    ("diamond", 2.42),
    ("acrylic", 1.49),
    ("ice", 1.31),
    ("ethanol", 1.36),
    ("glycerol", 1.47),
    ("fused quartz", 1.46),
    ("sapphire", 1.77),
    ("cubic zirconia", 2.15),
    ("polycarbonate", 1.58),
    ("benzene", 1.50),
]


def _medium(rng: random.Random) -> tuple[str, float]:
    """A named medium, or (half the time) an unnamed one with a random index."""
    if rng.random() < 0.5:
        return rng.choice(MEDIA)
    return "a transparent plastic" if rng.random() < 0.5 else "an optical glass", round(
        rng.uniform(1.30, 2.40), 2
    )


def thin_lens_image(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """1/f = 1/d_o + 1/d_i for a converging lens."""
    f = given(rng, 0.05, 0.5, "m", cfg, alt=("cm", "mm"))
    do = f.base * rng.uniform(1.3, 4.0)
    obj = given(rng, do, do, "m", cfg, alt=("cm",), sig=3)
    ans = AnswerUnit(rng, cfg, "m", ("cm", "mm"))
    di = 1 / (1 / f.base - 1 / obj.base)
    q = f"An object is placed {obj} in front of a converging lens of focal length {f}. How far from the lens is the image formed?"
    steps = [f"1/f = 1/d_o + 1/d_i, so d_i = 1/(1/{fmt(f.base)} m − 1/{fmt(obj.base)} m) = {fmt(di, 4)} m."]
    mistakes = [
        (1 / (1 / f.base + 1 / obj.base), "added 1/f and 1/d_o"),
        (obj.base - f.base, "d_o − f"),
        (f.base * obj.base / (f.base + obj.base), "f d_o/(f + d_o)"),
    ]
    return ans.worked(q, di, steps, mistakes)


def image_height(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: image distance, then h_i = h_o d_i/d_o."""
    f = given(rng, 0.05, 0.4, "m", cfg, alt=("cm",))
    do = f.base * rng.uniform(1.3, 5.0)
    obj = given(rng, do, do, "m", cfg, alt=("cm",), sig=3)
    ho = given(rng, 0.01, 0.2, "m", cfg, alt=("cm", "mm"))
    ans = AnswerUnit(rng, cfg, "m", ("cm", "mm"))
    di = 1 / (1 / f.base - 1 / obj.base)
    hi = ho.base * di / obj.base
    q = f"An object {ho} tall stands {obj} from a converging lens of focal length {f}. What is the height of the (inverted) image? Give its size as a positive number."
    steps = [
        f"d_i = 1/(1/f − 1/d_o) = 1/(1/{fmt(f.base)} − 1/{fmt(obj.base)}) m = {fmt(di, 4)} m.",
        f"|m| = d_i/d_o = {fmt(di / obj.base, 4)}, so h_i = {fmt(ho.base)} m × {fmt(di / obj.base, 4)} = {fmt(hi, 4)} m.",
    ]
    mistakes = [
        (ho.base * obj.base / di, "magnification inverted"),
        (ho.base * f.base / obj.base, "used f/d_o"),
        (ho.base, "image taken as the same size"),
    ]
    return ans.worked(q, hi, steps, mistakes)


def snell_angle(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Snell angle: n1 sin θ1 = n2 sin θ2 from air."""
    name, n2 = _medium(rng)
    theta1 = rng.randint(10, 75)
    ans = AnswerUnit(rng, cfg, "°", ("rad",))
    s2 = math.sin(math.radians(theta1)) / n2
    theta2 = math.degrees(math.asin(s2))
    q = f"A ray of light in air (n = 1.00) strikes the surface of {name} (n = {n2:.2f}) at {theta1}° to the normal. What is the angle of refraction?"
    steps = [
        f"n1 sin θ1 = n2 sin θ2: sin θ2 = sin {theta1}° / {n2:.2f} = {fmt(s2, 4)}, θ2 = {fmt(theta2, 4)}°."
    ]
    mistakes = [(theta1 / n2, "divided the angle by n"), (90 - theta2, "angle from the surface given")]
    if math.sin(math.radians(theta1)) * n2 <= 1:
        mistakes.append((math.degrees(math.asin(math.sin(math.radians(theta1)) * n2)), "indices swapped"))
    w = ans.worked(q, theta2, steps, mistakes)
    w.unit_words = "degrees" if w.unit == "°" else "radians"
    return w


def critical_angle(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Critical angle: sin θc = n2/n1."""
    name, n1 = _medium(rng)
    outside = rng.choice([("air", 1.00), ("water", 1.33)] if n1 > 1.45 else [("air", 1.00)])
    ans = AnswerUnit(rng, cfg, "°", ("rad",))
    ratio = outside[1] / n1
    theta = math.degrees(math.asin(ratio))
    q = f"What is the critical angle for light travelling in {name} (n = {n1:.2f}) towards a boundary with {outside[0]} (n = {outside[1]:.2f})?"
    steps = [f"sin θc = n2/n1 = {outside[1]:.2f}/{n1:.2f} = {fmt(ratio, 4)}, so θc = {fmt(theta, 4)}°."]
    mistakes = [
        (math.degrees(math.acos(ratio)), "arccos used"),
        (math.degrees(math.atan(ratio)), "arctan used"),
        (90 * ratio, "90° × n2/n1"),
    ]
    w = ans.worked(q, theta, steps, mistakes)
    w.unit_words = "degrees" if w.unit == "°" else "radians"
    return w


def photon_energy(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """E = h c/λ in eV."""
    lam = given(rng, 200e-9, 900e-9, "m", cfg, alt=("nm",)) if cfg.mixed_units else None
    if lam is None or lam.unit == "m":
        nm = rng.randint(200, 900)
        lam_text, lam_si = f"{nm} nm", nm * 1e-9
    else:
        lam_text, lam_si = str(lam), lam.base
    ans = AnswerUnit(rng, cfg, "eV", ("J",))
    e = H * C / lam_si
    q = f"What is the energy of one photon of light with wavelength {lam_text}? (h = 6.626 × 10^-34 J s, c = 3.00 × 10^8 m/s, 1 eV = 1.602 × 10^-19 J)"
    steps = [
        f"E = h c/λ = 6.626e-34 J s × 3.00e8 m/s / {fmt(lam_si, 4)} m = {fmt(e, 4)} J = {fmt(e / EV, 4)} eV."
    ]
    mistakes = [
        (e * EV, "joules not converted to eV"),
        (e / (2 * math.pi), "ħ used instead of h"),
        (e * 1e-9 * EV, "wavelength in nm not converted"),
    ]
    w = ans.worked(q, e / EV, steps, [(m / EV, why) for m, why in mistakes])
    return w


def radio_wavelength(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Radio wavelength: λ = c/f."""
    f_mhz = round(rng.uniform(80, 110), 1)
    am = rng.random() < 0.4
    if am:
        f_hz = rng.randint(54, 170) * 10_000  # 540-1700 kHz
        f_text = f"{f_hz // 1000} kHz"
    else:
        f_hz = f_mhz * 1e6
        f_text = f"{f_mhz} MHz"
    ans = AnswerUnit(rng, cfg, "m", ("cm", "km"))
    lam = C / f_hz
    q = f"A radio station broadcasts at {f_text}. What is the wavelength of its signal? (c = 3.00 × 10^8 m/s)"
    steps = [f"λ = c/f = 3.00 × 10^8 m/s / {fmt(f_hz, 4)} Hz = {fmt(lam, 4)} m."]
    shown = f_hz / (1e3 if am else 1e6)
    mistakes = [
        (C * f_hz / 1e12, "multiplied c by f"),
        (C / shown, "frequency prefix not converted"),
        (f_hz / C, "f/c"),
    ]
    return ans.worked(q, lam, steps, mistakes)


def grating_angle(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Grating angle: d sin θ = m λ."""
    lines = rng.choice([100, 150, 200, 250, 300, 400, 500, 600, 800])
    nm = rng.randint(400, 700)
    d = 1e-3 / lines
    order = 1
    for m in (3, 2, 1):
        if m * nm * 1e-9 / d < 0.95 and (m == 1 or rng.random() < 0.5):
            order = m
            break
    ans = AnswerUnit(rng, cfg, "°", ("rad",))
    s = order * nm * 1e-9 / d
    theta = math.degrees(math.asin(s))
    ordinal = {1: "first", 2: "second", 3: "third"}[order]
    q = f"Light of wavelength {nm} nm falls normally on a diffraction grating with {lines} lines per mm. At what angle from the central maximum is the {ordinal}-order bright fringe?"
    steps = [
        f"d = 1/{lines} mm = {fmt(d, 4)} m; sin θ = m λ/d = {order} × {nm}e-9 m / {fmt(d, 4)} m = {fmt(s, 4)}, θ = {fmt(theta, 4)}°."
    ]
    mistakes = [(math.degrees(s), "sin θ taken as θ in radians")]
    if order > 1:
        mistakes.append((math.degrees(math.asin(nm * 1e-9 / d)), "first order used"))
    else:
        mistakes.append((math.degrees(math.asin(min(1.0, 0.5 * s))), "half the path difference"))
    mistakes.append((s * 90, "90° × sin θ"))
    w = ans.worked(q, theta, steps, mistakes)
    w.unit_words = "degrees" if w.unit == "°" else "radians"
    return w


def mirror_image(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: f = R/2, then the mirror equation."""
    r = given(rng, 0.2, 1.2, "m", cfg, alt=("cm",))
    f = r.base / 2
    do = f * rng.uniform(1.3, 4.0)
    obj = given(rng, do, do, "m", cfg, alt=("cm",), sig=3)
    ans = AnswerUnit(rng, cfg, "m", ("cm",))
    di = 1 / (1 / f - 1 / obj.base)
    q = f"An object is {obj} in front of a concave mirror whose radius of curvature is {r}. Where is the image, measured from the mirror?"
    steps = [
        f"f = R/2 = {fmt(f, 4)} m.",
        f"1/d_i = 1/f − 1/d_o = 1/{fmt(f, 4)} − 1/{fmt(obj.base)}, so d_i = {fmt(di, 4)} m.",
    ]
    mistakes = []
    if obj.base > r.base * 1.05:
        mistakes.append((1 / (1 / r.base - 1 / obj.base), "radius used as the focal length"))
    mistakes += [(1 / (1 / f + 1 / obj.base), "added 1/f and 1/d_o"), (obj.base - f, "d_o − f")]
    return ans.worked(q, di, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "thin_lens_image": (thin_lens_image, 1),
    "image_height": (image_height, 2),
    "snell_angle": (snell_angle, 1),
    "critical_angle": (critical_angle, 1),
    "photon_energy": (photon_energy, 1),
    "radio_wavelength": (radio_wavelength, 1),
    "grating_angle": (grating_angle, 1),
    "mirror_image": (mirror_image, 3),
}


class OpticsFamily(ScienceFamily):
    """Geometric optics, photons and waves with units (see the module docstring)."""

    name = "optics"
    TOPICS = TOPICS

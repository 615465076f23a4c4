"""Mechanics: kinematics, forces, energy, momentum and circular motion, with units.

Description:
    One-body and two-body problems solved with a formula or two: uniform acceleration, free fall,
    projectile range, friction, inclines, kinetic and potential energy, power, collisions, springs and
    centripetal force. ``g = 9.81 m/s^2``.

Prompt:
    The situation with its givens (in SI at level 1; in km/h, g, cm, min ... from level 2), and the unit
    the answer is wanted in.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{12.4 m/s}``; any unit of the right dimension is converted
    (option ``units="stated"`` requires the stated one). With ``choices=N``: one letter, ``\\boxed{B}``.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer; else 0. Multiple
    choice: 1 for the right letter, read strictly (:mod:`guru_envs.verify.choice`).

Difficulty:
    1: one formula, SI givens. 2: givens in mixed units. 3: adds two-step problems (stopping distance,
    sliding down an incline) and asks for the answer in a non-SI unit.

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

G = 9.81  # m/s^2


def final_speed(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Final speed: v = v0 + a t."""
    v0 = given(rng, 2, 25, "m/s", cfg, alt=("km/h",))
    a = given(rng, 0.5, 4, "m/s^2", cfg)
    t = given(rng, 2, 15, "s", cfg)
    ans = AnswerUnit(rng, cfg, "m/s", ("km/h",))
    v = v0.base + a.base * t.base
    q = f"A cyclist moving at {v0} speeds up with a constant acceleration of {a} for {t}. What is the final speed?"
    steps = [f"v = v0 + a t = {fmt(v0.base)} m/s + {fmt(a.base)} m/s^2 × {fmt(t.base)} s = {fmt(v, 4)} m/s."]
    mistakes = [
        (a.base * t.base, "initial speed left out"),
        (v0.base - a.base * t.base, "acceleration subtracted"),
    ]
    if v0.unit != "m/s":
        mistakes.append((v0.value + a.base * t.base, f"initial speed used in {v0.unit} without converting"))
    mistakes.append((v0.base + 0.5 * a.base * t.base, "a t halved as if it were a distance"))
    return ans.worked(q, v, steps, mistakes)


def distance_from_rest(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Distance from rest: d = ½ a t² from rest."""
    a = given(rng, 0.5, 6, "m/s^2", cfg)
    t = given(rng, 2, 30, "s", cfg, alt=("min",))
    ans = AnswerUnit(rng, cfg, "m", ("km", "cm"))
    d = 0.5 * a.base * t.base**2
    q = f"A train starts from rest and accelerates uniformly at {a} for {t}. How far does it travel in that time?"
    steps = [f"d = ½ a t² = 0.5 × {fmt(a.base)} m/s^2 × ({fmt(t.base)} s)² = {fmt(d, 4)} m."]
    mistakes = [
        (a.base * t.base**2, "the factor ½ left out"),
        (a.base * t.base, "used a t (a speed)"),
        (0.5 * a.base * t.base, "time not squared"),
    ]
    if t.unit != "s":
        mistakes.append((0.5 * a.base * t.value**2, f"time used in {t.unit} without converting"))
    return ans.worked(q, d, steps, mistakes)


def free_fall_time(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Free fall time: t = √(2h/g) for a drop from rest."""
    h = given(rng, 5, 120, "m", cfg, alt=("cm", "ft"), sig=3)
    ans = AnswerUnit(rng, cfg, "s", ("ms",))
    t = math.sqrt(2 * h.base / G)
    q = f"A stone is dropped from rest from a height of {h}. Ignoring air resistance, how long does it take to reach the ground? (g = 9.81 m/s^2)"
    steps = [f"h = ½ g t², so t = √(2h/g) = √(2 × {fmt(h.base, 4)} m / 9.81 m/s^2) = {fmt(t, 4)} s."]
    mistakes = [
        (math.sqrt(h.base / G), "factor 2 left out"),
        (2 * h.base / G, "square root not taken"),
        (h.base / G, "t = h/g"),
    ]
    return ans.worked(q, t, steps, mistakes)


def projectile_range(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """R = v² sin 2θ / g on level ground."""
    v = given(rng, 8, 40, "m/s", cfg, alt=("km/h",))
    theta = rng.choice([15, 20, 25, 30, 35, 40, 50, 55, 60, 65, 70])
    ans = AnswerUnit(rng, cfg, "m", ("cm", "km"))
    r = v.base**2 * math.sin(math.radians(2 * theta)) / G
    q = f"A ball is launched from level ground at {v} at {theta}° above the horizontal. Ignoring air resistance, how far away does it land? (g = 9.81 m/s^2)"
    steps = [f"R = v² sin(2θ)/g = ({fmt(v.base, 4)} m/s)² × sin({2 * theta}°) / 9.81 m/s^2 = {fmt(r, 4)} m."]
    mistakes = [
        (v.base**2 * math.sin(math.radians(theta)) / G, "sin θ used instead of sin 2θ"),
        (v.base**2 * math.sin(math.radians(2 * theta)) / (2 * G), "divided by 2g"),
        (v.base**2 * math.cos(math.radians(2 * theta)) / G, "cos 2θ used"),
    ]
    return ans.worked(q, r, steps, mistakes)


def friction_acceleration(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Friction acceleration: a = (F − μ m g)/m for a pulled crate."""
    m = given(rng, 2, 40, "kg", cfg, alt=("g",))
    mu = round(rng.uniform(0.1, 0.6), 2)
    f = m.base * G * mu * rng.uniform(1.4, 4.0)
    force = given(rng, f, f, "N", cfg, alt=("kN",), sig=3)
    ans = AnswerUnit(rng, cfg, "m/s^2", ("cm/s^2",))
    friction = mu * m.base * G
    a = (force.base - friction) / m.base
    q = (
        f"A crate of mass {m} is pulled across a level floor by a horizontal force of {force}. The coefficient of "
        f"kinetic friction is {mu}. What is the crate's acceleration? (g = 9.81 m/s^2)"
    )
    steps = [
        f"Friction: f = μ m g = {mu} × {fmt(m.base)} kg × 9.81 m/s^2 = {fmt(friction, 4)} N.",
        f"a = (F − f)/m = ({fmt(force.base, 4)} N − {fmt(friction, 4)} N) / {fmt(m.base)} kg = {fmt(a, 4)} m/s^2.",
    ]
    mistakes = [
        (force.base / m.base, "friction ignored"),
        ((force.base + friction) / m.base, "friction added to the pull"),
        ((force.base - mu * G) / m.base, "friction taken as μ g (mass left out)"),
    ]
    return ans.worked(q, a, steps, mistakes)


def incline_acceleration(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Incline acceleration: a = g sin θ on a frictionless ramp (the mass is a distractor)."""
    theta = rng.choice([10, 12, 15, 18, 20, 22, 25, 28, 30, 35, 40, 50, 55])
    ans = AnswerUnit(rng, cfg, "m/s^2", ("cm/s^2",))
    a = G * math.sin(math.radians(theta))
    mass = rng.choice([1.5, 2.0, 3.0, 4.5, 5.0, 8.0, 12.0])
    q = f"A {fmt(mass, 2)} kg block slides down a frictionless ramp inclined at {theta}° to the horizontal. What is its acceleration along the ramp? (g = 9.81 m/s^2)"
    steps = [
        f"Along the ramp only g sin θ acts: a = 9.81 m/s^2 × sin {theta}° = {fmt(a, 4)} m/s^2 (the mass cancels)."
    ]
    mistakes = [
        (G * math.cos(math.radians(theta)), "cos θ used"),
        (G * math.tan(math.radians(theta)), "tan θ used"),
        (mass * G * math.sin(math.radians(theta)), "force m g sin θ given instead of acceleration"),
    ]
    return ans.worked(q, a, steps, mistakes)


def kinetic_energy(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """KE = ½ m v²."""
    m = given(rng, 600, 2500, "kg", cfg, alt=("t",))
    v = given(rng, 5, 35, "m/s", cfg, alt=("km/h",))
    ans = AnswerUnit(rng, cfg, "J", ("kJ", "MJ"))
    ke = 0.5 * m.base * v.base**2
    q = f"A car of mass {m} travels at {v}. What is its kinetic energy?"
    steps = [f"KE = ½ m v² = 0.5 × {fmt(m.base)} kg × ({fmt(v.base, 4)} m/s)² = {fmt(ke, 4)} J."]
    mistakes = [(m.base * v.base**2, "the factor ½ left out"), (0.5 * m.base * v.base, "speed not squared")]
    if v.unit != "m/s":
        mistakes.append((0.5 * m.base * v.value**2, f"speed used in {v.unit} without converting"))
    return ans.worked(q, ke, steps, mistakes)


def drop_speed(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Drop speed: v = √(2 g h) from energy conservation."""
    h = given(rng, 2, 80, "m", cfg, alt=("cm", "ft"), sig=3)
    ans = AnswerUnit(rng, cfg, "m/s", ("km/h",))
    v = math.sqrt(2 * G * h.base)
    q = f"A ball falls from rest through a height of {h}. Using conservation of energy and ignoring air resistance, what is its speed at the bottom? (g = 9.81 m/s^2)"
    steps = [f"m g h = ½ m v², so v = √(2 g h) = √(2 × 9.81 m/s^2 × {fmt(h.base, 4)} m) = {fmt(v, 4)} m/s."]
    mistakes = [
        (math.sqrt(G * h.base), "factor 2 left out"),
        (2 * G * h.base, "square root not taken"),
        (G * h.base, "v = g h"),
    ]
    return ans.worked(q, v, steps, mistakes)


def lifting_power(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """P = m g h / t."""
    m = given(rng, 20, 500, "kg", cfg, alt=("t",))
    h = given(rng, 2, 30, "m", cfg, alt=("cm",))
    t = given(rng, 3, 60, "s", cfg, alt=("min",))
    ans = AnswerUnit(rng, cfg, "W", ("kW",))
    p = m.base * G * h.base / t.base
    q = f"A motor lifts a {m} load at constant speed through a height of {h} in {t}. What is the motor's useful power output? (g = 9.81 m/s^2)"
    steps = [
        f"Work: W = m g h = {fmt(m.base)} kg × 9.81 m/s^2 × {fmt(h.base)} m = {fmt(m.base * G * h.base, 4)} J.",
        f"P = W/t = {fmt(m.base * G * h.base, 4)} J / {fmt(t.base)} s = {fmt(p, 4)} W.",
    ]
    mistakes = [
        (m.base * h.base / t.base, "g left out"),
        (m.base * G * h.base * t.base, "multiplied by the time"),
        (m.base * G * h.base, "energy given, not power"),
    ]
    return ans.worked(q, p, steps, mistakes)


def inelastic_collision(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Inelastic collision: v = m1 v1/(m1 + m2) when carts stick."""
    m1 = given(rng, 0.5, 5, "kg", cfg, alt=("g",))
    m2 = given(rng, 0.5, 5, "kg", cfg, alt=("g",))
    v1 = given(rng, 1, 12, "m/s", cfg, alt=("cm/s",))
    ans = AnswerUnit(rng, cfg, "m/s", ("cm/s",))
    v = m1.base * v1.base / (m1.base + m2.base)
    q = f"A cart of mass {m1} moving at {v1} hits a stationary cart of mass {m2}, and the two stick together. What is their common speed just after the collision?"
    steps = [
        f"Momentum is conserved: v = m1 v1/(m1 + m2) = {fmt(m1.base)} kg × {fmt(v1.base)} m/s / {fmt(m1.base + m2.base, 4)} kg = {fmt(v, 4)} m/s."
    ]
    mistakes = [
        (v1.base / 2, "speed simply halved"),
        (m1.base * v1.base / m2.base, "divided by the second mass only"),
        (v1.base * math.sqrt(m1.base / (m1.base + m2.base)), "kinetic energy conserved"),
    ]
    return ans.worked(q, v, steps, mistakes)


def spring_energy(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """E = ½ k x²."""
    k = given(rng, 50, 2000, "N/m", cfg, alt=("kN/m",))
    x = given(rng, 0.02, 0.3, "m", cfg, alt=("cm", "mm"))
    ans = AnswerUnit(rng, cfg, "J", ("mJ",))
    e = 0.5 * k.base * x.base**2
    q = f"A spring with spring constant {k} is compressed by {x}. How much elastic potential energy does it store?"
    steps = [f"E = ½ k x² = 0.5 × {fmt(k.base)} N/m × ({fmt(x.base)} m)² = {fmt(e, 4)} J."]
    mistakes = [
        (k.base * x.base**2, "the factor ½ left out"),
        (0.5 * k.base * x.base, "x not squared"),
        (k.base * x.base, "force k x given"),
    ]
    if x.unit != "m":
        mistakes.append((0.5 * k.base * x.value**2, f"compression used in {x.unit} without converting"))
    return ans.worked(q, e, steps, mistakes)


def centripetal_force(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """F = m v²/r."""
    m = given(rng, 0.1, 3, "kg", cfg, alt=("g",))
    v = given(rng, 1, 15, "m/s", cfg)
    r = given(rng, 0.3, 5, "m", cfg, alt=("cm",))
    ans = AnswerUnit(rng, cfg, "N", ("kN", "mN"))
    f = m.base * v.base**2 / r.base
    q = f"A {m} ball on a string moves in a horizontal circle of radius {r} at a constant speed of {v}. What is the tension providing the centripetal force?"
    steps = [f"F = m v²/r = {fmt(m.base)} kg × ({fmt(v.base)} m/s)² / {fmt(r.base)} m = {fmt(f, 4)} N."]
    mistakes = [
        (m.base * v.base / r.base, "speed not squared"),
        (m.base * v.base**2 * r.base, "multiplied by r"),
        (v.base**2 / r.base, "acceleration given, not force"),
    ]
    return ans.worked(q, f, steps, mistakes)


def stopping_distance(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: a = μ g, then d = v²/(2a)."""
    v = given(rng, 10, 35, "m/s", cfg, alt=("km/h",))
    mu = round(rng.uniform(0.3, 0.9), 2)
    ans = AnswerUnit(rng, cfg, "m", ("km", "ft"))
    a = mu * G
    d = v.base**2 / (2 * a)
    q = f"A car travelling at {v} brakes hard with its wheels locked. The coefficient of kinetic friction between tyres and road is {mu}. How far does it skid before stopping? (g = 9.81 m/s^2)"
    steps = [
        f"Deceleration: a = μ g = {mu} × 9.81 m/s^2 = {fmt(a, 4)} m/s^2.",
        f"v² = 2 a d, so d = v²/(2a) = ({fmt(v.base, 4)} m/s)² / (2 × {fmt(a, 4)} m/s^2) = {fmt(d, 4)} m.",
    ]
    mistakes = [
        (v.base**2 / a, "factor 2 left out"),
        (v.base / (2 * a), "speed not squared"),
        (v.base**2 / (2 * G), "friction coefficient left out"),
    ]
    if v.unit != "m/s":
        mistakes.append((v.value**2 / (2 * a), f"speed used in {v.unit} without converting"))
    return ans.worked(q, d, steps, mistakes)


def incline_slide_speed(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: h = L sin θ, then v = √(2 g h)."""
    length = given(rng, 1, 20, "m", cfg, alt=("cm",))
    theta = rng.choice([15, 20, 25, 30, 35, 40, 45, 50])
    ans = AnswerUnit(rng, cfg, "m/s", ("km/h",))
    h = length.base * math.sin(math.radians(theta))
    v = math.sqrt(2 * G * h)
    q = f"A block starts from rest at the top of a frictionless ramp {length} long, inclined at {theta}°. How fast is it moving at the bottom? (g = 9.81 m/s^2)"
    steps = [
        f"Height dropped: h = L sin θ = {fmt(length.base)} m × sin {theta}° = {fmt(h, 4)} m.",
        f"v = √(2 g h) = √(2 × 9.81 m/s^2 × {fmt(h, 4)} m) = {fmt(v, 4)} m/s.",
    ]
    mistakes = [
        (math.sqrt(2 * G * length.base), "ramp length used as the height"),
        (math.sqrt(2 * G * length.base * math.cos(math.radians(theta))), "cos θ used"),
        (math.sqrt(G * h), "factor 2 left out"),
    ]
    return ans.worked(q, v, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "final_speed": (final_speed, 1),
    "distance_from_rest": (distance_from_rest, 1),
    "free_fall_time": (free_fall_time, 1),
    "projectile_range": (projectile_range, 1),
    "friction_acceleration": (friction_acceleration, 1),
    "incline_acceleration": (incline_acceleration, 1),
    "kinetic_energy": (kinetic_energy, 1),
    "drop_speed": (drop_speed, 1),
    "lifting_power": (lifting_power, 1),
    "inelastic_collision": (inelastic_collision, 1),
    "spring_energy": (spring_energy, 1),
    "centripetal_force": (centripetal_force, 1),
    "stopping_distance": (stopping_distance, 3),
    "incline_slide_speed": (incline_slide_speed, 3),
}


class MechanicsFamily(ScienceFamily):
    """Kinematics, forces, energy and momentum problems with units (see the module docstring)."""

    name = "mechanics"
    TOPICS = TOPICS

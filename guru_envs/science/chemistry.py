"""Chemistry: molar mass, stoichiometry, gas laws, pH, buffers, dilution and concentration, with units.

Description:
    Quantitative general chemistry with real molar masses (IUPAC standard atomic weights, rounded):
    molar mass of a compound, moles from mass, product mass from a balanced equation, ideal and combined
    gas laws, pH of strong acids and bases and of weak acids (exact quadratic), buffer pH
    (Henderson-Hasselbalch), dilution, molarity, and (level 3) gas volume produced by a reaction.

Prompt:
    The question with its givens (g, mg, mL, kPa, atm, °C ...) and the unit the answer is wanted in;
    pH answers are asked to 2 decimal places.

Answer format:
    ``\\boxed{<number> <unit>}``, e.g. ``\\boxed{0.250 mol/L}`` (``0.250 M`` and ``250 mM`` are read
    too) or ``\\boxed{3.42}`` for a pH. With ``choices=N``: one letter.

Scoring:
    1 when the boxed value, converted to the stated unit, is within 1 % of the answer (pH: within 0.02);
    else 0.

Difficulty:
    1: one relation, SI-friendly givens. 2: mixed units (mg, mL, kPa, °C). 3: adds multi-step problems
    (reaction gas volumes, buffer pH from amounts), answers in other units.

Version History:
    v0: initial release.
    v0 (unreleased): moles from mass, reaction mass, molarity and reaction gas volume read a mass given in
        grams as grams (it was multiplied by 1000, so those golds, and some multiple-choice keys, were 1000x
        off); problems are solved with the molar masses they state (4 figures); a dilution's target
        concentration is shown exactly (0.1625 M was rounded to 0.163 M); multiple-choice pH options show 2
        decimals; answers must be one claim (hedges, negations, scale words, false equations, LaTeX
        connectives such as ``\\lor`` or ``\\pm``, values set apart by spacing and several different boxes
        score 0; a label after a count only when the question uses it) (issue 17).
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
    round_sig,
)

ATOMIC_MASS = {
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
# formula -> element counts (written out, not parsed, so the table is the single source of truth)
COMPOUNDS: dict[str, dict[str, int]] = {
    "H2O": {"H": 2, "O": 1},
    "CO2": {"C": 1, "O": 2},
    "NaCl": {"Na": 1, "Cl": 1},
    "CaCO3": {"Ca": 1, "C": 1, "O": 3},
    "C6H12O6": {"C": 6, "H": 12, "O": 6},
    "H2SO4": {"H": 2, "S": 1, "O": 4},
    "NH3": {"N": 1, "H": 3},
    "CH4": {"C": 1, "H": 4},
    "NaOH": {"Na": 1, "O": 1, "H": 1},
    "KMnO4": {"K": 1, "Mn": 1, "O": 4},
    "Mg(OH)2": {"Mg": 1, "O": 2, "H": 2},
    "Al2(SO4)3": {"Al": 2, "S": 3, "O": 12},
    "C2H5OH": {"C": 2, "H": 6, "O": 1},
    "Ca(OH)2": {"Ca": 1, "O": 2, "H": 2},
    "HNO3": {"H": 1, "N": 1, "O": 3},
    "Fe2O3": {"Fe": 2, "O": 3},
    "CuSO4": {"Cu": 1, "S": 1, "O": 4},
    "KCl": {"K": 1, "Cl": 1},
    "MgO": {"Mg": 1, "O": 1},
    "CaO": {"Ca": 1, "O": 1},
    "O2": {"O": 2},
    "H2": {"H": 2},
    "N2": {"N": 2},
    "Cl2": {"Cl": 2},
    "Fe": {"Fe": 1},
    "Mg": {"Mg": 1},
    "Al": {"Al": 1},
    "Na": {"Na": 1},
    "AlCl3": {"Al": 1, "Cl": 3},
    "C3H8": {"C": 3, "H": 8},
    "CO": {"C": 1, "O": 1},
    "KClO3": {"K": 1, "Cl": 1, "O": 3},
    "NaHCO3": {"Na": 1, "H": 1, "C": 1, "O": 3},
    "Na2CO3": {"Na": 2, "C": 1, "O": 3},
}
# "naive" counts a student gets by ignoring subscripts outside brackets (for the molar-mass mistake)
BRACKET_SLIP = {
    "Mg(OH)2": {"Mg": 1, "O": 1, "H": 1},
    "Al2(SO4)3": {"Al": 2, "S": 1, "O": 4},
    "Ca(OH)2": {"Ca": 1, "O": 1, "H": 1},
}
# balanced reactions: (reactants, products) as (coefficient, formula)
REACTIONS = [
    ([(2, "H2"), (1, "O2")], [(2, "H2O")]),
    ([(1, "CH4"), (2, "O2")], [(1, "CO2"), (2, "H2O")]),
    ([(1, "N2"), (3, "H2")], [(2, "NH3")]),
    ([(1, "CaCO3")], [(1, "CaO"), (1, "CO2")]),
    ([(2, "Mg"), (1, "O2")], [(2, "MgO")]),
    ([(1, "C3H8"), (5, "O2")], [(3, "CO2"), (4, "H2O")]),
    ([(1, "Fe2O3"), (3, "CO")], [(2, "Fe"), (3, "CO2")]),
    ([(2, "Al"), (3, "Cl2")], [(2, "AlCl3")]),
    ([(2, "Na"), (1, "Cl2")], [(2, "NaCl")]),
    ([(2, "KClO3")], [(2, "KCl"), (3, "O2")]),
    ([(2, "NaHCO3")], [(1, "Na2CO3"), (1, "H2O"), (1, "CO2")]),
]
GAS_PRODUCTS = [(r, p) for r, p in REACTIONS if any(f in ("CO2", "O2") for _, f in p) and len(r) == 1]
WEAK_ACIDS = {
    "acetic acid": 1.8e-5,
    "formic acid": 1.8e-4,
    "benzoic acid": 6.3e-5,
    "hydrocyanic acid": 6.2e-10,
    "hypochlorous acid": 3.0e-8,
}
R_GAS = 8.314  # J/(mol K)
PH_TOL = 0.02


def molar_mass(formula: str) -> float:
    """g/mol from the atomic-mass table."""
    return sum(ATOMIC_MASS[el] * n for el, n in COMPOUNDS[formula].items())


def stated_molar_mass(formula: str) -> float:
    """The molar mass as a prompt states it (4 figures): problems are solved with the value they show."""
    return round_sig(molar_mass(formula), 4)


def _equation(reaction: tuple[list[tuple[int, str]], list[tuple[int, str]]]) -> str:
    side = lambda terms: " + ".join(f"{c if c > 1 else ''}{f}" for c, f in terms)  # noqa: E731
    return f"{side(reaction[0])} → {side(reaction[1])}"


def molar_mass_topic(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """M = Σ n_i A_i from the atomic masses."""
    formula = rng.choice(sorted(f for f, c in COMPOUNDS.items() if sum(c.values()) > 1))
    mm = molar_mass(formula)
    parts = " + ".join(f"{n} × {ATOMIC_MASS[el]}" for el, n in COMPOUNDS[formula].items())
    q = (
        f"What is the molar mass of {formula}? Use the atomic masses "
        + ", ".join(f"{el} = {ATOMIC_MASS[el]}" for el in COMPOUNDS[formula])
        + " g/mol."
    )
    steps = [f"M = {parts} = {fmt(mm, 5)} g/mol."]
    mistakes = [(sum(ATOMIC_MASS[el] for el in COMPOUNDS[formula]), "subscripts ignored")]
    if formula in BRACKET_SLIP:
        mistakes.append(
            (
                sum(ATOMIC_MASS[el] * n for el, n in BRACKET_SLIP[formula].items()),
                "subscript outside the brackets ignored",
            )
        )
    mistakes.append((mm * 2, "counted every atom twice"))
    return Worked(q, mm, "g/mol", steps, mistakes, sig=4)


def moles_from_mass(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Moles from mass: n = m/M."""
    formula = rng.choice(["H2O", "CO2", "NaCl", "CaCO3", "C6H12O6", "NaOH", "KCl", "H2SO4", "NH3", "CuSO4"])
    mm = stated_molar_mass(formula)
    m = given(rng, 0.5, 200, "g", cfg, alt=("mg", "kg"))
    ans = AnswerUnit(rng, cfg, "mol", ("mmol",))
    n = m.base / mm
    q = f"How many moles are in {m} of {formula} (molar mass {fmt(mm, 4)} g/mol)?"
    steps = [f"n = m/M = {fmt(m.base, 4)} g / {fmt(mm, 4)} g/mol = {fmt(n, 4)} mol."]
    mistakes = [(m.base * mm, "multiplied by the molar mass"), (mm / m.base, "M/m")]
    if m.unit != "g":
        mistakes.append((m.value / mm, f"mass used in {m.unit} without converting"))
    return ans.worked(q, n, steps, mistakes)


def reaction_mass(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Product mass through the mole ratio of a balanced equation."""
    reaction = rng.choice(REACTIONS)
    c_in, f_in = rng.choice(reaction[0])
    c_out, f_out = rng.choice(reaction[1])
    m_in = given(rng, 1, 100, "g", cfg, alt=("kg", "mg"))
    mm_in, mm_out = stated_molar_mass(f_in), stated_molar_mass(f_out)
    ans = AnswerUnit(rng, cfg, "g", ("kg", "mg"))
    n_in = m_in.base / mm_in
    n_out = n_in * c_out / c_in
    m_out = n_out * mm_out
    q = (
        f"For the reaction {_equation(reaction)}, what mass of {f_out} is formed from {m_in} of {f_in}, with the "
        f"other reactants in excess? (molar masses: {f_in} {fmt(mm_in, 4)} g/mol, {f_out} {fmt(mm_out, 4)} g/mol)"
    )
    steps = [
        f"n({f_in}) = {fmt(m_in.base, 4)} g / {fmt(mm_in, 4)} g/mol = {fmt(n_in, 4)} mol.",
        f"n({f_out}) = {fmt(n_in, 4)} × {c_out}/{c_in} = {fmt(n_out, 4)} mol; m = {fmt(n_out, 4)} × {fmt(mm_out, 4)} = {fmt(m_out, 4)} g.",
    ]
    mistakes = [
        (n_in * mm_out, "mole ratio ignored"),
        (n_in * c_in / c_out * mm_out, "mole ratio inverted"),
        (m_in.base * c_out / c_in, "mass ratio used as mole ratio"),
    ]
    return ans.worked(q, m_out, steps, mistakes)


def ideal_gas_volume(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """V = nRT/P."""
    n = round(rng.uniform(0.1, 5), 2)
    t_c = rng.randint(-20, 150)
    p = given(rng, 50_000, 400_000, "Pa", cfg, alt=("kPa", "atm"))
    ans = AnswerUnit(rng, cfg, "m^3", ("L", "mL"))
    t_k = t_c + 273.15
    v = n * R_GAS * t_k / p.base
    q = f"What volume does {n} mol of an ideal gas occupy at {t_c} °C and {p}? (R = 8.314 J/(mol·K))"
    steps = [f"V = nRT/P = {n} × 8.314 × {fmt(t_k, 5)} K / {fmt(p.base, 4)} Pa = {fmt(v, 4)} m^3."]
    mistakes = [
        (n * R_GAS * t_c / p.base, "Celsius temperature used"),
        (n * R_GAS / (t_k * p.base), "T in the denominator"),
        (n * t_k / p.base, "R left out"),
    ]
    if p.unit != "Pa":
        mistakes.append((n * R_GAS * t_k / p.value, f"pressure used in {p.unit} without converting"))
    w = ans.worked(q, v, steps, mistakes)
    if w.value <= 0:
        raise ValueError("non-positive gas volume")
    return w


def combined_gas(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """V2 = V1 (P1/P2)(T2/T1)."""
    v1 = given(rng, 0.5, 20, "L", cfg, alt=("mL",))
    p1 = rng.randint(80, 200)
    p2 = rng.randint(80, 300)
    t1 = rng.randint(0, 40)
    t2 = rng.randint(50, 250)
    ans = AnswerUnit(rng, cfg, "L", ("mL", "m^3"))
    v2 = v1.base * (p1 / p2) * ((t2 + 273.15) / (t1 + 273.15))
    q = f"A gas occupies {v1} at {p1} kPa and {t1} °C. What volume does it occupy at {p2} kPa and {t2} °C?"
    steps = [
        f"V2 = V1 (P1/P2)(T2/T1) = {fmt(v1.base)} L × ({p1}/{p2}) × ({fmt(t2 + 273.15, 5)} K/{fmt(t1 + 273.15, 5)} K) = {fmt(v2, 4)} L."
    ]
    mistakes = [
        (v1.base * (p2 / p1) * ((t2 + 273.15) / (t1 + 273.15)), "pressure ratio inverted"),
        (v1.base * (p1 / p2), "temperature change ignored"),
    ]
    if t1 > 0:
        mistakes.append((v1.base * (p1 / p2) * (t2 / t1), "Celsius temperatures used"))
    return ans.worked(q, v2, steps, mistakes)


def strong_ph(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Strong acid or base: pH of a strong acid or base."""
    acid = rng.random() < 0.6
    name = rng.choice(["HCl", "HNO3", "HBr"] if acid else ["NaOH", "KOH"])
    c = given(rng, 1e-4, 0.5, "M", cfg, alt=("mM",))
    ph = -math.log10(c.base) if acid else 14 + math.log10(c.base)
    q = f"What is the pH of a {c} solution of {name} at 25 °C?"
    if acid:
        steps = [f"{name} dissociates fully: [H+] = {fmt(c.base)} M, pH = −log10({fmt(c.base)}) = {ph:.3f}."]
        mistakes = [
            (14 - ph, "pOH given as pH"),
            (-math.log(c.base), "natural log used"),
            (math.log10(c.base), "sign dropped"),
        ]
    else:
        steps = [f"[OH−] = {fmt(c.base)} M, pOH = {-math.log10(c.base):.3f}, pH = 14 − pOH = {ph:.3f}."]
        mistakes = [
            (14 - ph, "pOH given as pH"),
            (14 + math.log(c.base), "natural log used"),
            (-math.log10(c.base) + 7, "pH = 7 + pOH"),
        ]
    if c.unit != "M":
        mistakes.append(
            ((-math.log10(c.value)) if acid else 14 + math.log10(c.value), "concentration used in mM")
        )
    return Worked(q, ph, "", steps, mistakes, sig=3, rel_tol=0.0, abs_tol=PH_TOL, decimals=2)


def weak_acid_ph(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Weak acid: pH of a weak acid from the exact quadratic."""
    name, ka = rng.choice(sorted(WEAK_ACIDS.items()))
    for _ in range(50):
        c = given(rng, 0.01, 1.0, "M", cfg, alt=("mM",))
        h = (-ka + math.sqrt(ka * ka + 4 * ka * c.base)) / 2
        approx = math.sqrt(ka * c.base)
        if abs(math.log10(h) - math.log10(approx)) < 0.005:  # the usual approximation gives the same pH
            break
    ph = -math.log10(h)
    q = f"What is the pH of a {c} solution of {name} (Ka = {fmt(ka, 2)}) at 25 °C?"
    steps = [
        f"Ka = x²/(c − x): x = (−Ka + √(Ka² + 4 Ka c))/2 = {fmt(h, 4)} M (≈ √(Ka c)).",
        f"pH = −log10({fmt(h, 4)}) = {ph:.3f}.",
    ]
    mistakes = [
        (-math.log10(c.base), "treated as a strong acid"),
        (-math.log10(ka * c.base), "square root not taken"),
        (-math.log10(ka), "pKa given"),
    ]
    return Worked(q, ph, "", steps, mistakes, sig=3, rel_tol=0.0, abs_tol=PH_TOL, decimals=2)


def buffer_ph(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Henderson-Hasselbalch: pH = pKa + log([A−]/[HA])."""
    name, ka = rng.choice(sorted((k, v) for k, v in WEAK_ACIDS.items() if v > 1e-9))
    pka = -math.log10(ka)
    n_acid = round(rng.uniform(0.05, 0.5), 3)
    n_base = round(n_acid * rng.uniform(0.2, 5.0), 3)
    ph = pka + math.log10(n_base / n_acid)
    q = f"A buffer contains {n_acid} mol of {name} (Ka = {fmt(ka, 2)}) and {n_base} mol of its sodium salt in 1.00 L. What is its pH?"
    steps = [
        f"pKa = {pka:.3f}; pH = pKa + log10([A−]/[HA]) = {pka:.3f} + log10({n_base}/{n_acid}) = {ph:.3f}."
    ]
    mistakes = [
        (pka - math.log10(n_base / n_acid), "ratio inverted"),
        (pka + math.log(n_base / n_acid), "natural log used"),
        (pka, "ratio ignored"),
    ]
    return Worked(q, ph, "", steps, mistakes, sig=3, rel_tol=0.0, abs_tol=PH_TOL, decimals=2)


def dilution(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """C1 V1 = C2 V2."""
    c1 = given(rng, 0.5, 12, "M", cfg)
    v2 = given(rng, 0.1, 2, "L", cfg, alt=("mL",))
    c2 = c1.base * rng.choice([0.01, 0.02, 0.05, 0.1, 0.125, 0.2, 0.25, 0.4, 0.5])
    c2_text = f"{exact_text(c2)} M"  # 1.3 M × 0.125 = 0.1625 M: shown as it is used
    ans = AnswerUnit(rng, cfg, "L", ("mL",))
    v1 = c2 * v2.base / c1.base
    q = f"What volume of {c1} stock solution is needed to make {v2} of {c2_text} solution?"
    steps = [
        f"C1 V1 = C2 V2, so V1 = C2 V2 / C1 = {fmt(c2, 3)} M × {fmt(v2.base)} L / {fmt(c1.base)} M = {fmt(v1, 4)} L."
    ]
    mistakes = [
        (c1.base * v2.base / c2, "concentrations swapped"),
        (c1.base * c2 * v2.base, "multiplied the concentrations"),
        (v2.base - v1, "volume of water to add given"),
    ]
    return ans.worked(q, v1, steps, mistakes)


def molarity(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Molarity: c = (m/M)/V."""
    formula = rng.choice(["NaCl", "NaOH", "KCl", "C6H12O6", "CuSO4", "KMnO4", "Na2CO3"])
    mm = stated_molar_mass(formula)
    m = given(rng, 0.5, 60, "g", cfg, alt=("mg",))
    v = given(rng, 0.05, 2, "L", cfg, alt=("mL",))
    ans = AnswerUnit(rng, cfg, "mol/L", ("mmol/L", "M"))
    conc = m.base / mm / v.base
    q = f"{m} of {formula} (molar mass {fmt(mm, 4)} g/mol) is dissolved in water to make {v} of solution. What is the molar concentration?"
    steps = [
        f"n = {fmt(m.base, 4)} g / {fmt(mm, 4)} g/mol = {fmt(m.base / mm, 4)} mol; c = n/V = {fmt(conc, 4)} mol/L."
    ]
    mistakes = [
        (m.base / v.base, "molar mass left out (g/L)"),
        (m.base * mm / v.base, "multiplied by the molar mass"),
    ]
    if v.unit != "L":
        mistakes.append((m.base / mm / v.value, f"volume used in {v.unit} without converting"))
    return ans.worked(q, conc, steps, mistakes)


def reaction_gas_volume(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two steps: moles of gas from the equation, then V = nRT/P."""
    reaction = rng.choice(GAS_PRODUCTS)
    c_in, f_in = reaction[0][0]
    c_out, f_out = next((c, f) for c, f in reaction[1] if f in ("CO2", "O2"))
    m_in = given(rng, 1, 80, "g", cfg, alt=("kg",))
    t_c = rng.randint(0, 40)
    p_kpa = rng.choice([95, 98, 100, 101.3, 102, 105])
    ans = AnswerUnit(rng, cfg, "L", ("mL", "m^3"))
    mm_in = stated_molar_mass(f_in)
    n_out = m_in.base / mm_in * c_out / c_in
    v = n_out * R_GAS * (t_c + 273.15) / (p_kpa * 1000) * 1000
    q = (
        f"Heating decomposes {m_in} of {f_in} completely: {_equation(reaction)}. What volume of {f_out} is produced at "
        f"{t_c} °C and {p_kpa} kPa? (molar mass of {f_in}: {fmt(mm_in, 4)} g/mol; R = 8.314 J/(mol·K))"
    )
    steps = [
        f"n({f_out}) = {fmt(m_in.base, 4)} g / {fmt(mm_in, 4)} g/mol × {c_out}/{c_in} = {fmt(n_out, 4)} mol.",
        f"V = nRT/P = {fmt(n_out, 4)} × 8.314 × {fmt(t_c + 273.15, 5)} / {fmt(p_kpa * 1000, 4)} Pa = {fmt(v / 1000, 4)} m^3 = {fmt(v, 4)} L.",
    ]
    mistakes = [
        (v * c_in / c_out, "mole ratio ignored"),
        (n_out * 22.4, "22.4 L/mol used although not at STP"),
    ]
    if t_c:
        mistakes.append((n_out * R_GAS * t_c / p_kpa, "Celsius temperature used"))
    return ans.worked(q, v, steps, mistakes)


TOPICS: dict[str, tuple[Topic, int]] = {
    "molar_mass": (molar_mass_topic, 1),
    "moles_from_mass": (moles_from_mass, 1),
    "reaction_mass": (reaction_mass, 1),
    "ideal_gas_volume": (ideal_gas_volume, 1),
    "combined_gas": (combined_gas, 1),
    "strong_ph": (strong_ph, 1),
    "weak_acid_ph": (weak_acid_ph, 2),
    "dilution": (dilution, 1),
    "molarity": (molarity, 1),
    "buffer_ph": (buffer_ph, 3),
    "reaction_gas_volume": (reaction_gas_volume, 3),
}


class ChemistryFamily(ScienceFamily):
    """Stoichiometry, gas laws, pH and concentration problems with units (see the module docstring)."""

    name = "chemistry"
    TOPICS = TOPICS

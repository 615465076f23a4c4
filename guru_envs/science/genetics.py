"""Genetics: Punnett-square probabilities, sex linkage and Hardy-Weinberg population genetics.

Description:
    Mendelian crosses with one to three independently assorting genes (probability of a genotype or a
    phenotype), X-linked recessive inheritance (conditional and joint probabilities), and Hardy-Weinberg
    equilibrium (allele frequencies from genotype counts, carrier frequencies from disease incidence,
    expected numbers of carriers).

Prompt:
    The cross or the population, and what probability, frequency or count is wanted.

Answer format:
    ``\\boxed{<number>}``: a fraction (``3/16``, ``\\frac{3}{16}``), a decimal (``0.1875``) or a percentage
    (``18.75\\%``); counts as a number. With ``choices=N``: one letter.

Scoring:
    1 when the boxed number is within 1 % of the answer (a percentage is read as a fraction); else 0.

Difficulty:
    1: one gene, or Hardy-Weinberg from counts. 2: two genes, X linkage, carrier frequency. 3: three
    genes and expected numbers of carriers in a population.

Version History:
    v0: initial release.
    v0 (unreleased): disease names keep their capitals in prompts ("Tay-Sachs", was "Tay-sachs"); answers must
        be one claim (hedges, negations, scale words, false equations, LaTeX connectives such as ``\\lor`` or
        ``\\pm``, values set apart by spacing and several different boxes score 0; a label after a count only
        when the question uses it) (issue 17).
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

from guru_envs.science.common import ScienceConfig, ScienceFamily, Topic, Worked, fmt

TRAITS = [  # (gene letter, dominant phenotype, recessive phenotype); Mendel's seven pea characters and more
    ("T", "tall", "short"),
    ("P", "purple flowers", "white flowers"),
    ("R", "round seeds", "wrinkled seeds"),
    ("Y", "yellow seeds", "green seeds"),
    ("A", "axial flowers", "terminal flowers"),
    ("G", "green pods", "yellow pods"),
    ("I", "inflated pods", "constricted pods"),
    ("B", "grey seed coats", "white seed coats"),
    ("D", "dark hilum", "pale hilum"),
    ("L", "long tendrils", "short tendrils"),
]
GENOTYPES = ("AA", "Aa", "aa")
DISEASES = [
    ("cystic fibrosis", (1500, 3500)),
    ("phenylketonuria", (8000, 20000)),
    ("Tay-Sachs disease", (2500, 6000)),
    ("albinism", (10000, 30000)),
    ("sickle-cell anaemia", (400, 1200)),
    ("galactosaemia", (30000, 60000)),
    ("spinal muscular atrophy", (6000, 12000)),
    ("hereditary haemochromatosis", (200, 600)),
]


def _genotype(letter: str, kind: str) -> str:
    return {"AA": letter * 2, "Aa": letter + letter.lower(), "aa": letter.lower() * 2}[kind]


def _offspring(p1: str, p2: str) -> dict[str, Fraction]:
    """Offspring genotype probabilities (``AA``/``Aa``/``aa``) of one gene."""
    out: dict[str, Fraction] = {"AA": Fraction(0), "Aa": Fraction(0), "aa": Fraction(0)}
    for a, b in itertools.product(p1, p2):
        key = "".join(sorted(a + b))  # uppercase sorts first: "Aa"
        out[key] += Fraction(1, 4)
    return out


def _frac(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


def _cross(rng: random.Random, n_genes: int) -> Worked:
    traits = rng.sample(TRAITS, n_genes)
    parents = []
    for _ in range(2):
        parents.append([rng.choice(["Aa", "Aa", "AA", "aa"]) for _ in traits])
    if all(p == "AA" for p in parents[0] + parents[1]) or all(p == "aa" for p in parents[0] + parents[1]):
        parents[0][0] = "Aa"
    probs = [_offspring(a, b) for a, b in zip(parents[0], parents[1])]
    text = [" ".join(_genotype(t[0], g) for t, g in zip(traits, parent)) for parent in parents]
    ask_genotype = n_genes == 1 and rng.random() < 0.4
    offspring = rng.choice([0, 0, 80, 120, 160, 200, 240, 320, 400, 480, 800, 1000])
    steps = []
    if ask_genotype:
        kind = rng.choice([k for k in GENOTYPES if probs[0][k] > 0] or list(GENOTYPES))
        answer = probs[0][kind]
        target = _genotype(traits[0][0], kind)
        question = f"In pea plants, {traits[0][1]} ({traits[0][0]}) is dominant over {traits[0][2]} ({traits[0][0].lower()}). Two plants with genotypes {text[0]} and {text[1]} are crossed. What is the probability that an offspring has genotype {target}?"
        steps.append(
            f"Punnett square of {text[0]} × {text[1]}: P(AA, Aa, aa) = {_frac(probs[0]['AA'])}, {_frac(probs[0]['Aa'])}, {_frac(probs[0]['aa'])}; P({target}) = {_frac(answer)}."
        )
        other = probs[0]["AA"] + probs[0]["Aa"] if kind == "aa" else probs[0]["aa"]
        mistakes = [
            (float(other), "another genotype class"),
            (float(probs[0]["AA"] + probs[0]["Aa"]) if kind != "aa" else 0.5, "phenotype probability given"),
        ]
        if float(answer) not in (0.5,):
            mistakes.append((0.5, "assumed 1/2"))
        return Worked(question, float(answer), "", steps, mistakes, sig=3)
    wants = [rng.random() < 0.5 for _ in traits]  # True: dominant phenotype wanted
    per_gene = []
    for dominant, pr in zip(wants, probs):
        p = pr["AA"] + pr["Aa"] if dominant else pr["aa"]
        per_gene.append(p)
    if all(p == 0 for p in per_gene) or math.prod(per_gene) == 0:
        wants = [pr["aa"] == 0 for pr in probs]  # ask for something that can happen
        per_gene = [pr["AA"] + pr["Aa"] if d else pr["aa"] for d, pr in zip(wants, probs)]
    answer = math.prod(per_gene, start=Fraction(1))
    phenotype = " and ".join(t[1] if d else t[2] for t, d in zip(traits, wants))
    legend = "; ".join(f"{t[1]} ({t[0]}) is dominant over {t[2]} ({t[0].lower()})" for t in traits)
    ask = f"what is the probability that an offspring is {phenotype}?"
    if offspring:
        ask = f"how many of {offspring} offspring are expected to be {phenotype}?"
    genes = "; the genes assort independently" if n_genes > 1 else ""
    question = (
        f"In pea plants, {legend}{genes}. Plants with genotypes {text[0]} and {text[1]} are crossed: {ask}"
    )
    for t, d, p in zip(traits, wants, per_gene):
        steps.append(f"P({t[1] if d else t[2]}) = {_frac(p)}.")
    steps.append(
        f"Independent genes multiply: P = {' × '.join(_frac(p) for p in per_gene)} = {_frac(answer)}."
    )
    mistakes = [(float(1 - answer), "complement given"), (float(per_gene[0]), "only the first gene counted")]
    if n_genes > 1:
        mistakes.append((float(sum(per_gene)) / n_genes, "probabilities averaged"))
        mistakes.append((float(sum(per_gene)), "probabilities added"))
    else:
        mistakes.append((0.25 if answer != Fraction(1, 4) else 0.75, "3:1 ratio misread"))
    value = float(answer)
    if offspring:
        steps.append(f"Expected number: {offspring} × {_frac(answer)} = {fmt(offspring * value, 4)}.")
        value *= offspring
        mistakes = [(m * offspring, why) for m, why in mistakes]
    return Worked(question, value, "", steps, mistakes, sig=3)


def monohybrid(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """One gene: genotype or phenotype probability, or an expected count."""
    return _cross(rng, 1)


def dihybrid(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Two independent genes: product of probabilities."""
    return _cross(rng, 2)


def trihybrid(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Three independent genes: product of probabilities."""
    return _cross(rng, 3)


X_DISEASES = [
    "red-green colour blindness",
    "haemophilia A",
    "haemophilia B",
    "Duchenne muscular dystrophy",
    "G6PD deficiency",
    "X-linked ichthyosis",
]
MOTHERS = {
    "XAXa": ("a carrier mother (X^A X^a)", Fraction(1, 2)),
    "XaXa": ("an affected mother (X^a X^a)", Fraction(1)),
    "XAXA": ("a non-carrier mother (X^A X^A)", Fraction(0)),
}
FATHERS = {"XAY": ("an unaffected father (X^A Y)", False), "XaY": ("an affected father (X^a Y)", True)}


def x_linked(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """X-linked recessive inheritance, conditional or joint."""
    disease = rng.choice(X_DISEASES)
    while True:
        mother = rng.choice(sorted(MOTHERS))
        father = rng.choice(sorted(FATHERS))
        if not (mother == "XAXA" and father == "XAY") and not (mother == "XaXa" and father == "XaY"):
            break
    (mother_text, p_a), (father_text, father_a) = MOTHERS[mother], FATHERS[father]
    son = p_a  # a son's only X comes from his mother
    daughter_affected = p_a if father_a else Fraction(0)
    daughter_carrier = (1 - p_a) if father_a else p_a
    options = []
    if son:
        options += [
            (
                "that a son of theirs is affected",
                son,
                f"A son gets Y from his father and an X from his mother: P = {_frac(son)}.",
            ),
            (
                "that their next child is an affected son",
                son / 2,
                f"P(son) × P(affected | son) = 1/2 × {_frac(son)} = {_frac(son / 2)}.",
            ),
        ]
        k = rng.choice([2, 3])
        if son < 1:
            options.append(
                (
                    f"that {k} sons of theirs are all affected",
                    son**k,
                    f"Independent births: ({_frac(son)})^{k} = {_frac(son**k)}.",
                )
            )
    if daughter_carrier:
        options.append(
            (
                "that a daughter of theirs is a carrier (heterozygous)",
                daughter_carrier,
                f"A daughter gets her father's X and one of her mother's: P(X^A X^a) = {_frac(daughter_carrier)}.",
            )
        )
    if daughter_affected:
        options.append(
            (
                "that a daughter of theirs is affected",
                daughter_affected,
                f"She needs X^a from both parents: P = {_frac(daughter_affected)}.",
            )
        )
    child = (son + daughter_affected) / 2
    if child:
        options.append(
            (
                "that their next child (of either sex) is affected",
                child,
                f"P = 1/2 × {_frac(son)} + 1/2 × {_frac(daughter_affected)} = {_frac(child)}.",
            )
        )
    ask, answer, step = rng.choice(options)
    question = f"{disease[0].upper() + disease[1:]} is X-linked recessive. A couple has {mother_text} and {father_text}. What is the probability {ask}?"
    candidates = [
        (float(answer * 2), "conditional and joint probabilities confused"),
        (float(answer / 2), "halved again for sex"),
        (0.25, "a 1:2:1 autosomal ratio assumed"),
        (float(1 - answer), "complement given"),
    ]
    mistakes = [(m, w) for m, w in candidates if m != float(answer) and 0 <= m <= 1]
    return Worked(question, float(answer), "", [step], mistakes, sig=3)


def allele_frequency(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Allele frequency: p = (2 N_AA + N_Aa)/(2N)."""
    n_aa_big = rng.randint(20, 500)
    n_ab = rng.randint(20, 500)
    n_bb = rng.randint(5, 300)
    total = n_aa_big + n_ab + n_bb
    p = (2 * n_aa_big + n_ab) / (2 * total)
    want_q = rng.random() < 0.5
    value = 1 - p if want_q else p
    allele = "a" if want_q else "A"
    question = f"A population sample has {n_aa_big} AA, {n_ab} Aa and {n_bb} aa individuals. What is the frequency of allele {allele}?"
    steps = [
        f"p(A) = (2 × {n_aa_big} + {n_ab}) / (2 × {total}) = {fmt(p, 4)}; q(a) = 1 − p = {fmt(1 - p, 4)}."
    ]
    count = n_bb if want_q else n_aa_big
    mistakes = [
        (count / total, "homozygote fraction given"),
        ((count + n_ab) / total, "heterozygotes counted once per person"),
        (math.sqrt(count / total), "square root of the homozygote fraction"),
    ]
    return Worked(question, value, "", steps, mistakes, sig=3)


def carrier_frequency(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Carriers 2pq from the incidence q²."""
    disease, (lo, hi) = rng.choice(DISEASES)
    n = rng.randint(lo // 10, hi // 10) * 10
    q = math.sqrt(1 / n)
    p = 1 - q
    carriers = 2 * p * q
    question = f"{disease[0].upper() + disease[1:]} is autosomal recessive and affects 1 in {n:,} newborns in a population in Hardy-Weinberg equilibrium. What fraction of the population are carriers (heterozygotes)?"
    steps = [
        f"q² = 1/{n}, so q = {fmt(q, 4)} and p = {fmt(p, 4)}.",
        f"Carriers: 2pq = 2 × {fmt(p, 4)} × {fmt(q, 4)} = {fmt(carriers, 4)}.",
    ]
    mistakes = [
        (q, "q given instead of 2pq"),
        (p * q, "factor 2 left out"),
        (2 / n, "2 q² used"),
        (2 * q, "2q (p taken as 1)"),
    ]
    return Worked(question, carriers, "", [*steps], [(m, w) for m, w in mistakes], sig=3)


def expected_carriers(rng: random.Random, cfg: ScienceConfig) -> Worked:
    """Expected carriers 2pq N in a town."""
    disease, (lo, hi) = rng.choice(DISEASES)
    n = rng.randint(lo // 100, hi // 100) * 100
    population = rng.choice([10_000, 25_000, 50_000, 80_000, 120_000, 250_000])
    q = math.sqrt(1 / n)
    carriers = 2 * (1 - q) * q * population
    question = f"{disease[0].upper() + disease[1:]} (autosomal recessive) affects 1 in {n:,} people. In a town of {population:,} people in Hardy-Weinberg equilibrium, how many carriers (heterozygotes) are expected?"
    steps = [
        f"q = √(1/{n}) = {fmt(q, 4)}; 2pq = {fmt(2 * (1 - q) * q, 4)}; expected carriers = 2pq × {population:,} = {fmt(carriers, 4)}."
    ]
    mistakes = [
        (q * population, "q × N"),
        ((1 - q) * q * population, "factor 2 left out"),
        (population / n, "affected people counted"),
    ]
    return Worked(question, carriers, "", steps, mistakes, sig=3)


TOPICS: dict[str, tuple[Topic, int]] = {
    "monohybrid": (monohybrid, 1),
    "allele_frequency": (allele_frequency, 1),
    "dihybrid": (dihybrid, 2),
    "x_linked": (x_linked, 2),
    "carrier_frequency": (carrier_frequency, 2),
    "trihybrid": (trihybrid, 3),
    "expected_carriers": (expected_carriers, 3),
}


class GeneticsFamily(ScienceFamily):
    """Punnett-square, sex-linkage and Hardy-Weinberg problems (see the module docstring)."""

    name = "genetics"
    TOPICS = TOPICS

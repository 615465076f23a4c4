"""Ratios and percentage change: FinQA-style multi-step arithmetic over an income statement and its text.

Description:
    A consolidated statement of income (line items x fiscal years, in millions, internally consistent)
    between paragraphs of report text, some of which state figures the question needs (diluted shares,
    dividends, capital expenditures). Questions chain one to four operations as FinQA's programs do:
    percentage change, a share of net sales, a margin change in percentage points, compound annual
    growth, earnings per share, payout ratios, and the change of a ratio. pandas computes each step.

Prompt:
    Pre-text, the table, post-text, the question, the rounding asked and the relative tolerance.

Answer format:
    ``\\boxed{12.34%}`` for percentages (``12.34`` and ``0.1234`` are read the same way); ``\\boxed{3.21}``
    for amounts (dollars per share, millions).

Scoring:
    Within the stated relative tolerance (0.1% by default) or correctly rounded to the asked decimals;
    ``0.1234%`` for 12.34% is wrong.

Difficulty:
    1: percentage change of a line item between adjacent years. 2: a line item as a share of net sales,
    or change over two years. 3: margin change in percentage points, or a multi-year average.
    4: compound annual growth, earnings per share or payout ratio using a figure from the text.
    5: change of a ratio between years (EPS growth, effective tax rate change, operating margin growth).

Version History:
    v0: initial release.
    v0 (unreleased): scoring only, generated tasks unchanged. A number must be one claim: its trailing text a
        unit or a word of the prompt; hedges, negations, scale words the prompt does not use, LaTeX
        connectives (``\\lor``, ``\\pm``), values side by side and several different boxes score 0 (repeats
        are fine; boxes that each give one item make the set); ``10^5`` and ``~7`` are no longer read as 10
        and 7; scientific notation and space thousands separators are read (issue 17).
    v0 (unreleased): scoring only. A number's trailing text is a word of the question or the unit the asked
        value is in (its column's ``$ millions``; no other column's name or unit, no unit after a count,
        only a percent form after a percentage; see :mod:`guru_envs.tabular.labels`); an ellipsis in the
        answer (``Filtration ...``) is no answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from guru_envs.tabular.base import Question, TableQAFamily
from guru_envs.tabular.content import SECTORS, company_name, income_statement

POSITIVE_ITEMS = (
    "Net sales",
    "Cost of sales",
    "Gross profit",
    "Selling, general and administrative",
    "Research and development",
    "Interest expense",
)
PRODUCTS = {
    "Technology": "enterprise software and networking equipment",
    "Health care": "diagnostic instruments and specialty pharmaceuticals",
    "Energy": "power generation equipment and energy services",
    "Consumer": "packaged foods and household products",
    "Industrials": "freight logistics and industrial components",
    "Financials": "commercial lending and insurance products",
}


@dataclass(frozen=True)
class RatioConfig:
    """Knobs of one difficulty level."""

    years: tuple[int, int]
    kinds: tuple[str, ...]


LEVELS: dict[int, RatioConfig] = {
    1: RatioConfig((2, 3), ("pct_change",)),
    2: RatioConfig((3, 3), ("share", "pct_change_far")),
    3: RatioConfig((3, 4), ("margin_pp", "average")),
    4: RatioConfig((3, 4), ("cagr", "eps", "payout")),
    5: RatioConfig((3, 4), ("eps_growth", "tax_rate_pp", "margin_growth")),
}


class RatioFamily(TableQAFamily):
    """FinQA-style arithmetic programs over a financial statement and report text."""

    name = "ratio"

    def question(self, rng: random.Random, difficulty: int) -> Question:
        """Build a financial arithmetic question; see the module docstring."""
        cfg = LEVELS[difficulty]
        company = company_name(rng)
        first = rng.randint(2014, 2020)
        years = [str(first + i) for i in range(rng.randint(*cfg.years))]
        table = income_statement(rng, company, years)
        df = table.df
        sector = next((s for s, words in SECTORS.items() if any(w in company for w in words)), "Industrials")
        before = [
            f"{company} develops and sells {PRODUCTS[sector]} in more than {rng.randint(12, 90)} countries.",
            f"The table below presents selected items from the consolidated statements of income for fiscal "
            f"years {years[0]} through {years[-1]}.",
        ]
        facts = _text_facts(rng, df, years)
        after = [
            f"Net sales in fiscal {years[-1]} {'rose' if df.loc['Net sales', years[-1]] > df.loc['Net sales', years[-2]] else 'declined'} "
            f"compared with fiscal {years[-2]}, reflecting pricing and volume changes across regions."
        ]
        after += [f[0] for f in facts.values()]
        rng.shuffle(after)
        kind = rng.choice(cfg.kinds)
        if not _well_defined(kind, df, years):  # losses make EPS, payout and tax-rate questions degenerate
            kind = "pct_change"
        q = getattr(self, "_" + kind)(rng, df, years, facts)
        text, item, steps, candidates = q
        return Question(
            tables=[table],
            text=text,
            items=[item],
            steps=steps,
            distractors=self.wrong_numbers(item, candidates),
            before=before,
            after=after,
            qtype=kind,
        )

    # Each builder returns (question, item, steps, wrong candidates).

    def _pct_change(self, rng, df, years, facts, far: bool = False):
        line = rng.choice([i for i in POSITIVE_ITEMS if (df.loc[i, years] > 0).all()])
        y0, y1 = (years[0], years[-1]) if far else _adjacent(rng, years)
        a, b = float(df.loc[line, y0]), float(df.loc[line, y1])
        value = (b - a) / a * 100
        item = self.computed(value, "percent")
        steps = [
            f"{line}: {a:,.1f} in {y0} and {b:,.1f} in {y1} (millions).",
            f"Change = ({b:,.1f} - {a:,.1f}) / {a:,.1f} = {value:.4f}%.",
        ]
        text = f"What was the percentage change in {line.lower()} from fiscal {y0} to fiscal {y1}?"
        return text, item, steps, [(b - a) / b * 100, b / a * 100, (a - b) / a * 100, b - a, value / 100]

    def _pct_change_far(self, rng, df, years, facts):
        return self._pct_change(rng, df, years, facts, far=True)

    def _share(self, rng, df, years, facts):
        line = rng.choice(
            [
                "Cost of sales",
                "Gross profit",
                "Selling, general and administrative",
                "Research and development",
            ]
        )
        y = rng.choice(years)
        part, whole = float(df.loc[line, y]), float(df.loc["Net sales", y])
        value = part / whole * 100
        item = self.computed(value, "percent")
        steps = [
            f"In {y}: {line.lower()} {part:,.1f}, net sales {whole:,.1f}.",
            f"Share = {part:,.1f} / {whole:,.1f} = {value:.4f}%.",
        ]
        text = f"In fiscal {y}, what percentage of net sales was {line.lower()}?"
        other = years[0] if y != years[0] else years[-1]
        return (
            text,
            item,
            steps,
            [
                whole / part * 100,
                float(df.loc[line, other]) / float(df.loc["Net sales", other]) * 100,
                100 - value,
            ],
        )

    def _margin_pp(self, rng, df, years, facts):
        line, label = rng.choice(
            [
                ("Gross profit", "gross margin"),
                ("Operating income", "operating margin"),
                ("Net income", "net margin"),
            ]
        )
        y0, y1 = years[0], years[-1]
        m0 = float(df.loc[line, y0]) / float(df.loc["Net sales", y0]) * 100
        m1 = float(df.loc[line, y1]) / float(df.loc["Net sales", y1]) * 100
        value = m1 - m0
        item = self.computed(value, "percent")
        steps = [
            f"{label.capitalize()} {y0} = {df.loc[line, y0]:,.1f} / {df.loc['Net sales', y0]:,.1f} = {m0:.4f}%.",
            f"{label.capitalize()} {y1} = {df.loc[line, y1]:,.1f} / {df.loc['Net sales', y1]:,.1f} = {m1:.4f}%.",
            f"Change = {m1:.4f} - {m0:.4f} = {value:.4f} percentage points.",
        ]
        text = (
            f"By how many percentage points did the {label} ({line.lower()} as a percentage of net sales) change "
            f"from fiscal {y0} to fiscal {y1}? Give a negative number for a decrease."
        )
        return text, item, steps, [(m1 - m0) / m0 * 100 if m0 else None, -value, m1, m0]

    def _average(self, rng, df, years, facts):
        line = rng.choice(POSITIVE_ITEMS + ("Operating income", "Net income"))
        values = df.loc[line, years].astype(float)
        value = float(values.mean())
        item = self.computed(value)
        steps = [
            f"{line}: " + ", ".join(f"{v:,.1f}" for v in values) + ".",
            f"Average = {values.sum():,.1f} / {len(values)} = {value:.4f}.",
        ]
        text = f"What was the average {line.lower()} per year over fiscal {years[0]} to {years[-1]}, in millions of dollars?"
        return (
            text,
            item,
            steps,
            [
                float(values.sum()),
                float(values.median()),
                float(values.iloc[-1]),
                float(values.sum()) / (len(values) - 1),
            ],
        )

    def _cagr(self, rng, df, years, facts):
        line = rng.choice(
            ["Net sales", "Gross profit", "Research and development", "Selling, general and administrative"]
        )
        a, b = float(df.loc[line, years[0]]), float(df.loc[line, years[-1]])
        n = len(years) - 1
        value = ((b / a) ** (1 / n) - 1) * 100
        item = self.computed(value, "percent")
        steps = [
            f"{line}: {a:,.1f} in {years[0]}, {b:,.1f} in {years[-1]}; {n} years of growth.",
            f"CAGR = ({b:,.1f} / {a:,.1f})^(1/{n}) - 1 = {value:.4f}%.",
        ]
        text = f"What was the compound annual growth rate of {line.lower()} from fiscal {years[0]} to fiscal {years[-1]}?"
        simple = (b - a) / a * 100
        return text, item, steps, [simple, simple / n, ((b / a) ** (1 / (n + 1)) - 1) * 100]

    def _eps(self, rng, df, years, facts):
        y = facts["shares"][1]
        shares = facts["shares"][2]
        net = float(df.loc["Net income", y])
        value = net / shares
        item = self.computed(value)
        steps = [
            f"Net income {y}: {net:,.1f} million; diluted shares: {shares:,.1f} million (from the text).",
            f"EPS = {net:,.1f} / {shares:,.1f} = {value:.4f} dollars.",
        ]
        text = f"What were the diluted earnings per share in fiscal {y}, in dollars (net income divided by weighted-average diluted shares)?"
        op = float(df.loc["Operating income", y])
        return (
            text,
            item,
            steps,
            [op / shares, shares / net, value * 1000, float(df.loc["Net income", years[0]]) / shares],
        )

    def _payout(self, rng, df, years, facts):
        y, paid = facts["dividends"][1], facts["dividends"][2]
        net = float(df.loc["Net income", y])
        value = paid / net * 100
        item = self.computed(value, "percent")
        steps = [
            f"Dividends {y}: {paid:,.1f} million (from the text); net income {net:,.1f} million.",
            f"Payout ratio = {paid:,.1f} / {net:,.1f} = {value:.4f}%.",
        ]
        text = f"What was the dividend payout ratio (cash dividends paid as a percentage of net income) in fiscal {y}?"
        return text, item, steps, [net / paid * 100, paid / float(df.loc["Net sales", y]) * 100, value / 100]

    def _eps_growth(self, rng, df, years, facts):
        (y0, s0), (y1, s1) = facts["shares_both"][1], facts["shares_both"][2]
        e0, e1 = float(df.loc["Net income", y0]) / s0, float(df.loc["Net income", y1]) / s1
        value = (e1 - e0) / e0 * 100
        item = self.computed(value, "percent")
        steps = [
            f"EPS {y0} = {df.loc['Net income', y0]:,.1f} / {s0:,.1f} = {e0:.4f}.",
            f"EPS {y1} = {df.loc['Net income', y1]:,.1f} / {s1:,.1f} = {e1:.4f}.",
            f"Change = ({e1:.4f} - {e0:.4f}) / {e0:.4f} = {value:.4f}%.",
        ]
        text = f"By what percentage did diluted earnings per share change from fiscal {y0} to fiscal {y1}?"
        n0, n1 = float(df.loc["Net income", y0]), float(df.loc["Net income", y1])
        return text, item, steps, [(n1 - n0) / n0 * 100, e1 - e0, (e1 - e0) / e1 * 100]

    def _tax_rate_pp(self, rng, df, years, facts):
        y0, y1 = years[0], years[-1]
        r0 = (
            float(df.loc["Provision for income taxes", y0])
            / float(df.loc["Income before income taxes", y0])
            * 100
        )
        r1 = (
            float(df.loc["Provision for income taxes", y1])
            / float(df.loc["Income before income taxes", y1])
            * 100
        )
        value = r1 - r0
        item = self.computed(value, "percent")
        steps = [
            f"Effective tax rate {y0} = {r0:.4f}%; {y1} = {r1:.4f}%.",
            f"Change = {value:.4f} percentage points.",
        ]
        text = (
            f"By how many percentage points did the effective tax rate (provision for income taxes divided by income "
            f"before income taxes) change from fiscal {y0} to fiscal {y1}? Give a negative number for a decrease."
        )
        return text, item, steps, [(r1 - r0) / r0 * 100 if r0 else None, -value, r1]

    def _margin_growth(self, rng, df, years, facts):
        y0, y1 = _adjacent(rng, years)
        m0 = float(df.loc["Operating income", y0]) / float(df.loc["Net sales", y0])
        m1 = float(df.loc["Operating income", y1]) / float(df.loc["Net sales", y1])
        value = (m1 - m0) / m0 * 100
        item = self.computed(value, "percent")
        steps = [
            f"Operating margin {y0} = {m0 * 100:.4f}%; {y1} = {m1 * 100:.4f}%.",
            f"Relative change = ({m1:.6f} - {m0:.6f}) / {m0:.6f} = {value:.4f}%.",
        ]
        text = (
            f"By what percentage (relative change, not percentage points) did the operating margin (operating "
            f"income divided by net sales) change from fiscal {y0} to fiscal {y1}?"
        )
        return text, item, steps, [(m1 - m0) * 100, -value, m1 * 100]


def _well_defined(kind: str, df, years: list[str]) -> bool:
    """Whether a question kind has a meaningful answer for this statement (no division by a loss)."""
    if kind in ("eps", "payout", "eps_growth"):
        return bool((df.loc["Net income", years] > 0).all())
    if kind == "tax_rate_pp":
        return bool((df.loc["Income before income taxes", years] > 0).all())
    if kind == "margin_growth":
        return bool((df.loc["Operating income", years] > 0).all())
    return True


def _adjacent(rng: random.Random, years: list[str]) -> tuple[str, str]:
    i = rng.randrange(len(years) - 1)
    return years[i], years[i + 1]


def _text_facts(rng: random.Random, df, years: list[str]) -> dict[str, tuple]:
    """Figures stated only in the report text: (sentence, year, value) per fact."""
    y = rng.choice(years)
    net = float(df.loc["Net income", y])
    level = math.exp(rng.uniform(math.log(40), math.log(900)))
    shares: dict[str, float] = {}
    for year in years:  # one consistent share count per year, however many sentences mention it
        shares[year] = round(level, 1)
        level *= rng.uniform(0.94, 1.04)
    paid = round(max(net, 1.0) * rng.uniform(0.15, 0.6), 1)
    capex = round(float(df.loc["Net sales", y]) * rng.uniform(0.02, 0.09), 1)
    y0, y1 = _adjacent(rng, years)
    return {
        "shares": (
            f"Weighted-average diluted shares outstanding were {shares[y]:,.1f} million in fiscal {y}.",
            y,
            shares[y],
        ),
        "dividends": (
            f"Cash dividends paid to shareholders totaled ${paid:,.1f} million in fiscal {y}.",
            y,
            paid,
        ),
        "capex": (f"Capital expenditures were ${capex:,.1f} million in fiscal {y}.", y, capex),
        "shares_both": (
            f"Diluted shares outstanding averaged {shares[y0]:,.1f} million in fiscal {y0} and "
            f"{shares[y1]:,.1f} million in fiscal {y1}.",
            (y0, shares[y0]),
            (y1, shares[y1]),
        ),
    }

"""Reward integrity (issue 17): a Logic answer is one claim, and only a right one is paid.

Each table holds attacks (answers that contain the gold and say something else too, so must score 0)
and right answers written in other ways (which must still score 1). Rows are built from real tasks, so
they follow the generators.
"""

import json
import re

import pytest

from guru_envs.core.registry import catalog
from guru_envs.core.scoring import score
from guru_envs.logic.common import AnswerBlockError, final_answer
from guru_envs.logic.knights_knaves import parse_roles


def family(name):
    return catalog().family("logic", name)


def tag(text):
    return f"Reasoning first.\n<answer>{text}</answer>"


def md(header, rows):
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


# ----------------------------------------------------------------------------------------- zebra
ZEBRA = family("zebra").sample(11, 6)  # 5 houses x 4 attributes
H, R = ZEBRA.answer["header"], ZEBRA.answer["rows"]
N = len(R)


def grid(rows, header=H):
    return tag(json.dumps({"header": header, "rows": rows}))


def with_column(rows, values):
    return [[*r, v] for r, v in zip(rows, values)]


SHIFTED = [R[(i + 1) % N][1] for i in range(N)]  # column 1 rotated: a disagreeing copy of it

ZEBRA_ATTACKS = {
    "extra house row": grid([*R, [str(N + 1), *R[0][1:]]]),
    "extra row without a house number": grid([*R, R[0]]),
    "second contradictory row for house 1": grid([R[0], [R[0][0], *R[1][1:]], *R[1:]]),
    "contradictory row last": grid([*R, [R[0][0], *R[1][1:]]]),
    "duplicate column that disagrees": grid(with_column(R, SHIFTED), [*H, H[1]]),
    "duplicate column, other case": grid(with_column(R, SHIFTED), [*H, H[1].upper()]),
    "duplicate column that agrees": grid(with_column(R, [r[1] for r in R]), [*H, H[1]]),
    "unknown extra column": grid(with_column(R, SHIFTED), [*H, "Alternative " + H[1]]),
    "row longer than the header": grid([[*R[0], R[1][1]], *R[1:]]),
    "house number out of range": grid([[str(N + 3), *R[0][1:]], *R[1:]]),
    "house number hedged": grid([["1 or 2", *R[0][1:]], *R[1:]]),
    "a cell that asks": grid([[R[0][0], R[0][1] + "?", *R[0][2:]], *R[1:]]),
    "a cell that trails off": grid([[R[0][0], R[0][1] + "...", *R[0][2:]], *R[1:]]),
    "a cell that trails off in an escape": grid([[R[0][0], R[0][1] + "\u2026", *R[0][2:]], *R[1:]]),
    "a cell that asks in full width": grid([[R[0][0], R[0][1] + "\uff1f", *R[0][2:]], *R[1:]]),
    "a cell that asks with a double mark": grid([[R[0][0], R[0][1] + " \u2047", *R[0][2:]], *R[1:]]),
    "a cell that asks through a JSON escape": grid([[R[0][0], R[0][1] + "?", *R[0][2:]], *R[1:]]).replace(
        "?", "\\u003f"
    ),
    "house mapping with a hedged key": tag(
        json.dumps(
            {f"House {r[0]}" if i else "House 1 or 2": dict(zip(H[1:], r[1:])) for i, r in enumerate(R)}
        )
    ),
    "repeated JSON key rows": tag(
        f'{{"header": {json.dumps(H)}, "rows": {json.dumps([R[1], R[0], *R[2:]])}, "rows": {json.dumps(R)}}}'
    ),
    "repeated house key in a mapping": tag(
        "{"
        + ", ".join(f'"House {r[0]}": {json.dumps(dict(zip(H[1:], r[1:])))}' for r in [*R[1:], R[0]])
        + f', "House {R[1][0]}": {json.dumps(dict(zip(H[1:], R[0][1:])))}'
        + "}"
    ),
    "repeated column in a row object": tag(
        "["
        + ", ".join(
            "{" + ", ".join(f'"{h}": {json.dumps(c)}' for h, c in zip(H, r)) + f', "{H[1]}": "nobody"' + "}"
            for r in R
        )
        + "]"
    ),
    "extra key beside header and rows": tag(json.dumps({"header": H, "rows": R, "alternative": R[::-1]})),
    "markdown with an extra row": tag(md(H, [*R, [str(N + 1), *R[0][1:]]])),
    "markdown with a contradictory row": tag(md(H, [R[0], [R[0][0], *R[1][1:]], *R[1:]])),
    "markdown with a duplicate column": tag(md([*H, H[1]], with_column(R, SHIFTED))),
    "two markdown tables": tag(md(H, R) + "\n\nor maybe\n\n" + md(H, R[::-1])),
    "markdown then a hedge": tag(md(H, R) + "\n\nNot sure about house 1."),
    "two answer blocks, wrong then right": tag(json.dumps({"header": H, "rows": R[::-1]}))
    + "\n"
    + tag(json.dumps({"header": H, "rows": R})),
    "two answer blocks, right then wrong": tag(json.dumps({"header": H, "rows": R}))
    + "\n"
    + tag(json.dumps({"header": H, "rows": R[::-1]})),
}

ZEBRA_RIGHT = {
    "json": grid(R),
    "markdown": tag(md(H, R)),
    "markdown in a fence": tag("```\n" + md(H, R) + "\n```"),
    "rows shuffled, numbered": grid([R[2], R[0], R[4], R[1], R[3]]),
    "house column as 'House 3'": grid([[f"House {r[0]}", *r[1:]] for r in R]),
    "house numbers as integers": grid([[int(r[0]), *r[1:]] for r in R]),
    "house mapping": tag(json.dumps({f"House {r[0]}": dict(zip(H[1:], r[1:])) for r in R})),
    "row objects": tag(json.dumps([dict(zip(H, r)) for r in R])),
    "the same block twice": grid(R) + "\n" + grid(R),
}


@pytest.mark.parametrize("label", sorted(ZEBRA_ATTACKS))
def test_zebra_attacks_score_zero(label):
    verdict = score(ZEBRA, ZEBRA_ATTACKS[label])
    assert verdict.reward == 0.0 and not verdict.correct, verdict.reason


@pytest.mark.parametrize("label", sorted(ZEBRA_RIGHT))
def test_zebra_right_answers_score_one(label):
    verdict = score(ZEBRA, ZEBRA_RIGHT[label])
    assert verdict.reward == 1.0 and verdict.correct, verdict.reason


def test_zebra_missing_row_still_earns_its_other_cells():
    verdict = score(ZEBRA, grid(R[:-1]))
    assert verdict.reward == pytest.approx((N - 1) / N)


# -------------------------------------------------------------------------------------- knights
KK = family("knights_knaves").sample(3, 4)  # 5 islanders
ROLES = KK.answer
NAMES = list(ROLES)
KNIGHTS = [n for n in NAMES if ROLES[n] == "knight"]
KNAVES = [n for n in NAMES if ROLES[n] == "knave"]
FLIP = {"knight": "knave", "knave": "knight"}


def listed(names):
    return ", ".join(names) if names else "none"


def sentences(roles, sep=". "):
    return sep.join(f"{n} is a {r}" for n, r in roles.items())


KK_ATTACKS = {
    "X is a knight or a knave": sentences({n: f"{r} or a {FLIP[r]}" for n, r in ROLES.items()}),
    "hedge on one islander": sentences(ROLES)
    + f". {NAMES[0]} is a {ROLES[NAMES[0]]} or a {FLIP[ROLES[NAMES[0]]]}",
    "either": sentences({n: f"either {r}" for n, r in ROLES.items()}),
    "negation": sentences(ROLES) + ". Not sure",
    "both roles for one person": sentences(ROLES) + f". {NAMES[0]} is a {FLIP[ROLES[NAMES[0]]]}",
    "grouped with a person in both groups": f"Knights: {listed([*KNIGHTS, NAMES[0]] if NAMES[0] not in KNIGHTS else KNIGHTS)}. "
    f"Knaves: {listed([*KNAVES, NAMES[0]] if NAMES[0] not in KNAVES else KNAVES)}.",
    "both as a slash": ". ".join(f"{n} is a knight/knave" for n in NAMES),
    "unknown name stuffed": sentences(ROLES) + ". Zorro is a knight",
    "json extra key": json.dumps({**ROLES, "alternative": "knave"}),
    "json repeated key": "{"
    + ", ".join(f'"{n}": "{FLIP[r]}"' for n, r in ROLES.items())
    + ", "
    + ", ".join(f'"{n}": "{r}"' for n, r in ROLES.items())
    + "}",
    "json same name in two cases": json.dumps({**ROLES, NAMES[0].lower(): FLIP[ROLES[NAMES[0]]]}),
    "json hedged value": json.dumps({n: f"{r} or {FLIP[r]}" for n, r in ROLES.items()}),
    "json grouped, a person in both": json.dumps({"knights": [*KNIGHTS, *KNAVES[:1]], "knaves": KNAVES}),
    "trailing off": sentences(ROLES) + "...",
    "json roles that trail off": json.dumps({n: r + "..." for n, r in ROLES.items()}),
}

KK_RIGHT = {
    "json": json.dumps(ROLES),
    "grouped json": json.dumps({"knights": KNIGHTS, "knaves": KNAVES}),
    "Knights: A. Knaves: B.": f"Knights: {listed(KNIGHTS)}. Knaves: {listed(KNAVES)}.",
    "knights and knaves lines": f"Knights: {listed(KNIGHTS)}\nKnaves: {listed(KNAVES)}",
    "the knights are": f"The knights are {' and '.join(KNIGHTS) or 'none'}; the knaves are {' and '.join(KNAVES) or 'none'}.",
    "sentences": sentences(ROLES) + ".",
    "sentences joined by and": sentences(ROLES, ", and "),
    "bulleted colon lines": "\n".join(f"- **{n}**: {r.title()}" for n, r in ROLES.items()),
    "numbered lines": "\n".join(f"{i}. {n} - {r}" for i, (n, r) in enumerate(ROLES.items(), 1)),
    "parenthesised": ", ".join(f"{n} ({r})" for n, r in ROLES.items()),
}


@pytest.mark.parametrize("label", sorted(KK_ATTACKS))
def test_knights_attacks_score_zero(label):
    verdict = score(KK, tag(KK_ATTACKS[label]))
    assert verdict.reward == 0.0 and not verdict.correct, verdict.reason


@pytest.mark.parametrize("label", sorted(KK_RIGHT))
def test_knights_right_answers_score_one(label):
    verdict = score(KK, tag(KK_RIGHT[label]))
    assert verdict.reward == 1.0, (verdict.reason, KK_RIGHT[label])


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("Alice is a knight, Bob is a knave.", {"Alice": "knight", "Bob": "knave"}),
        ("Knights: Alice. Knaves: Bob.", {"Alice": "knight", "Bob": "knave"}),
        ("Knights: none. Knaves: Alice, Bob.", {"Alice": "knave", "Bob": "knave"}),
        ("Alice and Bob are knaves", {"Alice": "knave", "Bob": "knave"}),
        ("Alice: knight\nBob: knave", {"Alice": "knight", "Bob": "knave"}),
        ("Alice is a knight or a knave, Bob is a knave.", None),
        ("Alice is a knight and a knave. Bob is a knave.", None),
        ("Alice is not a knave. Bob is a knave.", None),
        ("Alice is probably a knight. Bob is a knave.", None),
        ("Alice is a knight, Bob is a knave (I think).", None),
        ("Alice is a knight. Alice is a knave.", None),
        ("Knights: Alice, Bob. Knaves: Bob.", None),
        # a role said to be empty while someone holds it contradicts itself
        ("Alice is a knave, Bob is a knight. Knaves: none", None),
        ("Knights: nobody. Alice is a knight, Bob is a knave.", None),
        ("knight", None),
        ("", None),
    ],
)
def test_parse_roles_reads_whole_text(text, roles):
    assert parse_roles(text, ["Alice", "Bob"]) == roles


# ----------------------------------------------------------------------------------------- graph
GRAPH = family("graph").sample(7, 5)  # several people
WORD = GRAPH.answer
PERSON = re.search(rf"(\w+) is {WORD}\.\n\n<answer>", GRAPH.reference_response).group(1)
ELSEWHERE = next(n for n in ("Alice", "Bob", "Zed") if n != PERSON)
DISTRACTOR = GRAPH.meta["distractors"][0]

GRAPH_ATTACKS = {
    "right trait, wrong person": f"{ELSEWHERE} is {WORD}",
    "right trait, a word as the person": f"Nobody is {WORD}",
    "negated": f"{PERSON} is not {WORD}",
    "hedge": f"{WORD} or {DISTRACTOR}",
    "two facts": f"{PERSON} is {WORD}, {PERSON} is {DISTRACTOR}",
    "the trait twice with a word": f"{WORD} {WORD}",
    "trailing off": f"{WORD}...",
    "trailing off, spaced ellipsis": f"{WORD} \u2026",
    "trailing off, two dots": f"{WORD}..",
    "a named step trailing off": f"{PERSON} is {WORD}...",
}


@pytest.mark.parametrize("label", sorted(GRAPH_ATTACKS))
def test_graph_attacks_score_zero(label):
    verdict = score(GRAPH, tag(GRAPH_ATTACKS[label]))
    assert verdict.reward == 0.0, verdict.reason


@pytest.mark.parametrize("answer", [WORD, WORD.upper(), f"{PERSON} is {WORD}", f"**{PERSON} is {WORD}.**"])
def test_graph_right_answers_score_one(answer):
    assert score(GRAPH, tag(answer)).reward == 1.0


def test_graph_several_blocks():
    assert score(GRAPH, tag(DISTRACTOR) + tag(WORD)).reward == 0.0
    assert score(GRAPH, tag(WORD) + tag(DISTRACTOR)).reward == 0.0
    assert score(GRAPH, tag(WORD) + tag(f" {WORD.upper()} ")).reward == 1.0  # the same answer twice


# -------------------------------------------------------------------------------- ordering, grids
ORDER = family("ordering").sample(4, 4)
ITEMS = ORDER.answer

ORDERING_ATTACKS = {
    "hedged item": ", ".join([f"{ITEMS[0]} or {ITEMS[1]}", *ITEMS[1:]]),
    "two orders": ", ".join(ITEMS) + " (or " + ", ".join(ITEMS[::-1]) + ")",
    "a set": "{" + ", ".join(json.dumps(x) for x in ITEMS) + "}",
    "every item twice": json.dumps(ITEMS + ITEMS),
    "a wrong list then the right one": json.dumps(ITEMS[::-1]) + " or " + json.dumps(ITEMS),
    "list with a trailing denial": ", ".join(ITEMS) + ". Not this order",
    "a hedging lead-in": "Maybe: " + ", ".join(ITEMS),
    "or before the last item": ", ".join(ITEMS[:-1]) + " or " + ITEMS[-1],
    "the reverse in prose": " then ".join(ITEMS[::-1]),
    "one item again after and": ", ".join(ITEMS) + " and " + ITEMS[0],
    "a lead-in that reverses the order": "Right to left: " + ", ".join(ITEMS),
    "a reversing word": "Reversed: " + ", ".join(ITEMS),
    "backward arrows": " <- ".join(ITEMS),
    "backward arrow characters": " \u2190 ".join(ITEMS),
    "greater-than signs (a ranking)": " > ".join(ITEMS),
    "less-than signs": " < ".join(ITEMS),
    "double-headed arrows": " <-> ".join(ITEMS),
    "at most signs": " <= ".join(ITEMS),
    "trailing off": ", ".join(ITEMS) + "...",
    "an item that trails off": json.dumps([*ITEMS[:-1], ITEMS[-1] + "\u2026"]),
    "items left out": ", ".join([ITEMS[0], "...", ITEMS[-1]]),
    "a trailing question mark": ", ".join(ITEMS) + "?",
    "a trailing full-width question mark": ", ".join(ITEMS) + "\uff1f",
    "an inverted question mark": "\u00bf" + ", ".join(ITEMS),
    "a question mark spelled as a JSON escape": json.dumps([*ITEMS[:-1], ITEMS[-1] + "?"]).replace(
        "?", "\\u003f"
    ),
}

ORDERING_IN_PROSE = {
    "a lead-in": "Left to right: " + ", ".join(ITEMS),
    "and before the last item": ", ".join(ITEMS[:-1]) + " and " + ITEMS[-1],
    "oxford comma": ", ".join(ITEMS[:-1]) + ", and " + ITEMS[-1],
    "then": " then ".join(ITEMS),
    "forward arrows": " -> ".join(ITEMS),
    "long forward arrows": " --> ".join(ITEMS),
    "arrow characters": " \u2192 ".join(ITEMS),
    "double forward arrows": " => ".join(ITEMS),
    "a full stop at the end": ", ".join(ITEMS) + ".",
}


@pytest.mark.parametrize("label", sorted(ORDERING_IN_PROSE))
def test_an_order_in_prose_is_read(label):
    assert score(ORDER, tag(ORDERING_IN_PROSE[label])).reward == 1.0


@pytest.mark.parametrize("label", sorted(ORDERING_ATTACKS))
def test_ordering_attacks_score_zero(label):
    assert score(ORDER, tag(ORDERING_ATTACKS[label])).reward == 0.0


def test_ordering_several_blocks():
    right, wrong = tag(json.dumps(ITEMS)), tag(json.dumps(ITEMS[::-1]))
    assert score(ORDER, wrong + right).reward == 0.0
    assert score(ORDER, right + wrong).reward == 0.0
    assert score(ORDER, right + tag(", ".join(ITEMS)).replace(", ", ",")).reward == 0.0  # written differently
    assert score(ORDER, right + right).reward == 1.0


SUDOKU = family("sudoku").sample(2, 2)
G = SUDOKU.answer
ARC = family("arc_procedural").sample(5, 3)
A = ARC.answer


def off_by_one(g):
    return [*g[:-1], [*g[-1][:-1], g[-1][-1] % 4 + 1]]


GRID_ATTACKS = {
    "extra row": lambda g: json.dumps([*g, g[0]]),
    "extra cell": lambda g: json.dumps([[*g[0], g[0][0]], *g[1:]]),
    "grid then a hedge": lambda g: f"{json.dumps(g)} or maybe {json.dumps(off_by_one(g))}",
    "negated grid": lambda g: f"not {json.dumps(g)}",
    "grid is wrong": lambda g: f"{json.dumps(g)} is wrong",
    "lead-in that hedges": lambda g: f"Maybe the output is {json.dumps(g)}",
    "two grids": lambda g: f"{json.dumps(g)}\n{json.dumps(off_by_one(g))}",
    "rows and a stray line": lambda g: "\n".join(" ".join(map(str, r)) for r in g) + "\nor not",
    "rows left out": lambda g: json.dumps(g[:1])[:-1] + ", ...]",
}


@pytest.mark.parametrize("label", sorted(GRID_ATTACKS))
@pytest.mark.parametrize("task", [SUDOKU, ARC], ids=["sudoku", "arc_procedural"])
def test_grid_attacks_score_zero(label, task):
    verdict = score(task, tag(GRID_ATTACKS[label](task.answer)))
    assert verdict.reward == 0.0, verdict.reason


@pytest.mark.parametrize("task", [SUDOKU, ARC], ids=["sudoku", "arc_procedural"])
def test_grid_right_answers_and_several_blocks(task):
    g = task.answer
    for right in (
        json.dumps(g),
        f"The output grid is {json.dumps(g)}.",
        f"**Output:** {json.dumps(g)}",
        "\n".join(" ".join(map(str, r)) for r in g),
    ):
        assert score(task, tag(right)).reward == 1.0, right
    wrong = tag(json.dumps(off_by_one(g)))
    assert score(task, wrong + tag(json.dumps(g))).reward == 0.0
    assert score(task, tag(json.dumps(g)) + wrong).reward == 0.0


def test_final_answer_rule():
    assert final_answer("<answer>a</answer> then <answer> A </answer>") == "A"
    with pytest.raises(AnswerBlockError, match="several answers"):
        final_answer("<answer>a</answer><answer>b</answer>")
    with pytest.raises(AnswerBlockError, match="several answers"):
        final_answer("<answer>a</answer>" * 40)
    with pytest.raises(AnswerBlockError, match="no <answer>"):
        final_answer("<think><answer>a</answer></think> nothing")
    assert final_answer("<think><answer>b</answer></think><answer>a</answer>") == "a"


# ------------------------------------------------------------------------------- many seeds (slow)
def _zebra_cases(task):
    h, r = task.answer["header"], task.answer["rows"]
    n = len(r)
    shifted = [r[(i + 1) % n][1] for i in range(n)]
    wrong = {"header": h, "rows": [[row[0], *r[(i + 1) % n][1:]] for i, row in enumerate(r)]}
    attacks = [
        grid([*r, [str(n + 1), *r[0][1:]]], h),
        grid([r[0], [r[0][0], *r[1][1:]], *r[1:]], h),
        grid(with_column(r, shifted), [*h, h[1]]),
        tag(md(h, [*r, r[0]])),
        tag(json.dumps(wrong)) + tag(json.dumps(task.answer)),
    ]
    rights = [task.reference_response, tag(md(h, r)), grid(r[::-1], h)]
    return attacks, rights


def _knights_cases(task):
    roles = task.answer
    knights = [n for n, v in roles.items() if v == "knight"]
    knaves = [n for n, v in roles.items() if v == "knave"]
    attacks = [
        tag(", ".join(f"{n} is a {v} or a {FLIP[v]}" for n, v in roles.items())),
        tag(
            ", ".join(f"{n} is a {v}" for n, v in roles.items())
            + f", {knights[0] if knights else knaves[0]} is a "
            f"{'knave' if knights else 'knight'}"
        ),
    ]
    rights = [task.reference_response, tag(f"Knights: {listed(knights)}. Knaves: {listed(knaves)}.")]
    return attacks, rights


def _graph_cases(task):
    word = task.answer
    person = re.search(rf"(\w+) is {word}\.\n\n<answer>", task.reference_response).group(1)
    other = next(n for n in ("Alice", "Bob") if n != person)
    distractor = task.meta["distractors"][0] if task.meta["distractors"] else word + "x"
    attacks = [tag(f"{other} is {word}"), tag(f"{word} or {distractor}"), tag(distractor) + tag(word)]
    return attacks, [task.reference_response, tag(f"{person} is {word}")]


def _ordering_cases(task):
    items = task.answer
    attacks = [
        tag("{" + ", ".join(json.dumps(x) for x in items) + "}") if len(set(items)) > 1 else tag("[]"),
        tag(json.dumps(items[::-1])) + tag(json.dumps(items)),
        tag(", ".join(items) + " or " + ", ".join(items[::-1])),
    ]
    return attacks, [task.reference_response, tag(", ".join(items))]


def _grid_cases(task):
    g = task.answer
    other = [[(v + 1) % 10 for v in row] for row in g]
    attacks = [
        tag(json.dumps([*g, g[0]])),
        tag(f"{json.dumps(g)} or {json.dumps(other)}"),
        tag(f"not {json.dumps(g)}"),
        tag(json.dumps(other)) + tag(json.dumps(g)),
    ]
    return attacks, [task.reference_response, tag(f"The output grid is {json.dumps(g)}.")]


CASE_BUILDERS = {
    "zebra": _zebra_cases,
    "knights_knaves": _knights_cases,
    "graph": _graph_cases,
    "ordering": _ordering_cases,
    "sudoku": _grid_cases,
    "arc_procedural": _grid_cases,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASE_BUILDERS))
def test_one_claim_over_many_seeds(name):
    fam = family(name)
    attacks_run = 0
    for seed in range(300):
        task = fam.sample(seed, 1 + seed % fam.levels)
        attacks, rights = CASE_BUILDERS[name](task)
        for attack in attacks:
            verdict = fam.score(task, attack)
            assert verdict.reward == 0.0, (seed, attack, verdict.reason)
        for right in rights:
            verdict = fam.score(task, right)
            assert verdict.reward == 1.0, (seed, right, verdict.reason)
        attacks_run += len(attacks)
    assert attacks_run >= 600


def test_hostile_cells_stay_fast():
    import time

    spaced = [["House" + " " * 16_000 + "x", *R[0][1:]], *R[1:]]
    long_text = ", ".join([NAMES[0]] * 3_000) + " are knights"
    cases = [
        (ZEBRA, grid(spaced)),  # a house cell of 16,000 spaces: 7 s before its fix
        (ZEBRA, tag("| a |\n" * 25_000)),  # 25,000 one-cell table rows: 1.6 s before its fix
        (ZEBRA, tag("|" * 150_000)),
        (SUDOKU, tag("is a " * 30_000)),
        (KK, tag(long_text)),
        (KK, tag("and, " * 4_000)),
    ]
    for task, response in cases:
        start = time.perf_counter()
        assert score(task, response).reward == 0.0
        assert time.perf_counter() - start < 1.0


# ------------------------------------------------------------- prose after the final <answer> tag
# Round-2 red team (C): a hedge after a right <answer> was paid. A clause after the last tag that carries a
# cue of doubt or of another option and names a value word of the answer (a name, a role, an item, a
# number or ordinal) offers a second answer; an argument for the answer does not.
KK_TAG = "<answer>" + json.dumps(ROLES) + "</answer>"
NAME = NAMES[0]
HEDGES_AFTER = {
    "might be a role too": f"{NAME} might be a {FLIP[ROLES[NAME]]} too.",
    "alternatively": f"Alternatively {NAME} is a {FLIP[ROLES[NAME]]}.",
    "not certain, may": f"I am not certain about {NAME}; they may be a {FLIP[ROLES[NAME]]}.",
    "may as well": f"{NAME} may be a {FLIP[ROLES[NAME]]} as well.",
}
ARGUMENTS_AFTER = {
    "must, because": f"{NAME} must be a {ROLES[NAME]} because the statements agree only then.",
    "a counterfactual": f"{NAME} is a {ROLES[NAME]}: if {NAME} were a {FLIP[ROLES[NAME]]}, the claim would be true.",
    "could not": f"{NAME} could not be a {FLIP[ROLES[NAME]]}, since that contradicts the second statement.",
    "otherwise": f"Otherwise {NAME} would be a {FLIP[ROLES[NAME]]}, a contradiction.",
    "a summary": "So the knights and knaves are as given.",
    "a hedge on no value": "This could be checked by hand.",
    "a count": "Each statement could involve 2 islanders at once.",
}


@pytest.mark.parametrize("label", sorted(HEDGES_AFTER))
def test_a_hedge_after_the_answer_tag_is_refused(label):
    response = "Reasoning.\n" + KK_TAG + "\n\n" + HEDGES_AFTER[label]
    assert score(KK, response).reward == 0.0
    with pytest.raises(AnswerBlockError, match="not one claim"):
        final_answer(response)


@pytest.mark.parametrize("label", sorted(ARGUMENTS_AFTER))
def test_an_argument_after_the_answer_tag_is_paid(label):
    assert score(KK, "Reasoning.\n" + KK_TAG + "\n\n" + ARGUMENTS_AFTER[label]).reward == 1.0


def test_an_ordering_hedge_after_the_answer_tag_is_refused():
    order_tag = "<answer>" + json.dumps(ITEMS) + "</answer>"
    assert score(ORDER, order_tag).reward == 1.0
    assert score(ORDER, order_tag + f"\n\nThe {ITEMS[4]} could be 5th or 6th.").reward == 0.0
    assert (
        score(ORDER, order_tag + f"\n\nSwapping {ITEMS[4]} and {ITEMS[5]} also seems consistent.").reward
        == 0.0
    )
    assert score(ORDER, order_tag + f"\n\nThe {ITEMS[0]} is first and the {ITEMS[-1]} last.").reward == 1.0
    # prose before the tag is reasoning, free
    assert score(ORDER, f"The {ITEMS[4]} could be 5th or 6th; checking.\n" + order_tag).reward == 1.0

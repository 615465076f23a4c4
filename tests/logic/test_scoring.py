"""Verifier tables: tolerant about how an answer is written, strict about what it says."""

import json
import re

import pytest

from guru_envs.core.registry import catalog
from guru_envs.core.scoring import score
from guru_envs.logic.zebra import ZebraFamily


def family(name, **options):
    return catalog().family("logic", name, **options)


def tag(text):
    return f"Some reasoning first.\n<answer>{text}</answer>"


# ----------------------------------------------------------------------------------------- zebra
ZEBRA = family("zebra").sample(3, 3)  # 3 houses x 3 attributes
H, R = ZEBRA.answer["header"], ZEBRA.answer["rows"]
CELLS = 3 * (len(H) - 1)  # the house column is not scored


def md(header, rows):
    return (
        "| "
        + " | ".join(header)
        + " |\n|"
        + "---|" * len(header)
        + "\n"
        + "\n".join("| " + " | ".join(r) + " |" for r in rows)
    )


def swap(rows, col, i=0, j=1):
    out = [list(r) for r in rows]
    out[i][col], out[j][col] = out[j][col], out[i][col]
    return out


ZEBRA_CASES = [
    ("json", tag(json.dumps({"header": H, "rows": R})), 1.0),
    ("python literal", tag(repr({"header": H, "rows": R})), 1.0),
    ("markdown", tag(md(H, R)), 1.0),
    (
        "markdown, bold header, other case",
        tag(md([f"**{h.upper()}**" for h in H], [[c.upper() for c in r] for r in R])),
        1.0,
    ),
    ("fenced json", tag("```json\n" + json.dumps({"header": H, "rows": R}) + "\n```"), 1.0),
    ("rows shuffled, numbered", tag(json.dumps({"header": H, "rows": [R[2], R[0], R[1]]})), 1.0),
    (
        "columns reordered",
        tag(json.dumps({"header": [H[0], H[3], H[1], H[2]], "rows": [[r[0], r[3], r[1], r[2]] for r in R]})),
        1.0,
    ),
    ("position named Position", tag(json.dumps({"header": ["Position", *H[1:]], "rows": R})), 1.0),
    ("list of row objects", tag(json.dumps([dict(zip(H, r)) for r in R])), 1.0),
    ("house mapping", tag(json.dumps({f"House {r[0]}": dict(zip(H[1:], r[1:])) for r in R})), 1.0),
    ("bare rows", tag(json.dumps(R)), 1.0),
    ("bare rows without house numbers", tag(json.dumps([r[1:] for r in R])), 1.0),
    ("list whose first row is the header", tag(json.dumps([H, *R])), 1.0),
    ("integer house numbers", tag(json.dumps({"header": H, "rows": [[int(r[0]), *r[1:]] for r in R]})), 1.0),
    ("one pair swapped", tag(json.dumps({"header": H, "rows": swap(R, 2)})), (CELLS - 2) / CELLS),
    (
        "two columns swapped pairs",
        tag(json.dumps({"header": H, "rows": swap(swap(R, 1), 2, 1, 2)})),
        (CELLS - 4) / CELLS,
    ),
    ("missing row", tag(json.dumps({"header": H, "rows": R[:2]})), (CELLS - 3) / CELLS),
    (
        "hedged cell",
        tag(json.dumps({"header": H, "rows": [[R[0][0], [R[0][1], R[1][1]], *R[0][2:]], R[1], R[2]]})),
        (CELLS - 1) / CELLS,
    ),
    ("a house given two rows", tag(json.dumps({"header": H, "rows": [R[0], R[0], R[1], R[2]]})), 0.0),
    ("unknown columns, wrong width", tag(json.dumps({"header": ["a", "b"], "rows": [["x", "y"]] * 3})), 0.0),
    ("prose instead of a table", tag("house 1 has everything"), 0.0),
    ("no answer tags", json.dumps({"header": H, "rows": R}), 0.0),
    (
        "answer only inside think",
        "<think>" + tag(json.dumps({"header": H, "rows": R})) + "</think> done",
        0.0,
    ),
]


@pytest.mark.parametrize(("label", "response", "reward"), ZEBRA_CASES, ids=[c[0] for c in ZEBRA_CASES])
def test_zebra_answers(label, response, reward):
    verdict = score(ZEBRA, response)
    assert verdict.reward == pytest.approx(reward), verdict.reason
    assert verdict.correct == (reward == 1.0)


def test_zebra_exact_match_option():
    exact = ZebraFamily(exact_match=True)
    partial = tag(json.dumps({"header": H, "rows": swap(R, 2)}))
    assert exact.score(ZEBRA, partial).reward == 0.0
    assert exact.score(ZEBRA, partial).details["cell_accuracy"] == pytest.approx((CELLS - 2) / CELLS)
    assert exact.score(ZEBRA, ZEBRA.reference_response).reward == 1.0
    with pytest.raises(TypeError):
        ZebraFamily(exact_match="yes")


def test_zebra_exact_match_through_env():
    import gymnasium as gym

    env = gym.make("guru/Logic.zebra-v0", difficulty=3, family_options={"zebra": {"exact_match": True}})
    env.reset(seed=1)
    task = env.unwrapped.task
    rows = swap(task.answer["rows"], 1)
    _, reward, *_ = env.step(tag(json.dumps({"header": task.answer["header"], "rows": rows})))
    assert reward == 0.0
    env.reset(seed=1)
    _, reward, *_ = env.step(task.reference_response)
    assert reward == 1.0


# -------------------------------------------------------------------------------------- ordering
ORDER = family("ordering").sample(5, 3)  # 5 items
A = ORDER.answer

ORDERING_CASES = [
    ("json", tag(json.dumps(A)), True),
    ("python literal", tag(repr(A)), True),
    ("tuple literal", tag(repr(tuple(A))), True),
    ("comma separated", tag(", ".join(A)), True),
    ("bracketed bare words", tag("[" + ", ".join(A) + "]"), True),
    ("numbered lines", tag("\n".join(f"{i}. {x}" for i, x in enumerate(A, 1))), True),
    ("arrows", tag(" -> ".join(A)), True),
    ("upper case and articles", tag(json.dumps([f"The {x.upper()}" for x in A])), True),
    ("swapped pair", tag(json.dumps([A[1], A[0], *A[2:]])), False),
    ("reversed", tag(json.dumps(A[::-1])), False),
    ("one missing", tag(json.dumps(A[:-1])), False),
    ("one extra", tag(json.dumps([*A, A[0]])), False),
    ("hedge: every item twice", tag(json.dumps(A + A)), False),
    ("nested list", tag(json.dumps([A])), False),
    ("a dict", tag(json.dumps({"order": A})), False),
    ("space separated only", tag(" ".join(A)), False),
    ("unknown item", tag(json.dumps([*A[:-1], "unicorn"])), False),
]


@pytest.mark.parametrize(("label", "response", "right"), ORDERING_CASES, ids=[c[0] for c in ORDERING_CASES])
def test_ordering_answers(label, response, right):
    verdict = score(ORDER, response)
    assert verdict.correct is right and verdict.reward == (1.0 if right else 0.0), verdict.reason


# ----------------------------------------------------------------------------------------- graph
GRAPH = family("graph").sample(2, 4)
W = GRAPH.answer
OTHER = GRAPH.meta["distractors"][0]
SUBJECT = re.search(rf"(\w+) is {W}\.\n\n<answer>", GRAPH.reference_response).group(1)
OTHER_PERSON = next(name for name in ("Alice", "Zed") if name != SUBJECT)

GRAPH_CASES = [
    ("plain", tag(W), True),
    ("upper case", tag(W.upper()), True),
    ("padded", tag(f"  {W}  \n"), True),
    ("bold", tag(f"**{W}**"), True),
    ("quoted with period", tag(f'"{W}".'), True),
    ("as a fact", tag(f"{SUBJECT} is {W}"), True),
    ("as a fact about another person", tag(f"{OTHER_PERSON} is {W}"), False),
    ("distractor", tag(OTHER), False),
    ("two words", tag(f"{W} or {OTHER}"), False),
    ("list of words", tag(json.dumps([W, OTHER])), False),
    ("prefix of the word", tag(W[:-1]), False),
    ("word plus letter", tag(W + "s"), False),
    ("empty", tag(""), False),
    ("sentence", tag(f"the next step is {W}"), False),
]


@pytest.mark.parametrize(("label", "response", "right"), GRAPH_CASES, ids=[c[0] for c in GRAPH_CASES])
def test_graph_answers(label, response, right):
    verdict = score(GRAPH, response)
    assert verdict.correct is right, verdict.reason


# ------------------------------------------------------------------------------------- knights
KK = family("knights_knaves").sample(4, 3)
ROLES = KK.answer
FLIP = {"knight": "knave", "knave": "knight"}

KNIGHTS_CASES = [
    ("json", tag(json.dumps(ROLES)), True),
    ("python literal", tag(repr(ROLES)), True),
    (
        "lower-case names, capital roles",
        tag(json.dumps({k.lower(): v.upper() for k, v in ROLES.items()})),
        True,
    ),
    ("sentences", tag(". ".join(f"{k} is a {v}" for k, v in ROLES.items())), True),
    ("colon lines", tag("\n".join(f"{k}: {v}" for k, v in ROLES.items())), True),
    (
        "grouped",
        tag(
            json.dumps(
                {
                    "knights": [k for k, v in ROLES.items() if v == "knight"],
                    "knaves": [k for k, v in ROLES.items() if v == "knave"],
                }
            )
        ),
        True,
    ),
    ("one flipped", tag(json.dumps({**ROLES, next(iter(ROLES)): FLIP[next(iter(ROLES.values()))]})), False),
    ("one missing", tag(json.dumps(dict(list(ROLES.items())[1:]))), False),
    ("contradictory hedge", tag(". ".join(f"{k} is a knight. {k} is a knave" for k in ROLES)), False),
    ("booleans", tag(json.dumps({k: v == "knight" for k, v in ROLES.items()})), False),
    ("everyone a knight", tag(json.dumps(dict.fromkeys(ROLES, "knight"))), None),
]


@pytest.mark.parametrize(("label", "response", "right"), KNIGHTS_CASES, ids=[c[0] for c in KNIGHTS_CASES])
def test_knights_answers(label, response, right):
    if right is None:
        right = all(v == "knight" for v in ROLES.values())
    assert score(KK, response).correct is right


# ------------------------------------------------------------------------------------------ grids
SUDOKU = family("sudoku").sample(1, 1)
G = SUDOKU.answer


def lines(grid, sep=" "):
    return "\n".join(sep.join(map(str, r)) for r in grid)


GRID_CASES = [
    ("json", tag(json.dumps(G)), True),
    ("tuple literal", tag(repr(tuple(tuple(r) for r in G))), True),
    ("space separated lines", tag(lines(G)), True),
    ("digit strings per line", tag(lines(G, "")), True),
    ("digit strings in a list", tag(json.dumps(["".join(map(str, r)) for r in G])), True),
    ("pipes", tag(lines(G, " | ")), True),
    ("literal inside prose", tag(f"The grid is {json.dumps(G)}."), True),
    ("fenced", tag("```\n" + json.dumps(G) + "\n```"), True),
    ("integral floats", tag(json.dumps([[float(v) for v in r] for r in G])), True),
    ("two grids in prose", tag(f"{json.dumps(G)} or maybe {json.dumps(G[::-1])}"), False),
    ("one cell off", tag(json.dumps([*G[:-1], [*G[-1][:-1], G[-1][-1] % 4 + 1]])), False),
    ("ragged", tag(json.dumps([*G[:-1], G[-1][:-1]])), False),
    ("extra row", tag(json.dumps([*G, G[0]])), False),
    ("transposed", tag(json.dumps([list(c) for c in zip(*G)])), [list(c) for c in zip(*G)] == G),
    ("booleans", tag(json.dumps([[bool(v % 2) for v in r] for r in G])), False),
    ("letters", tag(lines([["a"] * len(r) for r in G])), False),
]


@pytest.mark.parametrize(("label", "response", "right"), GRID_CASES, ids=[c[0] for c in GRID_CASES])
def test_grid_answers(label, response, right):
    assert score(SUDOKU, response).correct is right
    arc = family("arc_procedural").sample(0, 1)
    assert family("arc_procedural").score(arc, tag(json.dumps(arc.answer))).correct


def test_partial_credit_is_explicit_only_for_zebra():
    """Every family but zebra pays 0 for near misses: partial credit is opt-in, documented and tested."""
    for name in ("ordering", "graph", "knights_knaves", "sudoku", "arc_procedural", "arc_agi"):
        fam = family(name)
        task = fam.sample(0, 1)
        for wrong in fam.wrong_responses(task):
            assert fam.score(task, wrong).reward == 0.0, (name, wrong)

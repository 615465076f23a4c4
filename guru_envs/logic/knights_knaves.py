"""Knights and knaves: knights always tell the truth, knaves always lie; the model finds out who is which.

Description:
    N islanders each make a statement about the others (or themselves): plain claims, "and", "or",
    "if ... then", "same kind", "exactly k of us are knights". Statements are drawn to be consistent with
    a hidden assignment and redrawn until that assignment is the only consistent one, checked by
    enumerating all 2^N assignments (N <= 8).

Prompt:
    The island's rules, each islander's statement, and the answer format.

Answer format:
    Inside ``<answer>...</answer>``: a JSON object ``{"Alice": "knight", "Bob": "knave"}``, an object
    ``{"knights": [...], "knaves": [...]}``, or text made only of role statements, such as ``Alice is a
    knight, Bob is a knave``, ``Knights: Alice. Knaves: Bob.``, ``(Alice, knight), (Bob, knave)`` or
    ``Alice: knight`` lines (:func:`parse_text_roles`), or a list of ``[name, role]`` pairs.

Scoring:
    Exact: 1 when every islander is classified right, else 0. The answer must be one assignment: a
    hedge or any other word outside a role statement (``Alice is a knight or a knave``), a name given
    both roles, a name that is not an islander, a repeated JSON key, or several different ``<answer>``
    blocks scores 0.

Difficulty:
    1: two islanders, simple claims ... 7: eight islanders with compound and counting statements.
    See :data:`LEVELS`.

Version History:
    v0: initial release.
    v0 (unreleased): text answers are read as a whole (a hedge such as "Alice is a knight or a knave" scores 0
        instead of being read as its first half; "Knights: A. Knaves: B." is accepted); unknown names,
        repeated keys and several different answer blocks score 0 (issue 17).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import FIRST_NAMES, AnswerBlockError, capitalize, final_answer, generate_unique
from guru_envs.verify.json_answer import RepeatedKeyError, parse_literal
from guru_envs.verify.score import Score
from guru_envs.verify.structured import AnswerParseError

Statement = tuple[Any, ...]
# ("is", i, knight?) | ("and"|"or"|"implies", s1, s2) | ("same"|"differ", i, j) | ("count", k) | ("not", s)


@dataclass(frozen=True)
class KnightsConfig:
    """Knobs of one difficulty level.

    Attributes:
        people: number of islanders.
        kinds: statement kinds that may be drawn.
    """

    people: int
    kinds: tuple[str, ...]


LEVELS: dict[int, KnightsConfig] = {
    1: KnightsConfig(2, ("is", "and", "or", "same", "differ")),
    2: KnightsConfig(3, ("is", "and", "or")),
    3: KnightsConfig(4, ("is", "and", "or", "not", "same", "differ")),
    4: KnightsConfig(5, ("is", "and", "or", "not", "same", "differ", "implies")),
    5: KnightsConfig(6, ("and", "or", "not", "same", "differ", "implies", "count")),
    6: KnightsConfig(7, ("and", "or", "same", "differ", "implies", "count")),
    7: KnightsConfig(8, ("and", "or", "same", "differ", "implies", "count")),
}

ATTEMPTS = 20
REDRAWS = 200
MAX_TEXT = 20_000


def holds(s: Statement, world: tuple[bool, ...]) -> bool:
    """Truth of statement ``s`` when ``world[i]`` says whether islander i is a knight."""
    op = s[0]
    if op == "is":
        return world[s[1]] == s[2]
    if op == "and":
        return holds(s[1], world) and holds(s[2], world)
    if op == "or":
        return holds(s[1], world) or holds(s[2], world)
    if op == "implies":
        return not holds(s[1], world) or holds(s[2], world)
    if op == "not":
        return not holds(s[1], world)
    if op == "same":
        return world[s[1]] == world[s[2]]
    if op == "differ":
        return world[s[1]] != world[s[2]]
    if op == "count":
        return sum(world) == s[1]
    raise ValueError(f"unknown statement {op!r}")


def consistent_worlds(statements: list[Statement], n: int, limit: int = 2) -> list[tuple[bool, ...]]:
    """Assignments where every speaker's statement is true exactly when the speaker is a knight."""
    found = []
    for world in itertools.product((True, False), repeat=n):
        if all(holds(s, world) == world[i] for i, s in enumerate(statements)):
            found.append(world)
            if len(found) >= limit:
                break
    return found


def _random_statement(rng: random.Random, speaker: int, n: int, kinds: tuple[str, ...]) -> Statement:
    others = [i for i in range(n) if i != speaker]

    def atom(pool: list[int]) -> Statement:
        return ("is", rng.choice(pool), rng.random() < 0.5)

    kind = rng.choice(kinds)
    if kind == "is":
        return atom(others)
    if kind in ("and", "or", "implies"):
        a, b = rng.sample(range(n), 2)
        return (kind, ("is", a, rng.random() < 0.5), ("is", b, rng.random() < 0.5))
    if kind == "not":
        if len(others) > 1 and rng.random() < 0.5:
            a, b = rng.sample(others, 2)
            return ("not", ("and", ("is", a, rng.random() < 0.5), ("is", b, rng.random() < 0.5)))
        return ("not", atom(others))
    if kind in ("same", "differ"):
        a, b = rng.sample(range(n), 2)
        return (kind, a, b)
    return ("count", rng.randint(0, n))


class KnightsKnavesFamily(TaskFamily):
    """Knights-and-knaves puzzles with exactly one consistent assignment."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "knights_knaves"
    levels: ClassVar[int] = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one puzzle; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"knights_knaves level {difficulty}"
        )

    def _attempt(self, rng: random.Random, cfg: KnightsConfig) -> Problem | None:
        n = cfg.people
        truth = tuple(rng.random() < 0.5 for _ in range(n))

        def draw(i: int) -> Statement:
            for _ in range(100):
                s = _random_statement(rng, i, n, cfg.kinds)
                if holds(s, truth) == truth[i]:
                    return s
            raise AssertionError("no statement fits the hidden assignment")  # pragma: no cover

        statements = [draw(i) for i in range(n)]
        count = len(consistent_worlds(statements, n, limit=2**n))
        for _ in range(REDRAWS):
            if count == 1:
                break
            i = rng.randrange(n)
            old = statements[i]
            statements[i] = draw(i)
            new_count = len(consistent_worlds(statements, n, limit=2**n))
            if new_count > count:
                statements[i] = old
            else:
                count = new_count
        worlds = consistent_worlds(statements, n, limit=2)
        if len(worlds) != 1 or worlds[0] != truth:
            return None

        names = rng.sample(FIRST_NAMES, n)
        said = [
            f'{names[i]} says: "{capitalize(self._render(s, i, names))}."' for i, s in enumerate(statements)
        ]
        answer = {names[i]: "knight" if truth[i] else "knave" for i in range(n)}
        prompt = (
            "On an island every inhabitant is either a knight, who always tells the truth, or a knave, who "
            f"always lies. You meet {n} inhabitants: {', '.join(names)}.\n\n"
            + "\n".join(said)
            + '\n\n("or" means at least one of the two; "if A then B" is false only when A is true and B false.)\n'
            'Who is a knight and who is a knave? Give a JSON object mapping every name to "knight" or "knave" '
            'inside <answer> and </answer> tags, for example <answer>{"Zed": "knight", "Yan": "knave"}</answer>.'
        )
        reference = (
            f"Only one assignment makes every statement consistent.\n\n<answer>{json.dumps(answer)}</answer>"
        )
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta={"people": n})

    def _render(self, s: Statement, speaker: int, names: list[str]) -> str:
        def who(i: int) -> str:
            return "I" if i == speaker else names[i]

        op = s[0]
        if op == "is":
            subject = who(s[1])
            verb = "am" if subject == "I" else "is"
            return f"{subject} {verb} a {'knight' if s[2] else 'knave'}"
        if op in ("and", "or"):
            return f"{self._render(s[1], speaker, names)} {op} {self._render(s[2], speaker, names)}"
        if op == "implies":
            return f"if {self._render(s[1], speaker, names)}, then {self._render(s[2], speaker, names)}"
        if op == "not":
            inner = s[1]
            if inner[0] == "and":
                both = (
                    f"{self._render(inner[1], speaker, names)} and {self._render(inner[2], speaker, names)}"
                )
                return f"it is not true that both {both}"
            return f"it is not true that {self._render(inner, speaker, names)}"
        if op in ("same", "differ"):
            a, b = who(s[1]), who(s[2])
            if a == "I":
                a, b = b, a  # "Bob and I", not "I and Bob"
            kind = "the same kind" if op == "same" else "different kinds"
            return f"{a} and {b} are {kind}"
        k = s[1]
        return f"exactly {k} of us {'is a knight' if k == 1 else 'are knights'}"

    # ------------------------------------------------------------------------------------- scoring
    def score(self, task: Task, response: str) -> Score:
        """All islanders right: 1, else 0 (see the module docstring)."""
        try:
            raw = final_answer(response, read=lambda text: parse_roles(text, list(task.answer)))
        except AnswerBlockError as exc:
            return Score.wrong(None, str(exc), feedback="Give the roles inside one <answer></answer> block.")
        extracted = raw[:2000]
        got = parse_roles(raw, list(task.answer))
        if got is None:
            return Score.wrong(
                extracted, "the answer is not one assignment of knight or knave to the islanders"
            )
        right = sum(got.get(name) == role for name, role in task.answer.items())
        if right == len(task.answer):
            return Score.right(extracted, "every islander is classified right")
        return Score.wrong(extracted, f"{right} of {len(task.answer)} islanders right", right=right)

    def wrong_responses(self, task: Task) -> list[str]:
        """One islander flipped, everyone flipped, one missing, a knights/knaves object with a flip."""
        names = list(task.answer)
        flip = {"knight": "knave", "knave": "knight"}
        one = dict(task.answer)
        one[names[-1]] = flip[one[names[-1]]]
        everyone = {k: flip[v] for k, v in task.answer.items()}
        missing = {k: v for k, v in task.answer.items() if k != names[0]}
        grouped = {
            "knights": [k for k, v in one.items() if v == "knight"],
            "knaves": [k for k, v in one.items() if v == "knave"],
        }
        text = ", ".join(f"{k} is a {v}" for k, v in everyone.items())
        return [
            f"<answer>{json.dumps(one)}</answer>",
            f"<answer>{text}</answer>",
            f"<answer>{json.dumps(missing)}</answer>",
            f"<answer>{json.dumps(grouped)}</answer>",
        ]


ROLES = {"knight": "knight", "knights": "knight", "knave": "knave", "knaves": "knave"}
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\S", re.UNICODE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,3}[.)])\s+")
_MARKUP = re.compile(r"[*_`]+")
_SEPARATORS = frozenset({",", ".", ";", "\n", "and", "&", "|"})
_LINKS = frozenset({":", "=", "-", "–", "—", "(", "is", "are"})
_ARTICLES = frozenset({"a", "an", "the"})
_NOBODY = ("none", "nobody", "noone", "no-one")


class _Roles:
    """A recursive-descent reader of role statements; every token must belong to one (see :func:`parse_text_roles`)."""

    def __init__(self, tokens: list[str], canon: dict[str, str]) -> None:
        self.tokens, self.canon, self.i = tokens, canon, 0
        self.pairs: list[tuple[str, str]] = []
        self.nobody: set[str] = set()  # roles declared empty ("Knaves: none")

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, allowed: frozenset[str] | set[str] | tuple[str, ...]) -> str | None:
        tok = self.peek()
        if tok is not None and tok in allowed:
            self.i += 1
            return tok
        return None

    def name(self) -> str | None:
        tok = self.peek()
        if tok is not None and tok in self.canon:
            self.i += 1
            return self.canon[tok]
        return None

    def names(self) -> list[str] | None:
        """NAME (("," | "and" | "&") NAME)*: a list continues only while a name follows the joiner."""
        first = self.name()
        if first is None:
            return None
        out = [first]
        while True:
            if self.peek() in (",", "and", "&") and self.peek(1) in self.canon:
                self.i += 1
            elif self.peek() == "," and self.peek(1) == "and" and self.peek(2) in self.canon:
                self.i += 2
            else:
                return out
            out.append(self.name())  # type: ignore[arg-type]  # checked by the peek above

    def role(self) -> str | None:
        self.take(_ARTICLES)
        tok = self.take(ROLES.keys())  # type: ignore[arg-type]
        return ROLES[tok] if tok else None

    def pair(self) -> bool:
        """``(Alice, knight)``: one islander and one role in parentheses, as a tuple is written.

        Why: a list of such pairs (``(Zoey, knave), (Riley, knight)``, in any order) is a common way to
        write an assignment, and reasoning-gym's own tests pay it; it states each role once, like
        ``Alice: knight``.
        """
        start = self.i
        if self.take(("(",)) and (who := self.name()) is not None and self.take((",", ":")):
            role = self.role()
            if role is not None and self.take((")",)):
                self.pairs.append((who, role))
                return True
        self.i = start
        return False

    def statement(self) -> bool:
        if self.peek() == "(":
            return self.pair()
        start = self.i
        # names first: "Alice is a knight", "Alice and Bob are knights", "Alice: knight", "Alice (knight)"
        who = self.names()
        if who is not None:
            link = self.take(_LINKS)
            role = self.role() if link else None
            if role is not None and (link != "(" or self.take((")",))):
                self.pairs.extend((w, role) for w in who)
                return True
            self.i = start
            return False
        # role first: "Knights: Alice, Bob", "The knaves are Carol and Dan", "Knaves: none"
        self.take(("the",))
        tok = self.take(ROLES.keys())  # type: ignore[arg-type]
        if tok is None or self.take(_LINKS - {"("}) is None:
            self.i = start
            return False
        if self.take(_NOBODY) or (self.take(("no",)) and self.take(("one",))):
            self.nobody.add(ROLES[tok])
            return True
        members = self.names()
        if members is None:
            self.i = start
            return False
        self.pairs.extend((m, ROLES[tok]) for m in members)
        return True

    def read(self) -> list[tuple[str, str]] | None:
        while self.take(_SEPARATORS):
            pass
        while self.i < len(self.tokens):
            if not self.statement():
                return None
            if self.i < len(self.tokens) and not self.take(_SEPARATORS):
                return None
            while self.take(_SEPARATORS):
                pass
        if any(role in self.nobody for _, role in self.pairs):
            return None  # "Zara is a knave ... Knaves: none" contradicts itself
        return self.pairs


def parse_text_roles(text: str, names: list[str]) -> list[tuple[str, str]] | None:
    """``(name, role)`` pairs of a plain-text answer, or None when any part of it is not a role statement.

    The whole text must be statements such as ``Alice is a knight``, ``Alice and Bob are knaves``,
    ``Alice: knight``, ``Alice (knave)``, ``(Alice, knight)``, ``Knights: Alice, Bob``, ``The knaves are
    Carol and Dan`` or ``Knaves: none``, separated by commas, periods, semicolons, line breaks or "and" (bullets and
    markdown emphasis are ignored). A word left over ("or", "not", "maybe", an unknown name) means the
    text is not one assignment, so ``Alice is a knight or a knave`` gives None, not a reading of its
    first half.
    """
    canon = {n.lower(): n for n in names}
    lines = [_BULLET.sub("", line) for line in _MARKUP.sub("", text).splitlines()]
    tokens: list[str] = []
    for line in lines:
        tokens.extend(t.lower() for t in _TOKEN.findall(line))
        tokens.append("\n")
    return _Roles(tokens, canon).read()


def _role(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return ROLES.get(value.strip().rstrip(".").strip().lower())


def _is_pair(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def parse_roles(raw: str, names: list[str]) -> dict[str, str] | None:
    """``{name: "knight"|"knave"}`` read from the answer; None when it is not one assignment.

    JSON objects must name only islanders (``{"Alice": "knight"}``) or be grouped
    (``{"knights": [...], "knaves": [...]}``); a key repeated, an unknown name, a value that is not a
    role, or one islander given both roles makes the answer not one assignment. Text is read by
    :func:`parse_text_roles`. Islanders left out are simply missing from the result.
    """
    if len(raw) > MAX_TEXT:
        return None
    canon = {n.lower(): n for n in names}
    try:
        value = parse_literal(raw)
    except RepeatedKeyError:
        return None
    except AnswerParseError:
        value = None
    pairs: list[tuple[str, str | None]]
    if isinstance(value, dict):
        lowered: dict[str, Any] = {}
        for key, v in value.items():
            k = str(key).strip().lower()
            if k in lowered:
                return None  # "Alice" and "alice": one islander given twice
            lowered[k] = v
        if lowered and set(lowered) <= set(ROLES):
            pairs = []
            for key, members in lowered.items():
                if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                    return None
                pairs.extend((m, ROLES[key]) for m in members)
        else:
            pairs = [(k, _role(v)) for k, v in lowered.items()]
    elif value is None or isinstance(value, str):
        text_pairs = parse_text_roles(raw if value is None else value, names)
        if text_pairs is None:
            return None
        pairs = list(text_pairs)
    elif isinstance(value, list | tuple) and value and all(_is_pair(v) for v in value):
        # [("Alice", "knight"), ("Bob", "knave")]: a list of (name, role) pairs is one assignment too
        pairs = [(v[0], _role(v[1])) for v in value]
    else:
        return None
    roles: dict[str, str] = {}
    for name, role in pairs:
        key = canon.get(name.strip().lower())
        if key is None or role is None:
            return None  # not an islander of this puzzle, or not a role
        if roles.get(key, role) != role:
            return None  # contradictory ("Bob is a knight ... Bob is a knave")
        roles[key] = role
    return roles or None

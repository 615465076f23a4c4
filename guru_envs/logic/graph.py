"""Graph reasoning over rules with made-up words: the next step of the shortest proof (GURU style).

Description:
    A hidden directed graph whose vertices are facts ``<name> is <made-up trait>`` and whose edges are
    rules ("If Alice is brauzim, then Bob is tepolk"). From a start fact, the model must find the first
    step of the shortest chain of rules that proves a goal fact. Several branches leave the start and
    only one leads to the goal by a shortest chain, so the model has to look ahead; the generator
    proves (by breadth-first search) that exactly one first step lies on a shortest proof.

Prompt:
    The rules in random order, the start fact, the goal fact, and the answer format.

Answer format:
    The trait word of the next step inside ``<answer>...</answer>``, e.g. ``<answer>tepolk</answer>``.
    The whole fact, ``Bob is tepolk``, is read too.

Scoring:
    Exact word, case-insensitive; 1 or 0. When the answer names the person too, the whole step must be
    right: the person must be the one the prompt's facts pair with that word (a right trait on the
    wrong person scores 0). Anything beyond one word or one fact, and several different ``<answer>``
    blocks, score 0. GURU rows ``logic__graph*`` (ground truth: the word) are scored the same way.

Difficulty:
    1: a chain of 2 rules beside 1 distractor branch, one name ... 8: 10-rule chains, 4 branches of
    similar length, extra cross rules, different names. See :data:`LEVELS`.

Version History:
    v0: initial release.
    v0 (unreleased): ``<name> is <word>`` must name the fact's own person (the right trait on the wrong person
        scored 1); several different answer blocks score 0 (issue 17).
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.logic.common import (
    FIRST_NAMES,
    AnswerBlockError,
    capitalize,
    clean_word,
    final_answer,
    generate_unique,
    made_up_words,
)
from guru_envs.verify.score import Score


@dataclass(frozen=True)
class GraphConfig:
    """Knobs of one difficulty level.

    Attributes:
        depth: rules on the shortest chain from the start fact to the goal fact.
        branches: distractor branches leaving the start fact (dead ends or longer chains).
        extra: additional random rules that keep the first step unique.
        names: distinct people across facts (1: every fact is about the same person).
    """

    depth: int
    branches: int
    extra: int
    names: int


LEVELS: dict[int, GraphConfig] = {
    1: GraphConfig(2, 1, 0, 1),
    2: GraphConfig(2, 2, 1, 1),
    3: GraphConfig(3, 2, 2, 2),
    4: GraphConfig(4, 2, 4, 3),
    5: GraphConfig(5, 3, 6, 4),
    6: GraphConfig(6, 3, 9, 6),
    7: GraphConfig(8, 4, 12, 8),
    8: GraphConfig(10, 4, 16, 10),
}

ATTEMPTS = 20
RULE_FORMS = (
    "If {a} is {x}, then {b} is {y}.",
    "{a} being {x} implies that {b} is {y}.",
    "Whenever {a} is {x}, {b} is {y}.",
    "{b} is {y} if {a} is {x}.",
)
_NAMED_ANSWER = re.compile(r"^([A-Za-z][A-Za-z'-]*)\s+is\s+([A-Za-z]+)$", re.IGNORECASE)
_WORD = re.compile(r"^(?:[A-Za-z]+|\d+)$")


def shortest_first_steps(edges: dict[int, set[int]], start: int, goal: int) -> tuple[int, set[int]]:
    """``(distance, first steps)``: the start-to-goal distance and every successor of ``start`` on a shortest path.

    Distance is -1 (and the set empty) when the goal cannot be reached.
    """
    reverse: dict[int, list[int]] = {}
    for u, outs in edges.items():
        for w in outs:
            reverse.setdefault(w, []).append(u)
    dist = {goal: 0}
    queue = deque([goal])
    while queue:
        w = queue.popleft()
        for u in reverse.get(w, ()):
            if u not in dist:
                dist[u] = dist[w] + 1
                queue.append(u)
    if start not in dist or start == goal:
        return -1, set()
    d = dist[start]
    return d, {u for u in edges.get(start, ()) if dist.get(u) == d - 1}


def first_steps_brute_force(edges: dict[int, set[int]], start: int, goal: int) -> tuple[int, set[int]]:
    """Same answer as :func:`shortest_first_steps` by enumerating every simple path (the benchmark baseline)."""
    best = -1
    firsts: set[int] = set()
    stack = [(start, [start])]
    while stack:
        node, path = stack.pop()
        if node == goal:
            length = len(path) - 1
            if best < 0 or length < best:
                best, firsts = length, {path[1]}
            elif length == best:
                firsts.add(path[1])
            continue
        for w in edges.get(node, ()):
            if w not in path:
                stack.append((w, [*path, w]))
    return best, firsts


class GraphFamily(TaskFamily):
    """Next step of the shortest proof in a rule graph of made-up words; scores GURU's graph rows too."""

    domain: ClassVar[str] = "logic"
    name: ClassVar[str] = "graph"
    levels: ClassVar[int] = len(LEVELS)
    row_question: ClassVar[bool] = True  # "<Name> is <word>" must name the fact's own person
    guru_scorer: ClassVar[str] = "graph_dataset"

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Build one puzzle; see the module docstring."""
        cfg = LEVELS[difficulty]
        return generate_unique(
            rng, lambda sub: self._attempt(sub, cfg), ATTEMPTS, f"graph level {difficulty}"
        )

    def _attempt(self, rng: random.Random, cfg: GraphConfig) -> Problem | None:
        edges: dict[int, set[int]] = {}
        count = 0

        def new_node() -> int:
            nonlocal count
            count += 1
            return count - 1

        def add(u: int, w: int) -> None:
            edges.setdefault(u, set()).add(w)

        start = new_node()
        path = [start] + [new_node() for _ in range(cfg.depth)]
        for u, w in zip(path, path[1:]):
            add(u, w)
        goal = path[-1]
        # Distractor branches from the start: chains about as long as the real one, so only looking
        # ahead tells them apart. Some end in a dead end, some run into other distractors.
        distractors: list[int] = []
        for _ in range(cfg.branches):
            length = max(1, cfg.depth + rng.randint(-1, 1))
            prev = start
            for _ in range(length):
                node = new_node()
                add(prev, node)
                distractors.append(node)
                prev = node
        nodes = list(range(count))
        for _ in range(cfg.extra * 4):
            if sum(len(v) for v in edges.values()) >= cfg.depth + len(distractors) + cfg.extra:
                break
            u, w = rng.sample(nodes, 2)
            if w == start or u == goal or w in edges.get(u, ()):
                continue
            add(u, w)
            d, firsts = shortest_first_steps(edges, start, goal)
            if d != cfg.depth or firsts != {path[1]}:
                edges[u].discard(w)  # that rule would shorten the proof or add a second first step
        d, firsts = shortest_first_steps(edges, start, goal)
        if d != cfg.depth or firsts != {path[1]}:
            return None

        traits = made_up_words(rng, count)
        names = rng.sample(FIRST_NAMES, cfg.names)
        who = [names[0]] + [rng.choice(names) for _ in range(count - 1)]
        if cfg.names > 1:
            who[goal] = rng.choice([n for n in names if n != who[start]])
        rules = [(u, w) for u, outs in edges.items() for w in sorted(outs)]
        rng.shuffle(rules)
        lines = [
            capitalize(rng.choice(RULE_FORMS).format(a=who[u], x=traits[u], b=who[w], y=traits[w]))
            for u, w in rules
        ]
        example = made_up_words(rng, 1, exclude=frozenset(traits))[0]
        prompt = (
            "Each rule below lets you conclude one fact from another:\n"
            + "\n".join(f"- {line}" for line in lines)
            + f"\n\nSuppose {who[start]} is {traits[start]}. You want to prove that {who[goal]} is {traits[goal]} "
            "using as few rules as possible. What is the first new fact on that shortest chain of rules? "
            f"Answer with its trait word only, inside <answer> and </answer> tags, for example <answer>{example}</answer>."
        )
        answer = traits[path[1]]
        chain = " -> ".join(f"{who[v]} is {traits[v]}" for v in path)
        reference = f"The shortest chain is {chain}, so the next step is {who[path[1]]} is {answer}.\n\n<answer>{answer}</answer>"
        meta = {
            "depth": cfg.depth,
            "rules": len(lines),
            "distractors": [traits[v] for v in edges[start] if v != path[1]],
            "spec": {"edges": sorted([u, w] for u, w in rules), "start": start, "goal": goal},
        }
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    # ------------------------------------------------------------------------------------- scoring
    def score(self, task: Task, response: str) -> Score:
        """Exact word, case-insensitive; a named subject must be the fact's own (see the module docstring)."""
        try:
            rules = "\n".join(line for line in task.prompt.splitlines() if line.startswith("- "))
            traits = {w.casefold() for w in _TRAIT_IN_PROMPT.findall(rules)}
            raw = final_answer(response, read=_read_word, read_hedged=lambda text: _trait_like(text, traits))
        except AnswerBlockError as exc:
            return Score.wrong(
                None, str(exc), feedback="Give the trait word inside one <answer></answer> block."
            )
        extracted = raw[:200]
        read = read_step(raw)
        if read is None:
            return Score.wrong(extracted, "the answer is not a single word")
        subject, word = read
        gold = str(task.answer).strip()
        if word.lower() != gold.lower():
            return Score.wrong(word, "wrong word")
        if subject is not None:
            owners = subjects_of(task.prompt, gold)
            if owners != {subject.lower()}:
                return Score.wrong(
                    f"{subject} is {word}",
                    "the step names the wrong person" if owners else "the step's person cannot be checked",
                    feedback="Answer with the trait word only.",
                )
        return Score.right(word)

    def wrong_responses(self, task: Task) -> list[str]:
        """A distractor branch's word, the goal's word, two words at once, the right word without tags."""
        answer = str(task.answer)
        others = list(task.meta.get("distractors") or []) or [answer + "x"]
        return [
            f"<answer>{others[0]}</answer>",
            f"<answer>{answer} or {others[0]}</answer>",
            f"<answer>{answer[:-1] or 'x'}</answer>",
            f"The next step is {answer}.",
        ]

    def parse_ground_truth(self, ground_truth: Any, row: dict[str, Any]) -> Any:
        """GURU's ground truth is the word itself (vertex numbers in the non-logic variant)."""
        if hasattr(ground_truth, "item"):
            ground_truth = ground_truth.item()
        if isinstance(ground_truth, bool) or not isinstance(ground_truth, str | int):
            raise ValueError("graph ground truth must be a word")
        text = str(ground_truth).strip()
        if not text:
            raise ValueError("graph ground truth is empty")
        return text


_TRAIT_IN_PROMPT = re.compile(r"\bis ([^\W\d_]+)")  # "- Sofia is koode if ...": the traits the rules name


def _trait_like(raw: str, traits: set[str]) -> str | None:
    """The word of ``raw`` when it is one of the task's traits or spelt like one (``pliv`` for ``plivi``).

    What a hedge after the answer offers instead; other words ("well", "sure") are prose.
    """
    word = _read_word(raw)
    if word is None or len(word) < 3:
        return None
    return word if any(word[:4] == t[:4] or word in t or t in word for t in traits) else None


def _read_word(raw: str) -> str | None:
    """The trait word an answer states, case-folded (to tell a restatement from a second answer)."""
    read = read_step(raw)
    return read[1].casefold() if read is not None else None


def read_step(raw: str) -> tuple[str | None, str] | None:
    """``(person or None, trait word)`` of the answer: one word, or one fact ``<name> is <word>``.

    Quotes, emphasis and end punctuation are removed; anything else (a second word, "not", "or") is
    not one step, and gives None.
    """
    s = clean_word(raw)
    if len(s) > 200:
        return None
    m = _NAMED_ANSWER.match(s)
    if m:
        return m.group(1), m.group(2)
    m = _WORD.match(s)
    return (None, m.group(0)) if m else None


def read_word(raw: str) -> str | None:
    """The single answer word of :func:`read_step` (its person, if named, dropped)."""
    step = read_step(raw)
    return step[1] if step else None


def subjects_of(prompt: str, word: str) -> set[str]:
    """The people (lower case) that the prompt's facts pair with ``word``: ``<Name> is <word>`` or ``<Name> being <word>``."""
    pattern = re.compile(r"\b([A-Z][A-Za-z'-]*)\s+(?:is|being)\s+" + re.escape(word) + r"\b", re.IGNORECASE)
    return {m.group(1).lower() for m in pattern.finditer(prompt) if m.group(1)[:1].isupper()}

"""Bank queue: simulate customers, a single waiting line and several tellers, minute by minute.

Description:
    Customers arrive at given minutes and need given service times; tellers serve the line in order.
    Higher levels add rules that change who is served when: VIP customers join the line ahead of every
    non-VIP, customers who find too many people waiting leave at once, and a trainee teller takes extra
    time. Every tie is resolved by an explicit rule in the prompt, so the answer is unique. Draws where
    nobody waits, or where an enabled rule never matters, are redrawn.

Prompt:
    The rules, the tellers, and a table of customers (arrival minute, service minutes, VIP or not).

Answer format:
    A JSON object mapping each customer's name to the minute they leave the bank, or ``null`` for a
    customer who left without being served: ``{"Ann": 5, "Bob": null}``.

Scoring:
    1 when every customer's leaving time matches, else 0 (one exact claim, :mod:`.answers`: integer
    minutes, exactly the customers as keys).

Difficulty:
    1: one teller, 4 customers. 2: two tellers, 5 customers. 3: two tellers, 6 customers, VIPs.
    4: two or three tellers, 7 customers, VIPs, customers who leave when the line is long.
    5: three tellers, 8 customers, VIPs, leaving customers, and a trainee teller.

Version History:
    v0: initial release.
    v0 (unreleased): the answer must be one exact claim (:mod:`.answers`): several different fenced or boxed
        answers, repeated JSON keys, a set for a list and a number of another type (``5.0`` for ``5``) score 0
        (issue 17).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from guru_envs.core.family import Problem, TaskFamily
from guru_envs.core.task import Task
from guru_envs.simulation.answers import FORMAT_LINE, distinct_wrongs, json_block, score_value
from guru_envs.verify.score import Score

NAMES = (
    "Ann", "Bob", "Cid", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim", "Lou", "Mia", "Ned",
    "Oda", "Pam", "Quin", "Rex", "Sue", "Tom", "Uma", "Vic", "Wes", "Xia", "Yan", "Zoe",
)  # fmt: skip


@dataclass(frozen=True)
class QueueConfig:
    """Knobs of one level."""

    tellers: tuple[int, int]
    customers: int
    service: tuple[int, int]
    arrival_span: int
    vip: bool = False
    balk_at: int = 0  # 0: nobody leaves; else a customer leaves on finding this many people waiting
    trainee_extra: int = 0  # extra minutes the highest-numbered teller needs per customer


LEVELS: dict[int, QueueConfig] = {
    1: QueueConfig((1, 1), 4, (1, 4), 6),
    2: QueueConfig((2, 2), 5, (2, 6), 8),
    3: QueueConfig((2, 2), 6, (2, 6), 9, vip=True),
    4: QueueConfig((2, 3), 7, (2, 7), 10, vip=True, balk_at=2),
    5: QueueConfig((3, 3), 8, (2, 8), 12, vip=True, balk_at=2, trainee_extra=2),
}


@dataclass(frozen=True)
class Customer:
    """One customer of the table."""

    name: str
    arrives: int
    service: int
    vip: bool


@dataclass(frozen=True)
class Rules:
    """The rules a simulation applies (switching one off gives a plausible mistaken answer)."""

    tellers: int
    vip: bool
    balk_at: int
    trainee_extra: int


def simulate(customers: list[Customer], rules: Rules) -> tuple[dict[str, int | None], int]:
    """Leaving minute per customer (None if they left unserved) and how many customers waited at all."""
    leaves: dict[str, int | None] = {c.name: None for c in customers}
    busy_until = [0] * rules.tellers  # a teller is free at minute t when busy_until <= t
    line: list[Customer] = []
    pending = sorted(customers, key=lambda c: c.arrives)  # stable: table order within a minute
    waited = 0
    t = 0
    while pending or line:
        while pending and pending[0].arrives == t:
            c = pending.pop(0)
            if rules.balk_at and len(line) >= rules.balk_at:
                continue
            if rules.vip and c.vip:
                spot = sum(1 for w in line if w.vip)
                line.insert(spot, c)
            else:
                line.append(c)
        for teller in range(rules.tellers):
            if line and busy_until[teller] <= t:
                c = line.pop(0)
                if c.arrives < t:
                    waited += 1
                extra = rules.trainee_extra if teller == rules.tellers - 1 and rules.tellers > 1 else 0
                busy_until[teller] = t + c.service + extra
                leaves[c.name] = busy_until[teller]
        t += 1
        if t > 10_000:  # unreachable for drawn tables; a guard against a broken draw
            raise RuntimeError("queue simulation did not finish")
    return leaves, waited


class BankQueueFamily(TaskFamily):
    """The minute each customer leaves a bank with tellers and one line."""

    domain = "simulation"
    name = "bank_queue"
    levels = len(LEVELS)

    def generate(self, rng: random.Random, difficulty: int) -> Problem:
        """Draw customers until someone waits and every enabled rule changes the outcome."""
        cfg = LEVELS[difficulty]
        for _ in range(500):
            tellers = rng.randint(*cfg.tellers)
            names = rng.sample(NAMES, cfg.customers)
            arrivals = sorted(rng.randint(0, cfg.arrival_span) for _ in names)
            customers = [
                Customer(n, a, rng.randint(*cfg.service), cfg.vip and rng.random() < 0.3)
                for n, a in zip(names, arrivals)
            ]
            rules = Rules(tellers, cfg.vip, cfg.balk_at, cfg.trainee_extra if tellers > 1 else 0)
            answer, waited = simulate(customers, rules)
            if waited == 0:
                continue
            variants = self._variants(customers, rules)
            if any(v == answer for v in variants.values()):
                continue
            return self._problem(customers, rules, answer, variants, difficulty)
        raise RuntimeError("no informative queue in 500 draws")

    @staticmethod
    def _variants(customers: list[Customer], rules: Rules) -> dict[str, dict[str, int | None]]:
        out = {}
        if rules.vip:
            out["no_vip"] = simulate(customers, replace(rules, vip=False))[0]
        if rules.balk_at:
            out["no_balk"] = simulate(customers, replace(rules, balk_at=0))[0]
        if rules.trainee_extra:
            out["no_trainee"] = simulate(customers, replace(rules, trainee_extra=0))[0]
        return out

    def _problem(
        self,
        customers: list[Customer],
        rules: Rules,
        answer: dict[str, int | None],
        variants: dict[str, dict[str, int | None]],
        difficulty: int,
    ) -> Problem:
        lines = [
            f"A bank has {rules.tellers} teller{'s' if rules.tellers > 1 else ''}"
            + (f", numbered 1 to {rules.tellers}" if rules.tellers > 1 else "")
            + ", and one waiting line. Time is counted in whole minutes.",
            "- A teller serving a customer who needs s minutes, starting at minute t, is free again at minute "
            "t + s; the customer leaves the bank at minute t + s.",
            "- Each minute, first every customer arriving that minute joins the line (in the order of the table), "
            "then each free teller, lowest number first, starts serving the customer at the front of the line. "
            "A teller who becomes free at a minute can start serving someone at that same minute.",
        ]
        if rules.vip:
            lines.append("- A VIP joins the line behind any VIPs already waiting but ahead of every non-VIP.")
        if rules.balk_at:
            lines.append(
                f"- A customer who arrives when {rules.balk_at} or more people are waiting in the line (not counting "
                "those being served) leaves at once without being served."
            )
        if rules.trainee_extra:
            lines.append(
                f"- Teller {rules.tellers} is a trainee and needs {rules.trainee_extra} extra minutes for every customer."
            )
        header = "| Customer | Arrives at minute | Service minutes |" + (" VIP |" if rules.vip else "")
        rule = "|---|---|---|" + ("---|" if rules.vip else "")
        rows = [
            f"| {c.name} | {c.arrives} | {c.service} |"
            + ((" yes |" if c.vip else " no |") if rules.vip else "")
            for c in customers
        ]
        prompt = (
            "\n".join(lines)
            + "\n\n"
            + "\n".join([header, rule, *rows])
            + "\n\nAt what minute does each customer leave the bank?\n\n"
            + f"{FORMAT_LINE} The answer is a JSON object mapping every customer's name to the minute they leave"
            + (", or null for a customer who left without being served" if rules.balk_at else "")
            + ', e.g. {"Ann": 5, "Bob": 9}.'
        )
        served = sorted((t, n) for n, t in answer.items() if t is not None)
        story = ", ".join(f"{n} at {t}" for t, n in served)
        walked = [n for n, t in answer.items() if t is None]
        reference = (
            "Simulating minute by minute with the rules above, customers leave in this order: "
            + story
            + "."
            + (f" {', '.join(walked)} left without being served." if walked else "")
            + "\n\n"
            + json_block(answer)
        )
        meta = {
            "tellers": rules.tellers,
            "vip": rules.vip,
            "balk_at": rules.balk_at,
            "trainee_extra": rules.trainee_extra,
            "variants": list(variants.values()),
        }
        return Problem(prompt=prompt, answer=answer, reference_response=reference, meta=meta)

    def score(self, task: Task, response: str) -> Score:
        """Every customer's leaving minute must match."""
        return score_value(response, task.answer)

    def wrong_responses(self, task: Task) -> list[str]:
        """Answers that ignore one rule, and one customer off by a minute."""
        answer: dict[str, Any] = task.answer
        name = next(n for n in sorted(answer) if answer[n] is not None)
        slip = dict(answer)
        slip[name] = answer[name] + 1
        candidates = [*task.meta.get("variants", []), slip]
        return [f"Simulating the queue:\n\n{json_block(v)}" for v in distinct_wrongs(answer, candidates)]

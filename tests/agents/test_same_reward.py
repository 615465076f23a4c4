"""One source's options change the verdict, and the env, the trainer, eval and SkyRL all pay that reward.

The source is a training mixture entry with zebra's ``exact_match`` option: a grid with one wrong cell earns
partial credit by default and nothing under ``exact_match``. The trainer draws tasks from it and scores
real rollouts of a scripted policy; the same tasks and responses then go through ``gym.make``'s env,
the eval harness, an exported SkyRL row (the SkyRL env's episode logic) and an exported verl row.
"""

import gymnasium as gym
import msgspec
import pytest

from agents.skyrl.episode import GuruEpisode  # the SkyRL env's logic, without SkyRL
from guru_envs import catalog, score
from guru_envs.core.rows import from_row, to_row, to_skyrl_row
from guru_envs.evaluation.harness import evaluate
from guru_envs.rollout.base import Completion, RolloutEngine, RolloutGroup, SamplingParams
from tests.agents import helpers
from tests.agents.test_trainer import make_config

ZEBRA = "guru/Logic.zebra-v0"
EXACT = {"zebra": {"exact_match": True}}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return helpers.tiny_model_dir(tmp_path_factory.mktemp("model"))


def one_cell_wrong(task):
    return catalog().family_for(task).wrong_responses(task)[0]


class ScriptedPolicy(RolloutEngine):
    """Answers each task with a grid that has one wrong cell, as a real engine would: text and token ids."""

    name = "scripted"

    def __init__(self, tokenizer, tasks_by_prompt):
        super().__init__(tokenizer)
        self.tasks_by_prompt = tasks_by_prompt

    def _generate(self, prompts, params):
        groups = []
        for prompt in prompts:
            task = self.tasks_by_prompt[prompt[-1]["content"]]
            text = one_cell_wrong(task)
            ids = self.tokenizer(text, add_special_tokens=False)["input_ids"][:8] + [
                self.tokenizer.eos_token_id
            ]
            prompt_ids = self.tokenizer(prompt[-1]["content"], add_special_tokens=False)["input_ids"][:16]
            groups.append(
                RolloutGroup(
                    prompt_text=prompt[-1]["content"],
                    prompt_token_ids=prompt_ids,
                    completions=[Completion(text, list(ids), "stop") for _ in range(params.n)],
                )
            )
        return groups


def test_options_of_one_source_are_paid_the_same_by_env_trainer_eval_and_skyrl(model_dir, tmp_path):
    from agents.trainer import GRPOTrainer

    source = {"env": ZEBRA, "difficulty": [2, 2], "family_options": EXACT}
    config = make_config(
        model_dir, tmp_path, data={"sources": [source], "prompts_per_step": 3, "group_size": 2}
    )
    with GRPOTrainer(config) as trainer:
        drawn = {}
        next_task = trainer.sampler.next_task

        def record():
            task = next_task()
            drawn[task.prompt] = task
            return task

        trainer.sampler.next_task = record
        trainer.engine = ScriptedPolicy(trainer.tokenizer, drawn)
        rollouts, _ = trainer.collect()

    tasks, responses = rollouts.tasks, rollouts.texts
    assert all(t.options == {"exact_match": True} for t in tasks)
    paid_in_training = [s.reward for s in rollouts.scores]

    # the options change the verdict: the same response, the same task made without them, earns credit
    default = [msgspec.structs.replace(t, options={}) for t in tasks]
    assert all(0 < score(t, r).reward < 1 for t, r in zip(default, responses))
    assert paid_in_training == [0.0] * len(tasks)

    env = gym.make(ZEBRA, difficulty=2, family_options=EXACT)
    env.reset(seed=0)
    assert env.unwrapped.task.options == {"exact_match": True}  # the env's own draws carry them too
    paid_by_env = []
    for task, response in zip(tasks, responses):
        env.reset(options={"task": task})
        paid_by_env.append(env.step(response)[1])

    class Replay(ScriptedPolicy):
        def _generate(self, prompts, params):
            return [
                RolloutGroup(
                    "", [], [Completion(one_cell_wrong(drawn[p[-1]["content"]]), [1], "stop")] * params.n
                )
                for p in prompts
            ]

    unique = tasks[:: config.data.group_size]
    report = evaluate(Replay(None, drawn), unique, SamplingParams(n=2), progress=False, score_workers=2)
    paid_by_eval = [r for result in report.tasks for r in result.rewards]

    def extras(row):
        return {k: v for k, v in row.items() if k not in ("prompt", "env_class")}

    paid_by_skyrl = [GuruEpisode(extras(to_skyrl_row(t))).step(r).reward for t, r in zip(tasks, responses)]
    paid_from_rows = [score(from_row(to_row(t)), r).reward for t, r in zip(tasks, responses)]

    assert paid_by_env == paid_in_training
    assert paid_by_eval == paid_in_training
    assert paid_by_skyrl == paid_in_training
    assert paid_from_rows == paid_in_training

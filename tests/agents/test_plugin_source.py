"""A plugin whose manifest names its own env class trains and evaluates through that class's TaskSource."""

import gymnasium as gym
import pytest

from guru_envs import MixedSampler, make_dataset
from guru_envs.evaluation.harness import evaluate
from guru_envs.evaluation.splits import heldout_tasks
from guru_envs.rollout.base import Completion, RolloutEngine, RolloutGroup, SamplingParams
from tests.agents import helpers
from tests.agents.test_trainer import make_config

helpers.register_plugin()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return helpers.tiny_model_dir(tmp_path_factory.mktemp("model"))


def tagged(tasks):
    return all(t.meta.get("tagged") and t.prompt.startswith(helpers.PLUGIN_TAG) for t in tasks)


def test_every_way_of_drawing_goes_through_the_plugins_source():
    env = gym.make(helpers.PLUGIN_ID)
    env.reset(seed=0)
    assert tagged([env.unwrapped.task])
    assert tagged(MixedSampler({helpers.PLUGIN_ID: 1}, seed=0).next_batch(4))
    assert tagged(heldout_tasks(helpers.PLUGIN_ID, 3))
    assert tagged(make_dataset("guru-test/AgentPlugin.vowels-v0", 3))


def test_the_trainer_trains_on_the_plugins_tasks(model_dir, tmp_path):
    from agents.trainer import GRPOTrainer

    config = make_config(
        model_dir,
        tmp_path,
        data={"sources": [{"env": helpers.PLUGIN_ID}], "prompts_per_step": 2, "group_size": 4},
    )
    with GRPOTrainer(config) as trainer:
        rollouts, _ = trainer.collect()
        assert tagged(rollouts.tasks)
        example = trainer.prompts.example_for(rollouts.tasks[0])
        assert tagged([example])  # the worked example comes from the same source
        metrics = trainer.step()
    assert metrics["update/groups_kept"] > 0 and "reward/agentplugin" in metrics


class EchoEngine(RolloutEngine):
    name = "echo"

    def __init__(self):
        super().__init__(None)
        self.prompts = []

    def _generate(self, prompts, params):
        self.prompts += [p[-1]["content"] for p in prompts]
        return [
            RolloutGroup(
                prompt_text="", prompt_token_ids=[], completions=[Completion("aeiou", [1], "stop")] * params.n
            )
            for _ in prompts
        ]


def test_evaluation_runs_on_the_plugins_heldout_tasks():
    engine = EchoEngine()
    tasks = heldout_tasks(helpers.PLUGIN_ID, 4)
    report = evaluate(engine, tasks, SamplingParams(n=2), progress=False)
    assert all(p.startswith(helpers.PLUGIN_TAG) for p in engine.prompts) and len(engine.prompts) == 4
    assert report.by_domain["agentplugin"].mean_reward == 1.0

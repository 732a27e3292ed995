"""A fake OpenAI-compatible server for the AI tests: the real ``openai`` SDK talks HTTP to it.

It runs in a thread on 127.0.0.1, records every request (path, headers, JSON body) and answers
``POST /v1/chat/completions`` from a script of :class:`Reply` objects (the last one repeats).
Nothing ever leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None
    refusal: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # a raw JSON body instead of a chat completion

    @classmethod
    def guesses(cls, *pairs: tuple[str, float], **kw) -> Reply:
        content = json.dumps({"guesses": [{"word": w, "confidence": c} for w, c in pairs]})
        return cls(content=content, **kw)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: list[Reply] = [Reply.guesses()]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = fake._record(Request(self.path, headers, body))
                if reply.delay:
                    fake._stop.wait(reply.delay)
                # Answered from here on: a client may send its next request as soon as it
                # reads this answer, which must not count as two at once.
                with fake._lock:
                    fake.in_flight -= 1
                # A client that gave up (timeout) is the point of a slow reply.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake._send(self, reply, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` in order; the last one repeats."""
        with self._lock:
            self._script = list(replies)

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply, body: dict) -> None:
        if reply.status != 200:
            payload = reply.body or {"error": {"message": "boom", "type": "server_error"}}
        elif reply.body is not None:
            payload = reply.body
        else:
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 1700000000,
                "model": body.get("model", "?"),
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": reply.content,
                            "refusal": reply.refusal,
                        },
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
            }
        data = json.dumps(payload).encode()
        handler.send_response(reply.status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

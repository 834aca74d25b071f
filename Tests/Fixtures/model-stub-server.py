#!/usr/bin/env python3
"""A stand-in for an OpenAI-compatible chat completions server, on loopback, for the model
client's tests. Prints its port on the first line of stdout, and exits when its standard input
closes (the test process ended). The last user message picks the
answer: "rate-limit" (429, Retry-After: 2), "auth" (401), "bad" (400), "overloaded" (503),
"slow" (answers after 3 s), "garbage" (200, not JSON); anything else: 200, whose content is a
JSON echo of what the server received (model, Authorization header, temperature, max_tokens,
response_format)."""
import http.server, json, os, sys, threading, time

# STUB_LATENCY_MS: every chat answer waits this long first, as a model would (agent-bench).
LATENCY_SECONDS = float(os.environ.get("STUB_LATENCY_MS", "0")) / 1000


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def do_POST(self):
        if self.path != "/v1/chat/completions":
            return self.send(404, {"error": {"message": "no route " + self.path}})
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        time.sleep(LATENCY_SECONDS)
        last = request["messages"][-1]["content"]
        if last == "rate-limit":
            return self.send(429, {"error": {"message": "Rate limit reached for requests"}}, [("Retry-After", "2")])
        if last == "auth":
            return self.send(401, {"error": {"message": "Incorrect API key provided"}})
        if last == "bad":
            return self.send(400, {"error": {"message": "The model `nope` does not exist"}})
        if last == "overloaded":
            return self.send(503, {"error": {"message": "The server is overloaded"}})
        if last == "garbage":
            return self.send(200, b"<html>not an API</html>")
        if last == "slow":
            time.sleep(3)
        echo = {
            "model": request.get("model"), "authorization": self.headers.get("Authorization"),
            "temperature": request.get("temperature"), "max_tokens": request.get("max_tokens"),
            "response_format": request.get("response_format"), "messages": len(request["messages"]),
        }
        self.send(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "model": request.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(echo, sort_keys=True)}}],
            "usage": {"prompt_tokens": 27, "completion_tokens": 46, "total_tokens": 73},
        })


def exit_with_parent():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

#!/usr/bin/env python3
"""A stand-in for an OpenAI-compatible chat completions server, on loopback, for the model
client's tests. Prints its port on the first line of stdout, and exits when its standard input
closes (the test process ended). The last user message picks the
answer: "rate-limit" (429, Retry-After: 2), "auth" (401), "bad" (400), "overloaded" (503),
"slow" (answers after 3 s), "garbage" (200, not JSON); anything else: 200, whose content is a
JSON echo of what the server received (model, Authorization header, temperature, max_tokens,
response_format) and "call", how many such answers the server has given, this one included (so
two calls never get the same answer).

Tool calls and broken answers (the block marked "tool calls and broken answers" in do_POST):
"tools" (a call of the request's first tool, arguments {"city":"Paris"}, content null,
finish_reason "tool_calls"), "echo-tools" (content: a JSON echo of the tools and tool_choice
received), a last message of role "tool" (content: a JSON echo of the tool result, its
tool_call_id and the assistant message before it, as received), "cut" (Content-Length larger than
the body; the connection closes mid-body), "nochoices" ({"id":"x"}), "emptychoices" (choices:
[]).
For rate-limit tests: "storm:N" (answered 200, {"storm": N, "outage": M}) makes the next N requests, whatever
their message, answer 429 with Retry-After: 1, and "outage:N" the next N answer 503 (make chaos);
GET /calls lists the arrival times of every chat
request but those "storm:N" ones, in monotonic seconds, as a JSON array, so a test counts and
spaces the calls the server saw."""
import http.server, json, os, sys, threading, time

lock = threading.Lock()
storm_left = 0
outage_left = 0
arrivals = []
echo_calls = 0

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

    def do_GET(self):
        if self.path != "/calls":
            return self.send(404, {"error": {"message": "no route " + self.path}})
        with lock:
            times = list(arrivals)
        self.send(200, times)

    def do_POST(self):
        global storm_left, outage_left
        arrived = time.monotonic()
        if self.path != "/v1/chat/completions":
            return self.send(404, {"error": {"message": "no route " + self.path}})
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        time.sleep(LATENCY_SECONDS)
        last = request["messages"][-1].get("content") or ""
        if last.startswith("storm:") or last.startswith("outage:"):
            with lock:
                if last.startswith("storm:"):
                    storm_left = int(last[len("storm:"):])
                else:
                    outage_left = int(last[len("outage:"):])
            return self.send(200, {
                "id": "chatcmpl-storm", "object": "chat.completion", "model": request.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": json.dumps({"storm": storm_left, "outage": outage_left})}}],
            })
        with lock:
            arrivals.append(arrived)
            refused = storm_left > 0
            if refused:
                storm_left -= 1
            down = not refused and outage_left > 0
            if down:
                outage_left -= 1
        if down:
            return self.send(503, {"error": {"message": "The server is overloaded (outage)"}})
        if refused:
            return self.send(429, {"error": {"message": "Rate limit reached (storm)"}}, [("Retry-After", "1")])
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
        # --- tool calls and broken answers (OpenAICompatibleClientTests, tool calls) ---
        if last == "tools":
            if not request.get("tools"):
                return self.send(400, {"error": {"message": "no tools to call"}})
            function = request["tools"][0]["function"]
            call = {"id": "call_1", "type": "function",
                    "function": {"name": function["name"], "arguments": '{"city":"Paris"}'}}
            return self.send(200, {
                "id": "chatcmpl-2", "object": "chat.completion", "model": request.get("model"),
                "choices": [{"index": 0, "finish_reason": "tool_calls",
                             "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62},
            })
        if last == "echo-tools":
            echo = {"tools": request.get("tools"), "tool_choice": request.get("tool_choice")}
            return self.send(200, {"model": request.get("model"), "choices": [
                {"finish_reason": "stop", "message": {"role": "assistant", "content": json.dumps(echo)}}]})
        if request["messages"][-1]["role"] == "tool":
            messages = request["messages"]
            echo = {"result": last, "tool_call_id": messages[-1].get("tool_call_id"),
                    "assistant": messages[-2] if len(messages) > 1 else None}
            return self.send(200, {"model": request.get("model"), "choices": [
                {"finish_reason": "stop", "message": {"role": "assistant", "content": json.dumps(echo)}}]})
        if last == "cut":
            body = b'{"id":"chatcmpl-3","choices":[{"index":0,"message":{"role":"assistant","content":"The appl'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 200))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        if last == "nochoices":
            return self.send(200, {"id": "x"})
        if last == "emptychoices":
            return self.send(200, {"id": "x", "choices": []})
        # --- end of tool calls and broken answers ---
        global echo_calls
        with lock:
            echo_calls += 1
            call = echo_calls
        echo = {
            "call": call,
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
class Server(http.server.ThreadingHTTPServer):
    # A listen backlog of 5 (the default) resets connections when dozens of handlers call at once.
    request_queue_size = 128


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

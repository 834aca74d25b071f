#!/usr/bin/env python3
"""The checks of the deploy artifacts (deploy/), run by scripts/check-deploy.sh with the tools of
.venv-tools (scripts/setup.sh makes it). No Docker engine and no cluster: each check reads files.

- dockerfile: hadolint finds nothing in deploy/Dockerfile.
- generated: scripts/generate-k8s-files.py would change nothing (KafkaTopics, schema copy).
- kustomize: the base and every overlay build with `kubectl kustomize`.
- kubernetes: every built manifest of a built-in kind is valid for Kubernetes KUBERNETES_VERSION
  (kubernetes-validate, strict: unknown fields are errors).
- crds: KafkaTopic and PodMonitor resources, which those schemas lack, have their required
  fields (a structural check of our own).
- compose: compose.yaml is valid for the Compose Specification (check-jsonschema's copy).
- systemd: systemd-analyze verify finds nothing in the unit and its drop-in (where it exists).
- agents: compose and Kubernetes run every example agent, only agents that exist (executable
  targets under Examples/ in Package.swift), on the image deploy/Dockerfile builds, which builds
  them all; the topics they create are every agent's, with its retry delays; Prometheus scrapes
  every agent; the image's version is AgentBus's.

Each check prints one line; the script exits 1 when any failed, naming what is wrong.
"""

import importlib.util
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import time

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose" / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
TOOLS = pathlib.Path(os.environ.get("AGENTBUS_TOOLS_VENV", ROOT / ".venv-tools")) / "bin"
KUBERNETES_VERSION = "1.33.0"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_k8s_files", ROOT / "scripts" / "generate-k8s-files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load_generator()


class CheckFailed(Exception):
    """One check's failure: the message says what is wrong and where."""


def tool(name):
    """A tool of .venv-tools, else of PATH (kubectl is /usr/bin's where it works there)."""
    candidate = TOOLS / name
    if candidate.exists():
        return str(candidate)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder and (pathlib.Path(folder) / name).exists():
            return str(pathlib.Path(folder) / name)
    raise CheckFailed(f"{name} not found in .venv-tools or on PATH; run scripts/setup.sh")


def run(command, what):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise CheckFailed(f"{what}: " + "; ".join(output[:8] or [f"exit status {result.returncode}"]))
    return result.stdout


# ---- the sources' facts ------------------------------------------------------------------------

def example_agents():
    """Package.swift's executable targets under Examples/: the programs a service may run."""
    return set(generator.example_executables())


def image_name():
    """The image deploy/Dockerfile builds: its org.opencontainers.image.title label."""
    match = re.search(r'org\.opencontainers\.image\.title="([^"]+)"', DOCKERFILE.read_text(encoding="utf-8"))
    if not match:
        raise CheckFailed("deploy/Dockerfile: no org.opencontainers.image.title label naming the image")
    return match.group(1)


def dockerfile_products():
    match = re.search(r'products="([^"]+)"', DOCKERFILE.read_text(encoding="utf-8"))
    if not match:
        raise CheckFailed('deploy/Dockerfile: no products="..." list of what it builds')
    return match.group(1).split()


def dockerfile_version():
    match = re.search(r"^ARG VERSION=(\S+)$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    if not match:
        raise CheckFailed("deploy/Dockerfile: no ARG VERSION=<default>")
    return match.group(1)


def agentbus_version():
    source = (ROOT / "Sources/AgentBus/AgentBusVersion.swift").read_text(encoding="utf-8")
    match = re.search(r'static let current = "([^"]+)"', source)
    if not match:
        raise CheckFailed("Sources/AgentBus/AgentBusVersion.swift: no current version")
    return match.group(1)


def repository(image):
    """`registry/agentbus:0.1.0@sha256:...` → `agentbus` (the last path segment, no tag)."""
    name = image.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":")[0]


# ---- the checks --------------------------------------------------------------------------------

def check_dockerfile():
    run([tool("hadolint"), "--no-color", str(DOCKERFILE.relative_to(ROOT))], "hadolint deploy/Dockerfile")
    return "hadolint finds nothing in deploy/Dockerfile"


def check_generated():
    stale = generator.stale_files(generator.wanted_files())
    if stale:
        names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
        raise CheckFailed(f"not up to date: {names}; run scripts/generate-k8s-files.py")
    return "KafkaTopics and the schema copy match the sources"


def kustomizations():
    """The base and every overlay, as paths under deploy/k8s."""
    overlays = sorted(path.parent for path in (K8S / "overlays").glob("*/kustomization.yaml"))
    return [K8S / "base"] + overlays


BUILDS = {}


def check_kustomize():
    kubectl = tool("kubectl")
    for folder in kustomizations():
        name = str(folder.relative_to(K8S))
        output = run([kubectl, "kustomize", str(folder)], f"kubectl kustomize {name}")
        BUILDS[name] = [doc for doc in yaml.safe_load_all(output) if doc]
    counts = ", ".join(f"{name} {len(docs)}" for name, docs in BUILDS.items())
    return f"{len(BUILDS)} kustomizations build ({counts} resources)"


CRD_KINDS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"), ("monitoring.coreos.com/v1", "PodMonitor")}


def check_kubernetes():
    import kubernetes_validate
    import kubernetes_validate.utils as utils
    from functools import lru_cache
    # The package reads the schema files again for every resource; once is enough here.
    utils.schema_contents = lru_cache(maxsize=None)(utils.schema_contents)
    seen, problems = set(), []
    for name, docs in BUILDS.items():
        for doc in docs:
            if (doc.get("apiVersion"), doc.get("kind")) in CRD_KINDS:
                continue
            key = json.dumps(doc, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(part) for part in error.path) or "(top)"
                problems.append(f"{name}: {doc['kind']} {doc['metadata'].get('name')}: {where}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError:
                problems.append(f"{name}: {doc.get('kind')} ({doc.get('apiVersion')}) is no Kubernetes kind and no known CRD")
    if problems:
        raise CheckFailed("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return f"{len(seen)} distinct manifests valid for Kubernetes {KUBERNETES_VERSION} (strict)"


def topic_name_problem(name):
    if not re.fullmatch(r"[a-zA-Z0-9._-]{1,249}", name or ""):
        return f"topicName {name!r} is no Kafka topic name"
    return None


def kafka_topic_problems(doc):
    problems = []
    metadata, spec = doc.get("metadata", {}), doc.get("spec")
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", metadata.get("name", "")):
        problems.append("metadata.name must be a lowercase DNS subdomain")
    if not metadata.get("labels", {}).get("strimzi.io/cluster"):
        problems.append("no strimzi.io/cluster label (the Topic Operator ignores it without one)")
    if not isinstance(spec, dict):
        return problems + ["no spec"]
    unknown = set(spec) - {"topicName", "partitions", "replicas", "config"}
    if unknown:
        problems.append(f"unknown spec fields {sorted(unknown)}")
    problem = topic_name_problem(spec.get("topicName", metadata.get("name")))
    if problem:
        problems.append(problem)
    for field in ("partitions", "replicas"):
        value = spec.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"spec.{field} must be a whole number of at least 1")
    config = spec.get("config", {})
    if not isinstance(config, dict):
        problems.append("spec.config must be a map")
    elif config.get("cleanup.policy", "delete") not in {"delete", "compact", "compact,delete", "delete,compact"}:
        problems.append(f"spec.config cleanup.policy {config['cleanup.policy']!r} is none of Kafka's")
    return problems


def pod_monitor_problems(doc):
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return ["no spec"]
    problems = []
    if not isinstance(spec.get("selector"), dict):
        problems.append("spec.selector is required")
    endpoints = spec.get("podMetricsEndpoints")
    if not isinstance(endpoints, list) or not endpoints:
        problems.append("spec.podMetricsEndpoints needs at least one endpoint")
    else:
        for index, endpoint in enumerate(endpoints):
            if not endpoint.get("port"):
                problems.append(f"spec.podMetricsEndpoints[{index}].port must name the metrics port")
    return problems


def check_crds():
    checked, problems = set(), []
    for name, docs in BUILDS.items():
        for doc in docs:
            kind = (doc.get("apiVersion"), doc.get("kind"))
            if kind not in CRD_KINDS:
                continue
            what = f"{doc['kind']} {doc.get('metadata', {}).get('name')}"
            found = kafka_topic_problems(doc) if kind[1] == "KafkaTopic" else pod_monitor_problems(doc)
            problems += [f"{name}: {what}: {problem}" for problem in found]
            checked.add((kind, doc.get("metadata", {}).get("name")))
    topics = {name for (kind, name) in checked if kind[1] == "KafkaTopic"}
    if not topics or not any(kind[1] == "PodMonitor" for kind, _ in checked):
        problems.append("no overlay builds KafkaTopics and a PodMonitor: nothing to check")
    if problems:
        raise CheckFailed("; ".join(problems[:5]))
    return f"{len(topics)} KafkaTopics and the PodMonitor have the fields their operators need"


def check_compose():
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE.relative_to(ROOT))],
        "check-jsonschema deploy/compose/compose.yaml")
    return "compose.yaml is valid for the Compose Specification"


def check_systemd():
    import shutil
    import tempfile
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        return "skipped: no systemd-analyze here"
    source = DEPLOY / "systemd"
    with tempfile.TemporaryDirectory() as folder:
        units = pathlib.Path(folder)
        (units / "agentbus-agent@.service.d").mkdir()
        (units / "agentbus-agent@.service").write_bytes((source / "agentbus-agent@.service").read_bytes())
        (units / "agentbus-agent@.service.d" / "kafka-client.conf").write_bytes((source / "kafka-client.conf").read_bytes())
        result = subprocess.run([analyze, "verify", str(units / "agentbus-agent@credit-check.1.service")],
                                capture_output=True, text=True, env={**os.environ, "SYSTEMD_UNIT_PATH": f"{folder}:"})
    output = [line.replace(folder + "/", "deploy/systemd/") for line in (result.stdout + result.stderr).splitlines()
              if line.strip()]
    if result.returncode != 0 or output:
        raise CheckFailed("systemd-analyze verify: " + "; ".join(output[:5] or [f"exit status {result.returncode}"]))
    return "systemd-analyze verify finds nothing in agentbus-agent@.service and kafka-client.conf"


def topics_invocations(command, where):
    """The `agentbus topics create` runs of a shell command: [(agents, delays, partitions, replication)]."""
    if isinstance(command, list) and command[:2] in (["/bin/sh", "-c"], ["sh", "-c"]):
        command = command[2] if len(command) > 2 else ""
    text = " ".join(shlex.quote(word) for word in command) if isinstance(command, list) else command
    runs = []
    for part in re.split(r"&&|;|\|\|", text):
        words = shlex.split(part)
        if words[:3] != ["agentbus", "topics", "create"]:
            continue
        agents, delays, partitions, replication = [], None, 3, 1
        iterator = iter(words[3:])
        for word in iterator:
            if word in ("--agent", "--retry-delays", "--partitions", "--replication"):
                value = next(iterator, None)
                if word == "--agent":
                    agents.append(value)
                elif word == "--retry-delays":
                    delays = value
                elif word == "--partitions":
                    partitions = int(value)
                else:
                    replication = int(value)
        runs.append((agents, delays, partitions, replication))
    if not runs:
        raise CheckFailed(f"{where}: runs no `agentbus topics create`")
    return runs


def topics_problems(runs, where):
    """Every agent that owns topics is created once, with its own retry delays."""
    wanted = generator.agents()
    default = ",".join(generator.default_retry_delays())
    problems, created = [], {}
    for agents, delays, _, _ in runs:
        for agent in agents:
            given = default if delays is None else ("" if delays == "none" else delays)
            created.setdefault(agent, []).append(given)
    for agent, delays in wanted.items():
        if agent not in created:
            problems.append(f"{where}: creates no topics for agent {agent}")
        elif created[agent] != [",".join(delays)]:
            want = ",".join(delays) or "none"
            problems.append(f"{where}: agent {agent} needs --retry-delays {want}, got {created[agent]}")
    for agent in created:
        if agent not in wanted:
            problems.append(f"{where}: --agent {agent} is no example agent with topics (those are: {', '.join(wanted)})")
    return problems


def check_agents():
    agents, image, problems = example_agents(), image_name(), []
    programs = agents | {"agentbus"}

    products = dockerfile_products()
    if set(products) != programs:
        missing, extra = sorted(programs - set(products)), sorted(set(products) - programs)
        problems.append(f"deploy/Dockerfile builds {products}: missing {missing}, not in Package.swift {extra}")
    if dockerfile_version() != agentbus_version():
        problems.append(f"deploy/Dockerfile's ARG VERSION {dockerfile_version()} is not AgentBus's {agentbus_version()}")

    # Compose: every service on our image runs a program the image has; each agent has one.
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    compose_agents = {}
    for name, service in compose.get("services", {}).items():
        service_image = service.get("image", "")
        if "build" in service and repository(service_image) != image:
            problems.append(f"compose service {name} builds deploy/Dockerfile but names the image {service_image!r}, not {image}")
        if repository(service_image) != image:
            continue
        command = service.get("command")
        words = shlex.split(command) if isinstance(command, str) else list(command or [])
        if not words:
            problems.append(f"compose service {name} has no command: it would only print agentbus --help")
            continue
        program = words[0]
        if program in agents:
            if program != name:
                problems.append(f"compose service {name} runs {program}: name the service after its agent")
            compose_agents[name] = service
        elif program == "/bin/sh":
            problems += topics_problems(topics_invocations(words, f"compose service {name}"), f"compose service {name}")
        elif program != "agentbus":
            problems.append(f"compose service {name} runs {program!r}, which is no executable target under Examples/ "
                            f"in Package.swift (those are: {', '.join(sorted(agents))})")
    for agent in sorted(agents - set(compose_agents)):
        problems.append(f"compose has no service running agent {agent}")

    prometheus = yaml.safe_load((DEPLOY / "compose" / "prometheus.yml").read_text(encoding="utf-8"))
    scraped = {name for job in prometheus.get("scrape_configs", []) for sd in job.get("dns_sd_configs", [])
               for name in sd.get("names", [])}
    if scraped != set(compose_agents):
        problems.append(f"deploy/compose/prometheus.yml scrapes {sorted(scraped)}, not every agent service "
                        f"{sorted(compose_agents)}")

    # Kubernetes (the base): a Deployment per agent on our image; the Job creates their topics.
    docs = BUILDS.get("base", [])
    deployments = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Deployment"}
    budgets = [doc for doc in docs if doc["kind"] == "PodDisruptionBudget"]
    kubernetes_agents = set()
    schema_maps = {doc["metadata"]["name"].rsplit("-", 1)[0] for doc in docs
                   if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("agentbus-schemas")}
    tags = set()
    for name, doc in deployments.items():
        pod = doc["spec"]["template"]["spec"]
        labels = doc["spec"]["template"]["metadata"].get("labels", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            if repository(container.get("image", "")) != image:
                problems.append(f"Deployment {name}: container {container['name']} runs image {container.get('image')!r}, not {image}")
            tags.add(container.get("image", "").partition(":")[2])
        command = (pod["containers"][0].get("command") or [None])[0]
        if command not in agents:
            problems.append(f"Deployment {name} runs {command!r}, which is no executable target under Examples/ "
                            f"in Package.swift (those are: {', '.join(sorted(agents))})")
        elif command != name:
            problems.append(f"Deployment {name} runs {command}: name the Deployment after its agent")
        else:
            kubernetes_agents.add(command)
        if not any(set(b["spec"]["selector"].get("matchLabels", {}).items()) <= set(labels.items()) for b in budgets):
            problems.append(f"Deployment {name} has no PodDisruptionBudget")
        mounted = {volume["configMap"]["name"].rsplit("-", 1)[0] for volume in pod.get("volumes", []) if "configMap" in volume}
        if not schema_maps <= mounted:
            problems.append(f"Deployment {name} does not mount the schema ConfigMaps {sorted(schema_maps - mounted)}")
    for agent in sorted(agents - kubernetes_agents):
        problems.append(f"deploy/k8s/base has no Deployment running agent {agent}")
    jobs = [doc for doc in docs if doc["kind"] == "Job"]
    for job in jobs:
        container = job["spec"]["template"]["spec"]["containers"][0]
        if repository(container.get("image", "")) != image:
            problems.append(f"Job {job['metadata']['name']} runs image {container.get('image')!r}, not {image}")
        runs = topics_invocations(container.get("command", []) + container.get("args", []), f"Job {job['metadata']['name']}")
        problems += topics_problems(runs, f"Job {job['metadata']['name']}")
        for _, _, partitions, replication in runs:
            if (partitions, replication) != (generator.PARTITIONS, generator.REPLICAS):
                problems.append(f"Job {job['metadata']['name']} creates {partitions} partitions, replication {replication}; "
                                f"the KafkaTopics have {generator.PARTITIONS}, {generator.REPLICAS}")
    if not jobs:
        problems.append("deploy/k8s/base has no topics Job")
    # The SASL/TLS overlay: each agent connects with its own credentials file, the Job as admin.
    sasl = [doc for doc in BUILDS.get("overlays/sasl-tls", []) if doc["kind"] == "Secret"]
    files = {key.removesuffix(".properties") for doc in sasl for key in doc.get("data", {}) if key.endswith(".properties")}
    if files != agents | {"admin"}:
        problems.append(f"overlays/sasl-tls has credentials for {sorted(files)}, not for each agent and admin")

    if tags != {agentbus_version()}:
        problems.append(f"deploy/k8s/base runs image tags {sorted(tags)}, not AgentBus's version {agentbus_version()}")

    if problems:
        raise CheckFailed("; ".join(problems))
    return (f"{len(agents)} agents: each built by the Dockerfile and run by compose and a Deployment, all on image "
            f"{image}; topics created for each with its retry delays")


CHECKS = [
    ("dockerfile", check_dockerfile),
    ("generated", check_generated),
    ("kustomize", check_kustomize),
    ("kubernetes", check_kubernetes),
    ("crds", check_crds),
    ("compose", check_compose),
    ("systemd", check_systemd),
    ("agents", check_agents),
]


def main():
    started, failures = time.monotonic(), 0
    for name, check in CHECKS:
        try:
            print(f"check-deploy: {name}: ok: {check()}", flush=True)
        except CheckFailed as error:
            failures += 1
            print(f"check-deploy: {name}: FAILED: {error}", flush=True)
        except Exception as error:  # a file that is not what the check expects to read
            failures += 1
            print(f"check-deploy: {name}: FAILED: {type(error).__name__}: {error}", flush=True)
    elapsed = time.monotonic() - started
    if failures:
        print(f"check-deploy: {failures} of {len(CHECKS)} checks failed ({elapsed:.1f} s)", file=sys.stderr)
        return 1
    print(f"check-deploy: all {len(CHECKS)} checks passed ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

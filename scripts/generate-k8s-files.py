#!/usr/bin/env python3
"""Writes the Kubernetes files that follow from the sources, so they cannot drift from them:

- deploy/k8s/components/strimzi-topics/kafka-topics.yaml: a Strimzi KafkaTopic for every topic
  `agentbus topics create` makes for the example agents: the catalog's event topics (each schema's
  `x-agentbus-topic`), each agent's retry tiers, dead-letter, timer, state and journal topics, and
  the runtime topics, with the same configs (compacted registry, timers and state; the journal
  compacted and deleted after the journal retention).
- deploy/k8s/base/schemas/: a copy of schemas/ and the kustomization that makes its ConfigMaps
  (kustomize reads no file outside the kustomization's folder, so the catalog is copied in).

What it knows comes from the sources: the agents are Package.swift's executable targets under
Examples/ whose command is an AgentCommand (the supervisor joins no group and owns no topics);
an agent's retry delays are the `retryTopicDelays:` in its sources, else RetryPolicy's default;
the topic names and configs are those of AgentTopics.swift and TopicsCreateCommand.swift.

    scripts/generate-k8s-files.py          # writes the files
    scripts/generate-k8s-files.py --check  # exits 1, naming them, when a file is not up to date
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
TOPICS_FILE = ROOT / "deploy/k8s/components/strimzi-topics/kafka-topics.yaml"
SCHEMAS_COPY = ROOT / "deploy/k8s/base/schemas"
# The Kafka cluster's name in Strimzi (its Kafka resource); an overlay changes the label.
STRIMZI_CLUSTER = "kafka"
# Partitions and replicas of every topic, as the topics Job of the base creates them.
PARTITIONS = 6
REPLICAS = 3


class SourceError(Exception):
    """The sources do not say what the generator expected to read: it must be taught again."""


def read(path):
    return (ROOT / path).read_text(encoding="utf-8")


def example_executables():
    """Package.swift's executable targets under Examples/, as {name: folder}."""
    manifest = read("Package.swift")
    found = {}
    for block in re.findall(r"\.executableTarget\((.*?)\n        \)", manifest, re.S):
        name = re.search(r'name:\s*"([^"]+)"', block)
        path = re.search(r'path:\s*"([^"]+)"', block)
        if name and path and path.group(1).startswith("Examples/"):
            found[name.group(1)] = path.group(1)
    if not found:
        raise SourceError("Package.swift: no executable target with a path under Examples/")
    return found


def swift_sources(folder):
    return sorted((ROOT / folder).glob("*.swift"))


def is_agent_command(folder):
    """Whether the executable's command is an AgentCommand: an agent with a consumer group."""
    return any(re.search(r"struct\s+\w+\s*:\s*AgentCommand\b", f.read_text(encoding="utf-8"))
               for f in swift_sources(folder))


def parse_delays(text, where):
    """`[.seconds(10), .milliseconds(500)]` → ['10s', '500ms'] (AgentTopics.retryDelayName)."""
    items = [item.strip() for item in text.strip()[1:-1].split(",") if item.strip()]
    names = []
    for item in items:
        match = re.fullmatch(r"\.(seconds|milliseconds)\((\d+)\)", item)
        if not match:
            raise SourceError(f"{where}: cannot read the retry delay {item!r}")
        milliseconds = int(match.group(2)) * (1000 if match.group(1) == "seconds" else 1)
        names.append(f"{milliseconds // 1000}s" if milliseconds % 1000 == 0 else f"{milliseconds}ms")
    return names


def default_retry_delays():
    source = read("Sources/AgentBus/Agent/RetryPolicy.swift")
    match = re.search(r"retryTopicDelays:\s*\[Duration\]\s*=\s*(\[[^\]]*\])", source)
    if not match:
        raise SourceError("Sources/AgentBus/Agent/RetryPolicy.swift: no default for retryTopicDelays")
    return parse_delays(match.group(1), "RetryPolicy.swift")


def retry_delays(folder, default):
    """The agent's retry delays: its sources' `retryTopicDelays: [...]`, else the default."""
    for source in swift_sources(folder):
        match = re.search(r"retryTopicDelays:\s*(\[[^\]]*\])", source.read_text(encoding="utf-8"))
        if match:
            return parse_delays(match.group(1), str(source.relative_to(ROOT)))
    return default


def agents():
    """The example agents that own topics, as {name: retry delays}, in Package.swift's order."""
    default = default_retry_delays()
    return {name: retry_delays(folder, default)
            for name, folder in example_executables().items() if is_agent_command(folder)}


def retry_tiers(agent, delays):
    """AgentTopics.retryTiers: one topic per distinct delay, shortest first; `0s` with none."""
    def milliseconds(name):
        return int(name[:-2]) if name.endswith("ms") else int(name[:-1]) * 1000
    tiers = sorted({milliseconds(d) for d in delays}) if delays else [0]
    return [f"{agent}.retry.{m // 1000}s" if m % 1000 == 0 else f"{agent}.retry.{m}ms" for m in tiers]


def agent_topic_suffixes():
    """AgentTopics.owned: `<agent>.dlt`, `.timers`, `.state`, `.journal`, in its order."""
    source = read("Sources/AgentBus/Records/AgentTopics.swift")
    functions = dict(re.findall(r'static func (\w+)\(of agent: String\) -> String \{ "\\\(agent\)(\.[a-z]+)" \}', source))
    owned = re.search(r"static func owned\(by agent: String\) -> \[String\] \{\s*\[([^\]]*)\]", source)
    if not owned:
        raise SourceError("AgentTopics.swift: no owned(by:)")
    order = re.findall(r"(\w+)\(of: agent\)", owned.group(1))
    if not order or any(name not in functions for name in order):
        raise SourceError("AgentTopics.swift: cannot read the topics of owned(by:)")
    return [functions[name] for name in order]


def runtime_topic_names():
    """AgentTopics' runtime topic constants: {activity: agentbus.activity, ...}."""
    return dict(re.findall(r'public static let (\w+) = "([a-z.]+)"', read("Sources/AgentBus/Records/AgentTopics.swift")))


def runtime_topics():
    """AgentTopics.runtime: the runtime topics in their order."""
    source = read("Sources/AgentBus/Records/AgentTopics.swift")
    names = runtime_topic_names()
    runtime = re.search(r"public static let runtime = \[([^\]]*)\]", source)
    if not runtime:
        raise SourceError("AgentTopics.swift: no runtime topic list")
    order = [item.strip() for item in runtime.group(1).split(",")]
    if any(name not in names for name in order):
        raise SourceError("AgentTopics.swift: cannot read the runtime topics")
    return [names[name] for name in order]


def journal_retention_days():
    source = read("Sources/agentbus/TopicsCreateCommand.swift")
    match = re.search(r"var journalRetention: Int = (\d+)", source)
    if not match:
        raise SourceError("TopicsCreateCommand.swift: no default journal retention")
    return int(match.group(1))


def event_topics():
    """Every `x-agentbus-topic` of the catalog, as SchemaRegistry.topics: distinct, sorted."""
    topics = set()
    for path in sorted(SCHEMAS.rglob("*.json")):
        topic = json.loads(path.read_text(encoding="utf-8")).get("x-agentbus-topic")
        if topic is not None:
            topics.add(topic)
    return sorted(topics)


def wanted_topics():
    """(name, configs) of every topic, in `agentbus topics create`'s order, each once."""
    names = list(event_topics())
    suffixes = agent_topic_suffixes()
    for agent, delays in agents().items():
        names += retry_tiers(agent, delays) + [agent + suffix for suffix in suffixes]
    names += runtime_topics()
    # AgentTopics.isCompacted: the registry, and every agent's timers, state and journal.
    registry = runtime_topic_names().get("registry")
    if registry is None:
        raise SourceError("AgentTopics.swift: no registry topic")
    retention = str(journal_retention_days() * 86_400_000)
    seen, topics = set(), []
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        configs = {}
        if name.endswith((".timers", ".state", ".journal")) or name == registry:
            configs["cleanup.policy"] = "compact"
        if name.endswith(".journal"):
            configs = {"cleanup.policy": "compact,delete", "retention.ms": retention}
        topics.append((name, configs))
    return topics


def kafka_topics_yaml():
    lines = [
        "# Generated by scripts/generate-k8s-files.py from schemas/, Package.swift and the runtime's",
        "# topic rules; do not edit (scripts/check-deploy.sh fails when it is not up to date).",
        "# The topics `agentbus topics create` makes for the example agents, as Strimzi KafkaTopics.",
    ]
    for name, configs in wanted_topics():
        lines += [
            "---",
            "apiVersion: kafka.strimzi.io/v1beta2",
            "kind: KafkaTopic",
            "metadata:",
            f"  name: {name}",
            "  labels:",
            f"    strimzi.io/cluster: {STRIMZI_CLUSTER}",
            "    app.kubernetes.io/part-of: agentbus",
            "spec:",
            f"  topicName: {name}",
            f"  partitions: {PARTITIONS}",
            f"  replicas: {REPLICAS}",
        ]
        if configs:
            lines.append("  config:")
            lines += [f'    {key}: "{value}"' for key, value in configs.items()]
    return "\n".join(lines) + "\n"


def schema_files():
    """schemas/'s files by their path under it; only schemas/ and one level of folders."""
    files = {}
    for path in sorted(SCHEMAS.rglob("*.json")):
        relative = path.relative_to(SCHEMAS)
        if len(relative.parts) > 2:
            raise SourceError(f"schemas/{relative}: the ConfigMaps hold schemas/ and its folders, not deeper")
        files[relative.as_posix()] = path.read_bytes()
    return files


def configmap_name(folder):
    return "agentbus-schemas" if folder == "" else f"agentbus-schemas-{folder}"


def schemas_kustomization():
    """One ConfigMap per folder of the catalog (a ConfigMap key cannot hold a `/`)."""
    folders = {}
    for relative in schema_files():
        folder, _, _ = relative.rpartition("/")
        folders.setdefault(folder, []).append(relative)
    lines = [
        "# Generated by scripts/generate-k8s-files.py: the schema catalog's ConfigMaps, one per folder",
        "# of schemas/ (copied here beside it: kustomize reads no file outside this folder). The",
        "# agents' init container puts them back together as one catalog (../agent-defaults.yaml).",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "configMapGenerator:",
    ]
    for folder in sorted(folders):
        lines += [f"  - name: {configmap_name(folder)}", "    files:"]
        lines += [f"      - {relative}" for relative in folders[folder]]
    return "\n".join(lines) + "\n"


def wanted_files():
    """Every generated file: path → bytes."""
    files = {TOPICS_FILE: kafka_topics_yaml().encode()}
    for relative, content in schema_files().items():
        files[SCHEMAS_COPY / relative] = content
    files[SCHEMAS_COPY / "kustomization.yaml"] = schemas_kustomization().encode()
    return files


def stale_files(wanted):
    """Generated files that differ from what they should be, missing, or left over."""
    stale = [path for path, content in wanted.items() if not path.exists() or path.read_bytes() != content]
    if SCHEMAS_COPY.exists():
        stale += [path for path in SCHEMAS_COPY.rglob("*") if path.is_file() and path not in wanted]
    return sorted(stale)


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        print("usage: scripts/generate-k8s-files.py [--check]", file=sys.stderr)
        return 64
    try:
        wanted = wanted_files()
    except SourceError as error:
        print(f"generate-k8s-files: {error}", file=sys.stderr)
        return 1
    stale = stale_files(wanted)
    if check:
        if stale:
            names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
            print(f"generate-k8s-files: not up to date: {names}; run scripts/generate-k8s-files.py", file=sys.stderr)
            return 1
        return 0
    for path in stale:
        if path in wanted:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(wanted[path])
        else:
            path.unlink()
    print(f"generate-k8s-files: {len(stale)} file(s) written or removed, {len(wanted)} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

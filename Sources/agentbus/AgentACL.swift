import Foundation
import AgentBus

/// The Kafka ACLs one agent needs, worked out from its ``AgentDescription``: read its group and
/// the topics it consumes and follows, write the topics it produces to and keeps its books in.
/// Read and Write imply Describe, which the runtime's metadata and offset look-ups need.
struct AgentACL: Equatable {
    enum ResourceType: String {
        case topic = "Topic"
        case group = "Group"
        case cluster = "Cluster"
    }

    enum PatternType: String {
        case literal = "LITERAL"
        case prefixed = "PREFIXED"
    }

    struct Grant: Equatable {
        let resource: ResourceType
        let name: String
        let pattern: PatternType
        let operation: String
    }

    let agent: String
    let principal: String
    let grants: [Grant]

    /// The prefix of the groups every instance's follower is named with; the follower assigns its
    /// partitions and commits nothing, but its client still looks up a group coordinator.
    static let followerGroupPrefix = "agentbus-follow-"

    init(description: AgentDescription, principal: String) {
        agent = description.agent
        self.principal = principal
        var grants = [Grant(resource: .group, name: description.group, pattern: .literal, operation: "Read")]
        grants.append(Grant(resource: .group, name: Self.followerGroupPrefix, pattern: .prefixed, operation: "Read"))
        var read: [String] = []
        for topic in description.subscribes + description.follows where !read.contains(topic) { read.append(topic) }
        grants += read.map { Grant(resource: .topic, name: $0, pattern: .literal, operation: "Read") }
        grants += description.writes.map { Grant(resource: .topic, name: $0, pattern: .literal, operation: "Write") }
        // Idempotent producers need it on Kafka before 2.8; later versions imply it from Write.
        grants.append(Grant(resource: .cluster, name: "kafka-cluster", pattern: .literal, operation: "IdempotentWrite"))
        self.grants = grants
    }

    /// `kafka-acls.sh` commands, one per grant, run against `bootstrap` with `commandConfig`.
    func kafkaACLsCommands(bootstrap: String, commandConfig: String?) -> [String] {
        let prefix = "kafka-acls.sh --bootstrap-server \(bootstrap)"
            + (commandConfig.map { " --command-config \($0)" } ?? "")
            + " --add --allow-principal \(principal)"
        return grants.map { grant in
            let resource: String
            switch grant.resource {
            case .topic: resource = "--topic \(grant.name)"
            case .group: resource = "--group \(grant.name)"
            case .cluster: resource = "--cluster"
            }
            let pattern = grant.pattern == .prefixed ? " --resource-pattern-type prefixed" : ""
            return "\(prefix) --operation \(grant.operation) \(resource)\(pattern)"
        }
    }

    /// A Strimzi `KafkaUser` named after the agent, with SCRAM-SHA-512 authentication and these
    /// grants as its simple authorization.
    func strimziKafkaUser(cluster: String) -> String {
        var lines = [
            "apiVersion: kafka.strimzi.io/v1beta2",
            "kind: KafkaUser",
            "metadata:",
            "  name: \(agent)",
            "  labels:",
            "    strimzi.io/cluster: \(cluster)",
            "spec:",
            "  authentication:",
            "    type: scram-sha-512",
            "  authorization:",
            "    type: simple",
            "    acls:",
        ]
        for grant in grants {
            lines.append("      - resource:")
            lines.append("          type: \(grant.resource.rawValue.lowercased())")
            if grant.resource != .cluster {
                lines.append("          name: \(grant.name)")
                lines.append("          patternType: \(grant.pattern.rawValue.lowercased())")
            }
            lines.append("        operations: [\(grant.operation)]")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object: the agent, its principal and its grants.
    var json: String {
        let grantsJSON = grants.map { grant in
            "{\"resourceType\":\"\(grant.resource.rawValue)\",\"name\":\(Self.quoted(grant.name)),"
                + "\"patternType\":\"\(grant.pattern.rawValue)\",\"operation\":\"\(grant.operation)\"}"
        }
        return "{\"agent\":\(Self.quoted(agent)),\"principal\":\(Self.quoted(principal)),\"acls\":[\(grantsJSON.joined(separator: ","))]}"
    }

    /// Names here are topic, group and principal names: no control characters, but a principal
    /// may hold a quote or backslash.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

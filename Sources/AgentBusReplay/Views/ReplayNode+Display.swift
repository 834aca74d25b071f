import AgentBus

/// What every replay view needs to say about an event, computed one way so the views agree.
extension ReplayNode {
    /// The first eight characters of the ID: enough to tell one workflow's events apart, short
    /// enough for a tree line. UUIDv7 IDs share a time prefix, but within one workflow the first
    /// eight characters still differ unless events were published in the same ~65 ms window;
    /// the JSON export always carries the full ID.
    var shortID: String { String(id.prefix(8)) }

    /// Who published the event, for people: the agent's name, else the raw source (`/cli`,
    /// `/external/billing`).
    var publisherName: String { agent ?? source }

    /// When the event was done with, as far as the log shows: the latest finish among its
    /// handlings, else its publish time. Never before the publish time, so clock skew between
    /// producer and consumer cannot make an event end before it began.
    var endTime: Int64 {
        handlings.reduce(time) { max($0, $1.finishedAt) }
    }

    /// Whether the event names a cause that the workflow does not hold.
    var isOrphan: Bool { parent == nil && causationID != nil }

    /// The index of the handling whose outputs include `eventID`, if its activity record was read.
    /// The last such handling when several claim it: a handler re-run after a crash republishes
    /// the same derived IDs, and the run that finished last is the one whose outputs stood.
    func handlingIndex(publishing eventID: String) -> Int? {
        handlings.lastIndex { $0.published.contains(eventID) }
    }
}

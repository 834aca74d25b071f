/// The Kafka header names of the AgentBus envelope (CloudEvents 1.0, Kafka protocol binding,
/// binary content mode, plus AgentBus's extensions).
public enum EnvelopeHeader {
    public static let specVersion = "ce_specversion"
    public static let id = "ce_id"
    public static let source = "ce_source"
    public static let type = "ce_type"
    public static let time = "ce_time"
    public static let dataSchema = "ce_dataschema"
    /// Binary mode carries the data content type here, not in `ce_datacontenttype`.
    public static let contentType = "content-type"
    public static let correlationID = "ce_correlationid"
    public static let causationID = "ce_causationid"
    public static let traceParent = "traceparent"
    public static let traceState = "tracestate"
    public static let hops = "agentbus_hops"
    /// The cost the workflow has spent up to and including this event's cause (decimal).
    public static let cost = "agentbus_cost"
    /// The workflow's limits (``WorkflowBudget``), inherited unchanged.
    public static let budget = "agentbus_budget"

    /// The only CloudEvents version AgentBus speaks.
    public static let supportedSpecVersion = "1.0"
    public static let jsonContentType = "application/json"

    /// The headers AgentBus interprets; any other `ce_` header is kept as an extension.
    static let interpretedNames = [
        specVersion, id, source, type, time, dataSchema, contentType, correlationID, causationID, traceParent,
        traceState, hops, cost, budget,
    ]
    package static let interpreted = Set(interpretedNames)
}

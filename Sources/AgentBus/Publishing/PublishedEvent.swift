/// An event the broker acknowledged, and where it landed.
public struct PublishedEvent: Sendable {
    public let envelope: EventEnvelope
    public let topic: String
    public let partition: Int32
    public let offset: Int64
}

import Kafka

/// One recorded effect: its result as the handler will get it back, and, for a model call,
/// what the call cost (``ModelCallRecord`` as JSON).
package struct EffectJournalEntry: Sendable, Hashable {
    /// The result, JSON-encoded (redacted when the effect asked for it).
    package var result: [UInt8]
    /// A model call's record as JSON; empty for other effects.
    package var call: [UInt8]

    package init(result: [UInt8], call: [UInt8] = []) {
        self.result = result
        self.call = call
    }

    init(record: KafkaRecord) {
        result = record.value.array
        call = record.headers.first { $0.name == EffectHeader.modelCall }?.value?.array ?? []
    }
}

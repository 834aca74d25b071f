/// A pointer to a librdkafka object that librdkafka allows to be used from any thread (a client
/// handle, a topic handle). The owner destroys it in the order librdkafka requires.
struct RDKafkaPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}

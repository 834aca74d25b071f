import Kafka
import Logging

/// Logs a registry record that could not be written. The runtime does not wait for that
/// record's acknowledgement, so its failure arrives here, on the producer's thread.
final class RegistryDeliveryLog: KafkaDeliveryCallback, @unchecked Sendable {
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    override func failed(_ error: KafkaError) {
        logger.warning("registry record not written", metadata: ["error": "\(error.message)"])
    }
}

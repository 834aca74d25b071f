import CRdKafka

/// An error from the Kafka layer: a stable code, a one-line message, and whether retrying can help.
///
/// librdkafka's result codes are wrapped here, once. The message never contains a secret: values of
/// sensitive configuration properties are redacted before they reach an error (see
/// ``KafkaConfigurationProperties``).
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Match on it; the message is for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case configuration, timedOut, queueFull, messageTooLarge, unknownTopicOrPartition
            case notAssigned, transport, authentication, fatal, closed, clusterError, broker
        }
        fileprivate let base: Base

        /// A property is unknown, a value is invalid, or a required setting is missing.
        public static let configuration = Code(base: .configuration)
        /// The operation did not finish in time (for a delivery: `message.timeout.ms` passed).
        public static let timedOut = Code(base: .timedOut)
        /// The producer's local queue is full (`queue.buffering.max.messages` or `.kbytes`).
        public static let queueFull = Code(base: .queueFull)
        /// The message is larger than `message.max.bytes`.
        public static let messageTooLarge = Code(base: .messageTooLarge)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(base: .unknownTopicOrPartition)
        /// An offset was stored for a partition this consumer no longer owns (it was revoked).
        public static let notAssigned = Code(base: .notAssigned)
        /// Brokers cannot be reached or the connection failed.
        public static let transport = Code(base: .transport)
        /// SASL or SSL authentication failed.
        public static let authentication = Code(base: .authentication)
        /// The client hit an unrecoverable error and must be recreated.
        public static let fatal = Code(base: .fatal)
        /// The client was closed.
        public static let closed = Code(base: .closed)
        /// The embedded cluster could not do what was asked.
        public static let clusterError = Code(base: .clusterError)
        /// Any other error the broker or librdkafka reported; see ``KafkaError/librdkafkaName``.
        public static let broker = Code(base: .broker)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// One line that says what went wrong, for people.
    public let message: String
    /// True when the same operation may succeed if tried again later.
    public let isRetriable: Bool
    /// librdkafka's name for the underlying result code (for example `_MSG_TIMED_OUT`), if any.
    public let librdkafkaName: String?

    public init(code: Code, message: String, isRetriable: Bool = false, librdkafkaName: String? = nil) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.librdkafkaName = librdkafkaName
    }

    public var description: String { message }
}

extension KafkaError {
    static func configuration(_ message: String) -> KafkaError {
        KafkaError(code: .configuration, message: message)
    }

    static func closed(_ what: String) -> KafkaError {
        KafkaError(code: .closed, message: "\(what) is closed")
    }

    /// Wraps a librdkafka result code. `context` says what was being done ("delivery to orders").
    init(_ err: rd_kafka_resp_err_t, context: String, detail: String? = nil) {
        let name = String(cString: rd_kafka_err2name(err))
        let text = detail ?? String(cString: rd_kafka_err2str(err))
        self.init(
            code: Self.code(for: err),
            message: "\(context): \(text)",
            isRetriable: Self.isRetriable(err),
            librdkafkaName: name
        )
    }

    /// Wraps a `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer, context: String) {
        let err = rd_kafka_error_code(error)
        let text = String(cString: rd_kafka_error_string(error))
        let retriable = rd_kafka_error_is_retriable(error) != 0
        let fatal = rd_kafka_error_is_fatal(error) != 0
        rd_kafka_error_destroy(error)
        self.init(
            code: fatal ? .fatal : Self.code(for: err),
            message: "\(context): \(text)",
            isRetriable: retriable || Self.isRetriable(err),
            librdkafkaName: String(cString: rd_kafka_err2name(err))
        )
    }

    private static func code(for err: rd_kafka_resp_err_t) -> Code {
        switch err {
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            return .timedOut
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return .queueFull
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
            return .messageTooLarge
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return .unknownTopicOrPartition
        case RD_KAFKA_RESP_ERR__STATE:
            return .notAssigned
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            return .transport
        case RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
            RD_KAFKA_RESP_ERR__SSL:
            return .authentication
        case RD_KAFKA_RESP_ERR__FATAL:
            return .fatal
        case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR__UNKNOWN_PROTOCOL:
            return .configuration
        default:
            return .broker
        }
    }

    private static func isRetriable(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__RESOLVE:
            return true
        default:
            return false
        }
    }
}

/// How a client authenticates and encrypts its connections.
///
/// The default is plaintext with no authentication, as on the embedded cluster and a local Kafka.
/// For a managed cluster, set ``protocol`` and ``sasl`` (and ``tls`` where a private CA is used).
/// These lower to the librdkafka properties of the same meaning (`security.protocol`,
/// `sasl.mechanism`, `sasl.username`, `sasl.password`, `ssl.*`), so any further SASL or SSL
/// property can also be passed through `properties` unchanged.
public struct KafkaSecurity: Sendable, Hashable {
    public enum SecurityProtocol: String, Sendable, Hashable {
        case plaintext = "plaintext"
        case ssl = "ssl"
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"
    }

    public struct SASL: Sendable, Hashable {
        public enum Mechanism: String, Sendable, Hashable {
            case plain = "PLAIN"
            case scramSHA256 = "SCRAM-SHA-256"
            case scramSHA512 = "SCRAM-SHA-512"
            case oauthBearer = "OAUTHBEARER"
            case gssapi = "GSSAPI"
        }

        /// Default: `.plain`.
        public var mechanism: Mechanism
        public var username: String?
        public var password: KafkaSecret?

        public init(mechanism: Mechanism = .plain, username: String? = nil, password: KafkaSecret? = nil) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    public struct TLS: Sendable, Hashable {
        /// PEM file of the CA(s) that signed the brokers' certificates. Default: the system's CAs.
        public var caLocation: String?
        /// Client certificate (PEM) for mutual TLS. Default: none.
        public var certificateLocation: String?
        /// Client private key (PEM) for mutual TLS. Default: none.
        public var keyLocation: String?
        /// Passphrase of the client private key. Default: none.
        public var keyPassword: KafkaSecret?
        /// Verify the broker's host name against its certificate. Default: `true`.
        public var verifyHostname: Bool

        public init(
            caLocation: String? = nil, certificateLocation: String? = nil, keyLocation: String? = nil,
            keyPassword: KafkaSecret? = nil, verifyHostname: Bool = true
        ) {
            self.caLocation = caLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
            self.keyPassword = keyPassword
            self.verifyHostname = verifyHostname
        }
    }

    /// Default: `.plaintext`.
    public var `protocol`: SecurityProtocol
    /// Default: none.
    public var sasl: SASL?
    /// Default: none (the system's CAs, host name verification on, when `protocol` uses SSL).
    public var tls: TLS?

    public init(protocol: SecurityProtocol = .plaintext, sasl: SASL? = nil, tls: TLS? = nil) {
        self.protocol = `protocol`
        self.sasl = sasl
        self.tls = tls
    }

    /// Plaintext, no authentication.
    public static let plaintext = KafkaSecurity()
}

import Foundation

extension ApproverDirectory {
    /// A role with lending (or spending, or any other) authority up to `limit`.
    public struct Role: Sendable, Equatable, Hashable {
        public var name: String
        /// The largest amount the role may decide; nil: no limit.
        public var limit: Decimal?

        public init(name: String, limit: Decimal? = nil) {
            self.name = name
            self.limit = limit
        }

        /// Whether the role may decide `amount`.
        public func covers(_ amount: Decimal) -> Bool { limit.map { amount <= $0 } ?? true }
    }
}

import AgentBus
import JSONSchema

/// Shorthands the replay exports use to build their documents without Foundation.
extension JSONValue {
    /// A whole number. Replay's figures (ms since 1970, offsets, µs) fit a 64-bit `Int`.
    static func integer(_ value: Int64) -> JSONValue { .number(JSONNumber(Int(value))) }

    static func integer(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    /// A cost: rounded to ten decimals, so a sum of many calls prints as `0.0042` rather than
    /// `0.004200000000000001`; `null` if it is not finite (no JSON number is).
    package static func cost(_ value: Double) -> JSONValue {
        let rounded = (value * 1e10).rounded() / 1e10
        return rounded.isFinite ? .number(JSONNumber(rounded)) : .null
    }

    /// The string, or `null` when absent: exports keep every key present so that a reader
    /// (`jq`, a notebook) need not guess whether a missing key means "none" or "not exported".
    static func string(orNull value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// An object whose members keep the order given, which is the order written.
    static func fields(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members: members.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}

import AgentBus
import JSONSchema
import LoanEvents

/// What the model is asked to answer, as JSON matching ``schema``: the explanation and up to
/// three key factors. Its answer is untrusted input, checked by ``parse(_:decision:)``.
struct ModelExplanation: Codable, Equatable {
    var explanation: String
    var keyFactors: [String]

    /// The answer's JSON Schema, sent as the request's structured output format and checked
    /// again here: a server may ignore the format, and a small model may still stray.
    static let schemaText = """
        {"type":"object","properties":{\
        "explanation":{"type":"string","minLength":20,"maxLength":600},\
        "keyFactors":{"type":"array","items":{"type":"string","minLength":2,"maxLength":120},"minItems":1,"maxItems":3}},\
        "required":["explanation","keyFactors"],"additionalProperties":false}
        """

    private static let validator: SchemaValidator = {
        let value = try! JSONValue(parsing: Array(schemaText.utf8))
        let set = try! SchemaSet(documents: [SchemaDocument(value: value, uri: "urn:agentbus:explainer:answer")])
        return set.validator(for: "urn:agentbus:explainer:answer")!
    }()

    /// Words that, in an explanation of `decision`, say the opposite.
    private static let contradictions: [LoanDecision: [String]] = [
        .approved: ["declined", "rejected", "denied"],
        .declined: ["approved", "accepted", "granted"],
        .referred: ["approved", "declined"],
    ]

    /// The model's answer if it is usable for `decision`, else why not, in one line.
    static func parse(_ content: String, decision: LoanDecision) -> Result<ModelExplanation, Unusable> {
        let bytes = Array(content.utf8)
        let violations = validator.validate(bytes)
        if let first = violations.first {
            return .failure(Unusable("the model's answer does not match the explanation schema: \(first)"))
        }
        guard let answer = try? JSONPayload.decode(ModelExplanation.self, from: bytes) else {
            return .failure(Unusable("the model's answer does not decode"))
        }
        let text = answer.explanation.lowercased()
        if let word = contradictions[decision]?.first(where: { text.contains($0) }) {
            return .failure(Unusable("the model's answer says \"\(word)\" about a \(decision.rawValue) application"))
        }
        return .success(answer)
    }

    /// Why an answer was not used.
    struct Unusable: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = String(reason.prefix(300)) }
    }
}

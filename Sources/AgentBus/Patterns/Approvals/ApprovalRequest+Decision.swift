import JSONSchema

extension ApprovalRequest {
    /// The decision event answering this request, as a child of it: same workflow (correlation
    /// ID), caused by it, one hop deeper, in its trace, so a replay shows the decision in the
    /// workflow's tree.
    ///
    /// The payload has the members the console fills in: `requestId` (this request's ID),
    /// `approver` (`id`, `name` = the person's display name, `role`), `origin`, `decidedAt`,
    /// `comment` when given, and `extra` (e.g. a `reasonCode`). It also carries over the
    /// request's members that the decision's schema declares (`declaredProperties`), such as a
    /// business ID, and a granted decision gets the request's `amount` as `approvedAmount` when
    /// the schema declares that. The event's ID is derived from the request's ID, the type and
    /// the person, so the same person sending the same decision twice sends one event twice,
    /// which readers drop as a duplicate. It has the request's Kafka key, so on a topic both
    /// share it lands in the request's partition, after it, in the order every reader sees.
    public func decision(
        _ outcome: ApprovalDecision.Outcome, type: String, by person: ApproverDirectory.Person,
        declaredProperties: Set<String>, origin: ApprovalOrigin, comment: String?, extra: [String: JSONValue] = [:],
        at time: EventTime = .now(), source: String = "/cli"
    ) -> EventEnvelope {
        var filled: [(String, JSONValue)] = [
            ("requestId", .string(id)),
            ("approver", .object(JSONObject([
                "id": .string(person.id), "name": .string(person.displayName), "role": .string(person.role),
            ]))),
            ("origin", .object(JSONObject(["host": .string(origin.host), "user": .string(origin.user)]))),
            ("decidedAt", .string(time.description)),
        ]
        if outcome == .granted, declaredProperties.contains("approvedAmount"), let amount = payload["amount"] {
            filled.append(("approvedAmount", amount))
        }
        if let comment { filled.append(("comment", .string(comment))) }
        filled += extra.sorted { $0.key < $1.key }
        let filledKeys = Set(filled.map(\.0))
        var members = payload.members.filter { declaredProperties.contains($0.key) && !filledKeys.contains($0.key) }
        members += filled.map { JSONObject.Member(key: $0.0, value: $0.1) }

        var envelope = self.envelope.child(
            type: type, data: Array(JSONValue.object(JSONObject(members: members)).jsonText.utf8), agent: "approvals",
            output: .name(person.name), key: self.envelope.key)
        envelope.source = source
        envelope.time = time
        return envelope
    }
}

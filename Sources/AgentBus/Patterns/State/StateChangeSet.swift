import Foundation
import Kafka

/// One handling's state changes, written and applied as a unit.
///
/// A handling may change several keys, and `<agent>.state` spreads keys over partitions, which
/// a dying instance may leave half written. Read one by one, such a half would show other
/// handlings a state no handling made (say, a collection opened without the application it was
/// opened for), and they would act on it. So each record of a handling that changed several
/// keys names its set (its write ID is `<set>/<n>`) and lists the set's keys, and a replica
/// (``StateStore``) applies the set once it has read all of it, or once every key it has not
/// read was changed again later: compaction keeps only a key's latest record, so a set's record
/// of a key changed since may be gone for good, and its later value is the one that counts.
package enum StateChangeSet {
    /// One handling's state changes, in order, as they are written: the last change of each
    /// key (an earlier one is replaced anyway, and compaction could leave only the last), each
    /// stamped with the set's keys when there are several.
    package static func sealed(_ writes: [RuntimeWrite]) -> [RuntimeWrite] {
        var lastByKey: [String: Int] = [:]
        for (index, write) in writes.enumerated() { lastByKey[write.key] = index }
        let last = writes.indices.filter { lastByKey[writes[$0].key] == $0 }.map { writes[$0] }
        guard last.count > 1 else { return last }
        let keys = last.map(\.key)
        let list = (try? JSONSerialization.data(withJSONObject: keys)).map { Array($0) } ?? []
        return last.map { write in
            var sealed = write
            sealed.headers.append(KafkaHeader(name: StateHeader.setKeys, value: list))
            return sealed
        }
    }

    /// The set of a record read from the changelog and its keys, or nil for a record that
    /// stands alone (the only change of its handling, or written without a set).
    static func membership(of record: KafkaRecord) -> (set: String, members: Set<String>)? {
        guard let list = record.headers[StateHeader.setKeys]?.array,
            let keys = (try? JSONSerialization.jsonObject(with: Data(list))) as? [String], keys.count > 1,
            let writeID = record.headers.string(named: StateHeader.writeID),
            let slash = writeID.lastIndex(of: "/")
        else { return nil }
        return (String(writeID[..<slash]), Set(keys))
    }
}

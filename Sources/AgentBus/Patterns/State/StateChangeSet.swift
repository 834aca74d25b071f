import Kafka

/// One handling's state changes, written and applied as a unit.
///
/// A handling may change several keys, and `<agent>.state` spreads keys over partitions, which
/// a dying instance may leave half written. Read one by one, such a half would show other
/// handlings a state no handling made (say, a collection opened without the application it was
/// opened for), and they would act on it. So each record names its set (its write ID is
/// `<set>/<n>`) and the set's size, and a replica (``StateStore``) applies a set only once it
/// has read all of it. A set never completed belongs to a handling whose event was not
/// finished: that event is read again and handled afresh, under a new set.
package enum StateChangeSet {
    /// Stamps `writes`, one handling's state changes, with the size of their set.
    package static func sealed(_ writes: [RuntimeWrite]) -> [RuntimeWrite] {
        let size = String(writes.count)
        return writes.map { write in
            var sealed = write
            sealed.headers.append(KafkaHeader(name: StateHeader.setSize, value: size))
            return sealed
        }
    }

    /// The set of a record read from the changelog and its size, or nil for a record that stands
    /// alone (a set of one, or written without a set).
    static func membership(of record: KafkaRecord) -> (set: String, size: Int)? {
        guard let size = record.headers.string(named: StateHeader.setSize).flatMap(Int.init), size > 1,
            let writeID = record.headers.string(named: StateHeader.writeID),
            let slash = writeID.lastIndex(of: "/")
        else { return nil }
        return (String(writeID[..<slash]), size)
    }
}

/// The names of the last `capacity` state change sets a replica applied, oldest forgotten
/// first: enough to recognise a set's late member (read after the set was applied without it),
/// in bounded memory.
struct RecentSets {
    private let capacity: Int
    private var members: Set<String> = []
    private var order: [String] = []
    private var start = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    func contains(_ set: String) -> Bool { members.contains(set) }

    mutating func insert(_ set: String) {
        guard members.insert(set).inserted else { return }
        order.append(set)
        if members.count > capacity {
            members.remove(order[start])
            start += 1
        }
        // The forgotten names stay in `order` until they are half of it.
        if start > capacity {
            order.removeFirst(start)
            start = 0
        }
    }
}

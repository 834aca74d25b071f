/// A time per key for the last `capacity` keys recorded, oldest forgotten first: when a state
/// replica's recently deleted keys were deleted, in bounded memory.
struct RecentTimes {
    private let capacity: Int
    private var times: [String: Int64] = [:]
    private var order: [String] = []
    private var start = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: String) -> Int64? {
        get { times[key] }
        set {
            guard let newValue else {
                times[key] = nil
                return
            }
            if times.updateValue(newValue, forKey: key) == nil { order.append(key) }
            // Forget the oldest past capacity (a key listed twice, once removed and once set
            // again, is forgotten at its older place: a harmless early forgetting).
            while times.count > capacity, start < order.count {
                times[order[start]] = nil
                start += 1
            }
            if start > capacity {
                order.removeFirst(start)
                start = 0
            }
            // Keys removed since stay listed until the list is twice the capacity.
            if order.count - start > 2 * capacity {
                let times = times
                order = order[start...].filter { times[$0] != nil }
                start = 0
            }
        }
    }
}

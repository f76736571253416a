/// Which scheduled reads a follower starts, block by block, without I/O. A task falls due at
/// the blocks its schedule names (`ScheduleClock`); each due read is of that block's state and
/// is stored at that block, so following stores what history loading would. A task runs one
/// read at a time: one falling due while another runs waits its turn (at most `waitingLimit`;
/// beyond, the oldest is given up). A read the node failed is tried again `retryBlocks` later,
/// of the same block's state, at most `attempts` times. A task's first read after following
/// starts is taken at once, for the live values, and not stored unless the block is due.
struct ScheduledReads<Read: Sendable>: Sendable {
    struct Pending: Sendable {
        let task: String
        /// The block whose state is read, and at which its samples are stored.
        let block: UInt64
        let read: Read
        /// Due by the schedule: its samples go to the store; otherwise to the live values only.
        let stored: Bool
        var attempts = 0
        var notBefore: UInt64 = 0
    }

    static var retryBlocks: UInt64 { 10 }
    static var attempts: Int { 5 }
    static var waitingLimit: Int { 8 }

    private var waiting: [String: [Pending]] = [:]
    private var running: Set<String> = []
    private var started: Set<String> = []
    private var parent: ScheduleClock.Moment?

    /// What a block brings: the reads to start now, and due reads given up (too many waiting).
    mutating func block(_ now: ScheduleClock.Moment, tasks: [(name: String, sampling: MetricDefinition.Sampling)], read: Read)
        -> (start: [Pending], givenUp: [Pending])
    {
        defer { parent = now }
        var givenUp = [Pending]()
        for (name, sampling) in tasks {
            if ScheduleClock.isDue(sampling, parent: parent, now: now) {
                waiting[name, default: []].append(Pending(task: name, block: now.block, read: read, stored: true))
                if waiting[name]!.count > Self.waitingLimit { givenUp.append(waiting[name]!.removeFirst()) }
            } else if !started.contains(name), !running.contains(name), waiting[name, default: []].isEmpty {
                waiting[name, default: []].append(Pending(task: name, block: now.block, read: read, stored: false))
            }
        }
        var start = [Pending]()
        for (name, queue) in waiting.sorted(by: { $0.key < $1.key }) where !running.contains(name) {
            guard let next = queue.first, next.notBefore <= now.block else { continue }
            waiting[name]!.removeFirst()
            running.insert(name)
            start.append(next)
        }
        return (start, givenUp)
    }

    /// A task's reads due or started and not yet finished.
    func pending(_ task: String) -> Int {
        (waiting[task]?.count ?? 0) + (running.contains(task) ? 1 : 0)
    }

    /// A read ended; whether it is given up: the node failed its last attempt. Another failed
    /// read is tried again later, of the same block's state.
    mutating func finished(_ pending: Pending, nodeFailed: Bool, at block: UInt64) -> Bool {
        running.remove(pending.task)
        started.insert(pending.task)
        guard nodeFailed else { return false }
        var again = pending
        again.attempts += 1
        guard again.attempts < Self.attempts else { return true }
        again.notBefore = block + Self.retryBlocks
        waiting[pending.task, default: []].insert(again, at: 0)
        return false
    }
}

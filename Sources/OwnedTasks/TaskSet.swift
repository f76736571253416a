import Synchronization

/// Tasks an object starts where it cannot await them (a stream's termination handler, a
/// connection held open for as long as a claim lives), owned by that object all the same:
/// each leaves the set when it ends, and `cancelAndWait()` (the owner's close) cancels those
/// still running and returns once every one has ended.
public final class TaskSet: Sendable {
    private struct State {
        var running: [Int: Task<Void, Never>] = [:]
        var next = 0
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Starts `work` as a task of this set; after `cancelAndWait()` it starts cancelled.
    public func spawn(_ work: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let id = state.next
            state.next += 1
            let task = Task { [weak self] in
                await work()
                self?.state.withLock { _ = $0.running.removeValue(forKey: id) }
            }
            if state.closed { task.cancel() }
            state.running[id] = task
        }
    }

    /// The tasks running now.
    public var count: Int { state.withLock { $0.running.count } }

    /// Cancels every task of the set and waits for each to end, those spawned meanwhile too.
    public func cancelAndWait() async {
        while true {
            let running = state.withLock { state in
                state.closed = true
                return Array(state.running.values)
            }
            guard !running.isEmpty else { return }
            for task in running { task.cancel() }
            // Each removes itself as it ends; those spawned meanwhile are awaited on the next round.
            for task in running { await task.value }
        }
    }
}

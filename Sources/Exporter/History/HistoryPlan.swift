/// Where loading a range of history stands, without I/O: which chunk comes next and what is
/// left. Chunks are aligned to multiples of the chunk size, so a restart with the same or
/// another range finds the chunks already loaded, and come newest first. A chunk another
/// process holds goes to the back of the queue, to be waited for there: that process may die
/// or fail, and the range is complete only when every chunk is loaded or failed. A chunk
/// counts as done (its blocks no longer left) once it is written, found loaded, or recorded
/// as failed: progress never runs ahead of the store.
struct HistoryPlan: Sendable {
    let chunks: [ClosedRange<UInt64>]
    private var queue: [(chunk: ClosedRange<UInt64>, wait: Bool)]
    private var next = 0
    private(set) var chunksDone = 0
    private(set) var blocksLoaded: UInt64 = 0
    private(set) var blocksLeft: UInt64
    /// Each failed chunk, with why.
    private(set) var failures: [String] = []

    init(from: UInt64, to: UInt64, chunkSize: UInt64) {
        chunks = Self.chunks(from: from, to: to, size: chunkSize)
        queue = chunks.map { ($0, false) }
        blocksLeft = from <= to ? to - from + 1 : 0
    }

    /// The aligned chunks of `from…to`, newest first.
    static func chunks(from: UInt64, to: UInt64, size: UInt64) -> [ClosedRange<UInt64>] {
        var result = [ClosedRange<UInt64>]()
        guard from <= to else { return result }
        var high = to
        while high >= from {
            let low = max(high / size * size, from)
            result.append(low...high)
            guard low > from else { break }
            high = low - 1
        }
        return result
    }

    /// The chunk to load next, and whether to wait for another process's claim on it; nil once
    /// every chunk has had its turn.
    mutating func nextChunk() -> (chunk: ClosedRange<UInt64>, wait: Bool)? {
        guard next < queue.count else { return nil }
        defer { next += 1 }
        return queue[next]
    }

    /// Another process holds the chunk: it comes again at the end, then waited for.
    mutating func heldElsewhere(_ chunk: ClosedRange<UInt64>) {
        queue.append((chunk, true))
    }

    /// Found loaded already (here or by another process): done, nothing loaded by this run.
    mutating func foundLoaded(_ chunk: ClosedRange<UInt64>) {
        finish(chunk)
    }

    mutating func loaded(_ chunk: ClosedRange<UInt64>) {
        finish(chunk)
        blocksLoaded += UInt64(chunk.count)
    }

    /// Recorded as failed: done for this run, tried again by the next.
    mutating func failed(_ chunk: ClosedRange<UInt64>, _ message: String) {
        finish(chunk)
        failures.append("blocks \(chunk.lowerBound)–\(chunk.upperBound): \(message)")
    }

    private mutating func finish(_ chunk: ClosedRange<UInt64>) {
        chunksDone += 1
        blocksLeft -= UInt64(chunk.count)
    }

    /// Where the range stands after `chunk` came out as `outcome`.
    func progress(_ chunk: ClosedRange<UInt64>, _ outcome: HistoryLoader.ChunkOutcome) -> HistoryLoader.Progress {
        HistoryLoader.Progress(
            chunk: chunk, chunksDone: chunksDone, chunks: chunks.count, blocksLoaded: blocksLoaded, blocksLeft: blocksLeft, outcome: outcome,
            failures: failures.count)
    }

    /// How the whole load ends: with an error naming the failed chunks, if any failed.
    var outcome: HistoryLoader.LoadError? {
        failures.first.map { .chunksFailed(count: failures.count, first: $0) }
    }
}

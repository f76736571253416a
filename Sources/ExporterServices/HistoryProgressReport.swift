public import Exporter
public import Foundation

/// `backfill`'s progress as text: a bar redrawn in place on a terminal, one line per chunk
/// otherwise (logs, pipes), each with the rate and the time left at that rate.
public struct HistoryProgressReport: Sendable {
    public let chain: String
    public let started: Date
    /// A terminal redraws one line; anything else gets a line per chunk.
    public let terminal: Bool

    public init(chain: String, started: Date = Date(), terminal: Bool) {
        (self.chain, self.started, self.terminal) = (chain, started, terminal)
    }

    /// The text for `progress`: to print with a carriage return before it and no newline after
    /// on a terminal, as a line otherwise.
    public func text(_ progress: HistoryLoader.Progress, now: Date = Date()) -> String {
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(progress.blocksLoaded) / elapsed : 0
        let eta = rate > 0 ? Int(Double(progress.blocksLeft) / rate) : 0
        let timeLeft = String(format: "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
        let errors = progress.failures == 0 ? "" : ", \(progress.failures) failed"
        let blocksPerSecond = String(format: "%.0f", rate)
        if terminal {
            let done = Int(Double(progress.chunksDone) / Double(max(progress.chunks, 1)) * 30)
            let bar = String(repeating: "█", count: done) + String(repeating: "·", count: 30 - done)
            return "\(chain) \(bar) \(progress.chunksDone)/\(progress.chunks) chunks, \(blocksPerSecond) blocks/s, ETA \(timeLeft)\(errors)"
        }
        let state =
            switch progress.outcome {
            case .loaded where !progress.metricFailures.isEmpty:
                "loaded; failed for \(Set(progress.metricFailures.map(\.failure.metric)).sorted().joined(separator: ", ")) at \(progress.metricFailures.count) metric-block(s), recorded as failed for those metrics"
            case .loaded: "loaded"
            case .alreadyLoaded: "already loaded"
            case .loadedElsewhere: "loaded by another process"
            case let .failed(error): "failed: \(error)"
            }
        return "\(chain): blocks \(progress.chunk.lowerBound)–\(progress.chunk.upperBound) \(state) (chunk \(progress.chunksDone)/\(progress.chunks), \(blocksPerSecond) blocks/s, ETA \(timeLeft)\(errors))"
    }

    /// Prints `progress`: redrawn in place on a terminal, a line otherwise.
    public func show(_ progress: HistoryLoader.Progress) {
        guard terminal else { return print(text(progress)) }
        print("\r" + text(progress), terminator: "")
        fflush(nil)  // every output stream: the line shows at once
    }

    /// Ends the line redrawn in place, on a terminal.
    public func finish() {
        if terminal { print("") }
    }
}

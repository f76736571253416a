/// Exponential backoff with full jitter: attempt n waits a random time in 0…min(cap, base × 2ⁿ),
/// so many clients reconnecting to a recovered node do not arrive together.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// The longest wait before attempt `attempt` (0-based).
    public func ceiling(attempt: Int) -> Duration {
        let factor = Double(1 << min(attempt, 30))
        return min(cap, base * factor)
    }

    public func delay<Generator: RandomNumberGenerator>(attempt: Int, using generator: inout Generator) -> Duration {
        ceiling(attempt: attempt) * Double.random(in: 0...1, using: &generator)
    }

    public func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }
}

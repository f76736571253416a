import Synchronization

/// A token bucket for the whole server, as the exporter-toolkit's `rate_limit`: one token per
/// `interval`, at most `burst` saved up; a request without a token is refused (429).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    private let interval: Duration
    private let burst: Double
    private let bucket: Mutex<Bucket>

    init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = Double(burst)
        bucket = Mutex(Bucket(tokens: Double(burst), refilled: .now))
    }

    /// Takes a token if there is one; otherwise how long until there is.
    func take() -> Duration? {
        let now = ContinuousClock.now
        return bucket.withLock { bucket in
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.refilled) / interval)
            bucket.refilled = now
            guard bucket.tokens < 1 else {
                bucket.tokens -= 1
                return nil
            }
            return interval * (1 - bucket.tokens)
        }
    }
}

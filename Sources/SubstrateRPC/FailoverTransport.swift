public import ExactJSON
public import JSONRPC
public import Logging

/// Several endpoints of one chain behind one transport. A call goes to the endpoint in use; when
/// that fails at the transport level (refused, dropped, timed out) the next endpoint is tried,
/// after an exponential backoff with jitter once every endpoint has failed in a row. RPC errors
/// (the node answered) are returned as they are.
///
/// Subscriptions survive: when the connection under one breaks, or it stays silent for ten of
/// its usual gaps between notifications (at least 5 s, at most `stallTimeout`), it is
/// re-subscribed on a working endpoint and the sequence goes on. Heads
/// published while it was down are not replayed; whoever follows heads fills such gaps by number.
public actor FailoverTransport: RPCTransport {
    public nonisolated let endpoint: String
    private let transports: [any RPCTransport]
    private let backoff: Backoff
    private let stallTimeout: Duration
    private let logger: Logger
    private let spreadsCalls: Bool
    private var current = 0
    private var consecutiveFailures = 0
    private var supervisors: [Task<Void, Never>] = []

    /// - Parameters:
    ///   - endpoints: `ws://`, `wss://`, `http://` or `https://` URLs of the same chain.
    ///   - stallTimeout: the longest a subscription may stay silent before it is treated as dead;
    ///     one that notifies often gets less (ten of its usual gaps, at least 5 s).
    ///   - spreadsCalls: send successive calls to the endpoints in turn (loading history from
    ///     several nodes at once) instead of staying on one until it fails.
    public init(
        endpoints: [String], backoff: Backoff = Backoff(), stallTimeout: Duration = .seconds(60),
        spreadsCalls: Bool = false, observer: (any RPCObserver)? = nil,
        logger: Logger = Logger(label: "runtime-exporter.rpc")
    ) {
        precondition(!endpoints.isEmpty, "a chain needs at least one endpoint")
        transports = endpoints.map { url in
            url.hasPrefix("ws") ? WebSocketTransport(endpoint: url, observer: observer, logger: logger) as any RPCTransport
                : HTTPTransport(endpoint: url, observer: observer)
        }
        endpoint = endpoints.joined(separator: ",")
        self.backoff = backoff
        self.stallTimeout = stallTimeout
        self.spreadsCalls = spreadsCalls
        self.logger = logger
    }

    /// The endpoint calls go to now.
    public var activeEndpoint: String { transports[current].endpoint }

    public func call(_ call: RPCCall, timeout: Duration) async throws(RPCError) -> JSON {
        try await withFailover(timeout: timeout, method: call.method) { transport, remaining throws(RPCError) in
            try await transport.call(call, timeout: remaining)
        }
    }

    public func batch(_ calls: [RPCCall], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>] {
        try await withFailover(timeout: timeout, method: "batch") { transport, remaining throws(RPCError) in
            try await transport.batch(calls, timeout: remaining)
        }
    }

    public func subscribe(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription {
        let first = try await subscribeOnce(call, unsubscribeMethod: unsubscribeMethod, timeout: timeout)
        let (stream, continuation) = AsyncThrowingStream<JSON, any Error>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let supervisor = Task { [stallTimeout, backoff] in
            var subscription = first
            let pace = NotificationPace(ceiling: stallTimeout)
            while !Task.isCancelled {
                // Forward until the subscription ends, breaks or stalls.
                let ended = await forward(subscription, to: continuation, pace: pace)
                guard !Task.isCancelled else { break }
                logger.warning("subscription \(call.method) lost (\(ended)); re-subscribing")
                do throws(RPCError) {
                    subscription = try await subscribeOnce(call, unsubscribeMethod: unsubscribeMethod, timeout: timeout)
                } catch {
                    if case .closed = error.kind { break }
                    // Every endpoint is failing: withFailover has backed off; pause before the next round.
                    try? await Task.sleep(for: backoff.base)
                    continue
                }
            }
            continuation.finish(throwing: RPCError(.closed, endpoint: endpoint, method: call.method))
        }
        continuation.onTermination = { _ in supervisor.cancel() }
        // Owned here: cancelled and awaited by `close()`.
        supervisors.append(supervisor)
        return RPCSubscription(id: first.id, stream: stream)
    }

    /// Closes every endpoint; once it returns, no subscription of this transport is kept alive.
    public func close() async {
        let supervisors = supervisors
        self.supervisors.removeAll()
        for supervisor in supervisors { supervisor.cancel() }
        // Closing the endpoints ends the subscriptions the supervisors forward.
        for transport in transports { await transport.close() }
        for supervisor in supervisors { await supervisor.value }
    }

    // MARK: Internals

    private func subscribeOnce(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription {
        try await withFailover(timeout: timeout, method: call.method) { transport, remaining throws(RPCError) in
            try await transport.subscribe(call, unsubscribeMethod: unsubscribeMethod, timeout: remaining)
        }
    }

    /// Forwards notifications; returns why forwarding stopped.
    private nonisolated func forward(
        _ subscription: RPCSubscription, to continuation: AsyncThrowingStream<JSON, any Error>.Continuation, pace: NotificationPace
    ) async -> String {
        await pace.restart()
        return await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    for try await notification in subscription {
                        await pace.touch()
                        continuation.yield(notification)
                    }
                    return "ended"
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: NotificationPace.checkEvery)
                    if let patience = await pace.exhausted { return "silent for \(patience)" }
                }
                return "cancelled"
            }
            let reason = await group.next() ?? "cancelled"
            group.cancelAll()
            return reason
        }
    }

    private func withFailover<T>(
        timeout: Duration, method: String,
        _ body: (any RPCTransport, Duration) async throws(RPCError) -> T
    ) async throws(RPCError) -> T {
        let deadline = ContinuousClock.now + timeout
        var lastError = RPCError(.timeout, endpoint: endpoint, method: method, detail: "no endpoint answered within \(timeout)")
        if spreadsCalls { current = (current + 1) % transports.count }
        while ContinuousClock.now < deadline {
            let transport = transports[current]
            do {
                let value = try await body(transport, deadline - .now)
                consecutiveFailures = 0
                return value
            } catch {
                switch error.kind {
                case .transport, .timeout, .malformedAnswer:
                    lastError = error
                    consecutiveFailures += 1
                    logger.info("\(transport.endpoint) failed (\(error)); trying the next endpoint")
                    current = (current + 1) % transports.count
                    // Once every endpoint has failed in a row, wait before going round again.
                    if consecutiveFailures % transports.count == 0 {
                        let wait = backoff.delay(attempt: consecutiveFailures / transports.count - 1)
                        guard ContinuousClock.now + wait < deadline else { throw lastError }
                        do { try await Task.sleep(for: wait) } catch { throw RPCError(.closed, endpoint: endpoint, method: method) }
                    }
                default:
                    throw error
                }
            }
        }
        throw lastError
    }
}

/// When a subscription last delivered something.
/// How long a subscription may stay silent before it counts as stalled: ten of its usual gaps
/// between notifications, learnt as they come, at least `floor` and at most `ceiling`. Heads of
/// a 6 s chain get the whole minute; a chain of half-second blocks is re-subscribed after 5 s.
actor NotificationPace {
    static let floor = Duration.seconds(5)
    static let checkEvery = Duration.seconds(1)
    let ceiling: Duration
    private var last = ContinuousClock.now
    /// The gap between notifications, smoothed (an eighth of each new one counts).
    private var usualGap: Duration?
    /// Notifications since (re)subscribing; the first comes at once, so its gap means nothing.
    private var sinceSubscribing = 0

    init(ceiling: Duration) {
        self.ceiling = ceiling
    }

    func restart() {
        last = .now
        sinceSubscribing = 0
    }

    func touch() {
        let now = ContinuousClock.now
        if sinceSubscribing > 0 {
            let gap = now - last
            usualGap = usualGap.map { ($0 * 7 + gap) / 8 } ?? gap
        }
        sinceSubscribing += 1
        last = now
    }

    var patience: Duration {
        min(ceiling, max(Self.floor, (usualGap ?? ceiling) * 10))
    }

    /// The patience, once the silence has outlasted it.
    var exhausted: Duration? {
        ContinuousClock.now - last > patience ? patience : nil
    }
}

public import ExactJSON
public import JSONRPC
import HummingbirdWSClient
public import Logging
import NIOCore
import OwnedTasks

/// JSON-RPC over one WebSocket (ws, wss): any number of requests in flight at once (pipelining),
/// batches, and subscriptions delivered as async sequences.
///
/// Connects on first use. When the connection breaks, waiting requests fail with a transport
/// error, subscriptions end with one, and the next call connects again. A connection that is
/// not open within `connectTimeout` (a port that accepts and never answers the handshake: a node
/// hung while starting or stopping) is given up with a transport error; a request waiting for
/// it fails by its own timeout if that comes first.
public actor WebSocketTransport: RPCTransport {
    public nonisolated let endpoint: String
    private let observer: (any RPCObserver)?
    private let logger: Logger
    /// Largest message accepted (metadata is about 0.5 MB, a full block a few MB).
    public static let maximumMessageBytes = 64 << 20

    private enum State {
        case idle
        case connecting(started: ContinuousClock.Instant, waiters: [Int: ConnectionWaiter])
        case connected(WebSocketOutboundWriter)
        case closed
    }

    /// A request waiting for the connection to open, until its own deadline.
    private struct ConnectionWaiter {
        let deadline: ContinuousClock.Instant
        let timeout: Duration
        let method: String?
        let continuation: CheckedContinuation<Result<Void, RPCError>, Never>
    }

    /// A request on the wire: its answer may arrive before or after someone waits for it.
    private struct Pending {
        let method: String
        let started: ContinuousClock.Instant
        /// An answer after this counts as no answer, however late the deadline watch runs.
        let deadline: ContinuousClock.Instant
        let timeout: Duration
        var waiter: CheckedContinuation<Result<JSON, RPCError>, Never>?
        var answer: Result<JSON, RPCError>?
    }

    private var state = State.idle
    private var connection: Task<Void, Never>?
    /// The number of the latest connection attempt: what an attempt given up reports later is ignored.
    private var attempt = 0
    private var nextWaiter = 0
    /// How long a connection may take to open (TCP and the WebSocket handshake).
    public let connectTimeout: Duration
    private var nextID = 1
    private var pending = [Int: Pending]()
    /// Fails requests past their deadline; runs while any request waits. One task for all of
    /// them: a timer task per request cost more than parsing its answer.
    private var deadlineWatch: Task<Void, Never>?
    /// Unsubscribe calls of subscriptions whose streams were dropped, ended by `close()`.
    private let unsubscribing = TaskSet()
    private static let deadlineCheckInterval = Duration.milliseconds(50)
    private var subscriptions = [String: AsyncThrowingStream<JSON, any Error>.Continuation]()
    /// Notifications that arrived before their subscription was registered. Late ones for a
    /// subscription already gone land here too, so it is bounded: the oldest ids are dropped.
    private var early = [String: [JSON]]()
    private var earlyOrder = [String]()
    private static let earlySubscriptionLimit = 16
    private static let earlyNotificationLimit = 64

    public init(
        endpoint: String, connectTimeout: Duration = .seconds(10), observer: (any RPCObserver)? = nil,
        logger: Logger = Logger(label: "runtime-exporter.rpc")
    ) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.observer = observer
        self.logger = logger
    }

    // MARK: RPCTransport

    public func call(_ call: RPCCall, timeout: Duration) async throws(RPCError) -> JSON {
        let id = nextID
        nextID += 1
        return try await send(call.request(id: id), expecting: [(id, call.method)], timeout: timeout)[0].get()
    }

    public func batch(_ calls: [RPCCall], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let ids = calls.map { _ in
            defer { nextID += 1 }
            return nextID
        }
        let body = JSON.array(zip(ids, calls).map { $0.1.request(id: $0.0) })
        return try await send(body, expecting: Array(zip(ids, calls.map(\.method))), timeout: timeout)
    }

    public func subscribe(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription {
        let answer = try await self.call(call, timeout: timeout)
        let id: String
        switch answer {
        case let .string(text): id = text
        case let .number(text): id = text
        default: throw RPCError(.malformedAnswer, endpoint: endpoint, method: call.method, detail: "subscription id \(answer.serialized())")
        }
        let (stream, continuation) = AsyncThrowingStream<JSON, any Error>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        subscriptions[id] = continuation
        for notification in early.removeValue(forKey: id) ?? [] { continuation.yield(notification) }
        earlyOrder.removeAll { $0 == id }
        continuation.onTermination = { [weak self, unsubscribing] termination in
            guard case .cancelled = termination, let self else { return }
            unsubscribing.spawn { await self.unsubscribe(id, method: unsubscribeMethod) }
        }
        return RPCSubscription(id: id, stream: stream)
    }

    /// Ends the connection and every request and subscription on it; once it returns, no task
    /// of this transport runs.
    public func close() async {
        // Requests waiting for the connection to open end now, not when it does; the attempt is
        // given up, not awaited: its handshake may never end.
        giveUpConnecting(RPCError(.closed, endpoint: endpoint, method: nil))
        state = .closed
        let (connection, deadlineWatch) = (connection, deadlineWatch)
        (self.connection, self.deadlineWatch) = (nil, nil)
        connection?.cancel()
        deadlineWatch?.cancel()
        failEverything(RPCError(.closed, endpoint: endpoint, method: nil))
        await unsubscribing.cancelAndWait()
        await connection?.value
        await deadlineWatch?.value
    }

    // MARK: Sending

    /// Sends one message and waits for the responses to `expecting` ids (in that order).
    private func send(_ body: JSON, expecting: [(id: Int, method: String)], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>] {
        let connecting = ContinuousClock.now
        let writer: WebSocketOutboundWriter
        do {
            writer = try await connectedWriter(for: expecting.first?.method, deadline: connecting + timeout, timeout: timeout)
        } catch {
            // A node that cannot be reached is a failed request too: its endpoint is down.
            for (_, method) in expecting { observer?.requestFinished(endpoint: endpoint, method: method, duration: .now - connecting, error: error) }
            throw error
        }
        let started = ContinuousClock.now
        // Every id has its place before the message leaves, so no answer can arrive unexpected.
        for (id, method) in expecting {
            pending[id] = Pending(method: method, started: started, deadline: started + timeout, timeout: timeout)
        }
        watchDeadlines()
        do {
            try await writer.write(.text(body.serialized()))
        } catch {
            for (id, _) in expecting { resolve(id, .failure(RPCError(.transport, endpoint: endpoint, method: nil, detail: "\(error)"))) }
        }
        var results = [Result<JSON, RPCError>]()
        for (id, method) in expecting {
            let result = await answer(id)
            observer?.requestFinished(endpoint: endpoint, method: method, duration: .now - started, error: result.failureValue)
            results.append(result)
        }
        return results
    }

    /// The answer to request `id`, waiting for it if it has not come yet.
    private func answer(_ id: Int) async -> Result<JSON, RPCError> {
        if let answer = pending[id]?.answer {
            pending.removeValue(forKey: id)
            return answer
        }
        guard pending[id] != nil else { return .failure(RPCError(.closed, endpoint: endpoint, method: nil)) }
        return await withCheckedContinuation { continuation in
            pending[id]?.waiter = continuation
        }
    }

    /// Records the answer (or failure) of request `id` and wakes whoever waits for it.
    private func resolve(_ id: Int, _ answer: Result<JSON, RPCError>) {
        guard var entry = pending[id], entry.answer == nil else { return }
        var result = answer
        if case .success = answer, ContinuousClock.now > entry.deadline {
            result = .failure(RPCError(.timeout, endpoint: endpoint, method: entry.method, detail: "no answer within \(entry.timeout)"))
        }
        if let waiter = entry.waiter {
            pending.removeValue(forKey: id)
            waiter.resume(returning: result)
        } else {
            entry.answer = result
            pending[id] = entry
        }
    }

    private func watchDeadlines() {
        guard deadlineWatch == nil else { return }
        deadlineWatch = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.deadlineCheckInterval)
                guard let self, await self.failOverdueRequests() else { return }
            }
        }
    }

    /// Fails every unanswered request past its deadline, and gives up a connection attempt past
    /// `connectTimeout` or that nobody waits for any more. False, and the watch ends, once no
    /// request is pending or waiting to connect (the next request starts it again).
    private func failOverdueRequests() -> Bool {
        let now = ContinuousClock.now
        for (id, entry) in pending where entry.answer == nil && entry.deadline <= now {
            resolve(id, .failure(RPCError(.timeout, endpoint: endpoint, method: entry.method, detail: "no answer within \(entry.timeout)")))
        }
        if case .connecting(let started, var waiters) = state {
            if now - started >= connectTimeout {
                giveUpConnecting(RPCError(.transport, endpoint: endpoint, method: nil, detail: "the connection did not open within \(connectTimeout)"))
            } else {
                for (ticket, waiter) in waiters where waiter.deadline <= now {
                    waiters.removeValue(forKey: ticket)
                    waiter.continuation.resume(returning: .failure(RPCError(
                        .timeout, endpoint: endpoint, method: waiter.method, detail: "no connection within \(waiter.timeout)")))
                }
                state = .connecting(started: started, waiters: waiters)
                if waiters.isEmpty { giveUpConnecting(nil) }
            }
        }
        if case .connecting = state { return true }
        guard pending.isEmpty else { return true }
        deadlineWatch = nil
        return false
    }

    /// Ends the connection attempt under way, failing whoever waits for it with `error`. Its task
    /// is cancelled and left to end on its own (the handshake it waits for cannot be interrupted);
    /// whatever it reports afterwards is ignored, and the next request connects afresh.
    private func giveUpConnecting(_ error: RPCError?) {
        guard case let .connecting(_, waiters) = state else { return }
        state = .idle
        attempt += 1
        connection?.cancel()
        connection = nil
        if let error { for waiter in waiters.values { waiter.continuation.resume(returning: .failure(error)) } }
    }

    private func unsubscribe(_ id: String, method: String) async {
        subscriptions.removeValue(forKey: id)
        guard case .connected = state else { return }
        _ = try? await call(RPCCall(method, [.string(id)]), timeout: .seconds(10))
    }

    // MARK: Connection

    private func connectedWriter(for method: String?, deadline: ContinuousClock.Instant, timeout: Duration) async throws(RPCError) -> WebSocketOutboundWriter {
        switch state {
        case let .connected(writer):
            return writer
        case .closed:
            throw RPCError(.closed, endpoint: endpoint, method: method)
        case let .connecting(started, waiters):
            let ticket = nextWaiter
            nextWaiter += 1
            let outcome = await withCheckedContinuation { continuation in
                var waiters = waiters
                waiters[ticket] = ConnectionWaiter(deadline: deadline, timeout: timeout, method: method, continuation: continuation)
                state = .connecting(started: started, waiters: waiters)
                watchDeadlines()
            }
            try outcome.get()
            return try await connectedWriter(for: method, deadline: deadline, timeout: timeout)
        case .idle:
            state = .connecting(started: .now, waiters: [:])
            startConnection()
            return try await connectedWriter(for: method, deadline: deadline, timeout: timeout)
        }
    }

    private func startConnection() {
        attempt += 1
        let endpoint = endpoint, logger = logger, attempt = attempt
        // The connection task holds the transport until the connection ends or `close()` cancels
        // (and awaits) it. Detached: a task inherits its starter's graceful-shutdown handler, on
        // which the WebSocket client closes the connection, and the connection must outlive the
        // service that happened to open it until the transport's owner closes it.
        connection = Task.detached { [self] in
            do {
                var configuration = WebSocketClientConfiguration()
                configuration.maxFrameSize = Self.maximumMessageBytes
                try await WebSocketClient.connect(url: endpoint, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    // An attempt given up meanwhile closes the connection it got at last.
                    guard await self.didConnect(outbound, attempt: attempt) else { return }
                    for try await message in inbound.messages(maxSize: Self.maximumMessageBytes) {
                        switch message {
                        case let .text(text): await self.received(Array(text.utf8))
                        case var .binary(buffer): await self.received(buffer.readBytes(length: buffer.readableBytes) ?? [])
                        }
                    }
                }
                await didDisconnect(RPCError(.transport, endpoint: endpoint, method: nil, detail: "connection closed"), attempt: attempt)
            } catch {
                await didDisconnect(RPCError(.transport, endpoint: endpoint, method: nil, detail: "\(error)"), attempt: attempt)
            }
        }
    }

    private func didConnect(_ writer: WebSocketOutboundWriter, attempt: Int) -> Bool {
        guard attempt == self.attempt, case let .connecting(_, waiters) = state else { return false }
        state = .connected(writer)
        for waiter in waiters.values { waiter.continuation.resume(returning: .success(())) }
        return true
    }

    private func didDisconnect(_ error: RPCError, attempt: Int) {
        guard attempt == self.attempt else { return }
        if case let .connecting(_, waiters) = state {
            for waiter in waiters.values { waiter.continuation.resume(returning: .failure(error)) }
        }
        if case .closed = state {} else { state = .idle }
        connection = nil
        failEverything(error)
    }

    private func failEverything(_ error: RPCError) {
        for id in Array(pending.keys) { resolve(id, .failure(error)) }
        for continuation in subscriptions.values { continuation.finish(throwing: error) }
        subscriptions.removeAll()
        early.removeAll()
        earlyOrder.removeAll()
    }

    private func keepEarly(_ notification: JSON, for subscription: String) {
        if early[subscription] == nil {
            if earlyOrder.count == Self.earlySubscriptionLimit { early.removeValue(forKey: earlyOrder.removeFirst()) }
            earlyOrder.append(subscription)
        }
        if early[subscription, default: []].count < Self.earlyNotificationLimit { early[subscription, default: []].append(notification) }
    }

    private func received(_ bytes: [UInt8]) {
        guard let messages = JSONRPCMessage.parseAll(bytes) else {
            logger.warning("malformed message from \(endpoint): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
            // Whoever is waiting cannot be told apart; a malformed answer fails them all.
            for id in Array(pending.keys) {
                resolve(id, .failure(RPCError(.malformedAnswer, endpoint: endpoint, method: nil, detail: "not a JSON-RPC message")))
            }
            return
        }
        for message in messages {
            switch message {
            case let .response(id, result):
                let method = pending[id]?.method
                resolve(id, result.mapError { RPCError(.rpc(code: $0.code, message: $0.message), endpoint: endpoint, method: method) })
            case let .notification(subscription, result):
                if let continuation = subscriptions[subscription] {
                    continuation.yield(result)
                } else {
                    keepEarly(result, for: subscription)
                }
            }
        }
    }
}

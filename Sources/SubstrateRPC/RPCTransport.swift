public import ExactJSON
public import JSONRPC

/// A connection to one node endpoint that carries JSON-RPC: requests, batches and (where the
/// transport allows) subscriptions. Implementations: `HTTPTransport`, `WebSocketTransport`.
public protocol RPCTransport: Sendable {
    var endpoint: String { get }

    func call(_ call: RPCCall, timeout: Duration) async throws(RPCError) -> JSON

    /// One JSON-RPC batch: the results in the order of `calls`.
    func batch(_ calls: [RPCCall], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>]

    /// Subscribes with `call`; the subscription ends with `unsubscribeMethod` when the sequence
    /// is dropped or the transport closes.
    func subscribe(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription

    func close() async
}

/// Notifications of one subscription, as they arrive. Ends with an `RPCError` if the connection
/// breaks.
public struct RPCSubscription: AsyncSequence, Sendable {
    public typealias Element = JSON
    public let id: String
    let stream: AsyncThrowingStream<JSON, any Error>

    public func makeAsyncIterator() -> AsyncThrowingStream<JSON, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}

/// Receives one report per finished request (the exporter turns these into per-endpoint,
/// per-method request, error and latency metrics).
public protocol RPCObserver: Sendable {
    func requestFinished(endpoint: String, method: String, duration: Duration, error: RPCError?)
}

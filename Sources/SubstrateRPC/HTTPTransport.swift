public import AsyncHTTPClient
public import ExactJSON
public import JSONRPC
import NIOCore
import NIOHTTP1

/// JSON-RPC over HTTP(S) POST: requests and batches, no subscriptions. Concurrent calls use the
/// HTTP client's connection pool, so many can be in flight at once.
public struct HTTPTransport: RPCTransport {
    public let endpoint: String
    private let client: HTTPClient
    private let observer: (any RPCObserver)?
    /// Largest answer accepted (a block with its extrinsics, or metadata, is a few MB).
    public static let maximumAnswerBytes = 64 << 20

    /// One client for the process. A refused or failed connection is reported at once rather
    /// than retried until the deadline: `FailoverTransport` decides what to try next.
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(endpoint: String, client: HTTPClient = HTTPTransport.defaultClient, observer: (any RPCObserver)? = nil) {
        self.endpoint = endpoint
        self.client = client
        self.observer = observer
    }

    public func call(_ call: RPCCall, timeout: Duration) async throws(RPCError) -> JSON {
        let started = ContinuousClock.now
        do throws(RPCError) {
            let messages = try await post(call.request(id: 1), method: call.method, timeout: timeout)
            guard messages.count == 1, case let .response(_, result) = messages[0] else {
                throw RPCError(.malformedAnswer, endpoint: endpoint, method: call.method, detail: "expected one response")
            }
            let value = try unwrap(result, method: call.method)
            observer?.requestFinished(endpoint: endpoint, method: call.method, duration: .now - started, error: nil)
            return value
        } catch {
            observer?.requestFinished(endpoint: endpoint, method: call.method, duration: .now - started, error: error)
            throw error
        }
    }

    public func batch(_ calls: [RPCCall], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let started = ContinuousClock.now
        let body = JSON.array(calls.enumerated().map { $0.element.request(id: $0.offset) })
        let messages: [JSONRPCMessage]
        do throws(RPCError) {
            messages = try await post(body, method: "batch", timeout: timeout)
        } catch {
            for call in calls { observer?.requestFinished(endpoint: endpoint, method: call.method, duration: .now - started, error: error) }
            throw error
        }
        return collate(messages, calls: calls, started: started)
    }

    public func subscribe(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription {
        throw RPCError(.unsupported, endpoint: endpoint, method: call.method, detail: "subscriptions need a WebSocket endpoint")
    }

    public func close() async {}

    private func post(_ body: JSON, method: String, timeout: Duration) async throws(RPCError) -> [JSONRPCMessage] {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body.serialized()))
        let bytes: [UInt8]
        let client = client, endpoint = endpoint, prepared = request
        let started = ContinuousClock.now
        do {
            // Our own deadline over the whole exchange, body included: the client's covers less.
            bytes = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: .nanoseconds(timeout.nanoseconds))
                    guard response.status == .ok else {
                        throw RPCError(.transport, endpoint: endpoint, method: method, detail: "HTTP \(response.status.code)")
                    }
                    var buffer = try await response.body.collect(upTo: Self.maximumAnswerBytes)
                    return buffer.readBytes(length: buffer.readableBytes) ?? []
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw RPCError(.timeout, endpoint: endpoint, method: method, detail: "no answer within \(timeout)")
                }
                defer { group.cancelAll() }
                let answer = try await group.next() ?? []
                // The timer task may run late on a busy machine; an answer past the deadline is still late.
                guard ContinuousClock.now - started <= timeout else {
                    throw RPCError(.timeout, endpoint: endpoint, method: method, detail: "no answer within \(timeout)")
                }
                return answer
            }
        } catch let error as RPCError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw RPCError(.timeout, endpoint: endpoint, method: method, detail: "no answer within \(timeout)")
        } catch {
            throw RPCError(.transport, endpoint: endpoint, method: method, detail: "\(error)")
        }
        guard let messages = JSONRPCMessage.parseAll(bytes) else {
            throw RPCError(.malformedAnswer, endpoint: endpoint, method: method, detail: "not a JSON-RPC response: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return messages
    }

    private func unwrap(_ result: Result<JSON, JSONRPCMessage.ResponseError>, method: String) throws(RPCError) -> JSON {
        switch result {
        case let .success(value): return value
        case let .failure(error): throw RPCError(.rpc(code: error.code, message: error.message), endpoint: endpoint, method: method)
        }
    }

    private func collate(_ messages: [JSONRPCMessage], calls: [RPCCall], started: ContinuousClock.Instant) -> [Result<JSON, RPCError>] {
        var byID = [Int: Result<JSON, JSONRPCMessage.ResponseError>]()
        for case let .response(id, result) in messages { byID[id] = result }
        return calls.enumerated().map { index, call in
            let outcome: Result<JSON, RPCError>
            switch byID[index] {
            case let .success(value)?: outcome = .success(value)
            case let .failure(error)?: outcome = .failure(RPCError(.rpc(code: error.code, message: error.message), endpoint: endpoint, method: call.method))
            case nil: outcome = .failure(RPCError(.malformedAnswer, endpoint: endpoint, method: call.method, detail: "no response in the batch"))
            }
            observer?.requestFinished(endpoint: endpoint, method: call.method, duration: .now - started, error: outcome.failureValue)
            return outcome
        }
    }
}

extension Result {
    var failureValue: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

import ExactJSON
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// JSON-RPC over HTTP POST and WebSocket on one port, as a Substrate node serves it.
struct DevnodeServer {
    let rpc: DevnodeRPC
    let host: String
    let port: Int
    let faults: FaultPlan
    let logger: Logger

    /// A dropped connection: the WebSocket handler ends, HTTP answers 503.
    struct Dropped: Error {}

    /// The HTTP/WebSocket application, a service to run in the devnode's service group;
    /// `running` is called with the listening channel once it accepts connections.
    func application(running: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some Service {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.post("/") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            guard let text = try await faulted(await handle(Array(buffer: body)) ?? .null) else {
                return Response(status: .serviceUnavailable)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        router.ws("/") { inbound, outbound, _ in
            try await serveWebSocket(inbound: inbound, outbound: outbound)
        }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: 64 << 20))),
            configuration: .init(address: .hostname(host, port: port), serverName: "runtime-devnode"),
            onServerRunning: running,
            logger: logger
        )
        return app
    }

    // MARK: Requests

    /// Answers one request or a batch; nil for a notification (a request without an id).
    func handle(_ bytes: [UInt8]) async -> JSON? {
        guard let json = try? JSON.parse(bytes: bytes) else {
            return Self.error(id: .null, code: -32700, message: "Parse error")
        }
        if case let .array(requests) = json {
            guard !requests.isEmpty else { return Self.error(id: .null, code: -32600, message: "Invalid request: empty batch") }
            var answers = [JSON]()
            for request in requests { if let answer = await handle(request) { answers.append(answer) } }
            return .array(answers)
        }
        return await handle(json)
    }

    private func handle(_ request: JSON) async -> JSON? {
        guard case .object = request, let method = request["method"]?.stringValue else {
            return Self.error(id: request["id"] ?? .null, code: -32600, message: "Invalid request")
        }
        let id = request["id"] ?? .null
        let params: [JSON]
        switch request["params"] {
        case nil, .null?: params = []
        case let .array(items)?: params = items
        default: return Self.error(id: id, code: -32602, message: "Invalid params: expected a list")
        }
        do {
            let result = try await rpc.answer(method, params)
            return request["id"] == nil ? nil : .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
        } catch {
            return Self.error(id: id, code: error.code, message: error.message)
        }
    }

    /// The answer's text after the fault plan had its way: delayed, replaced by an error or by
    /// garbage, SCALE values cut short; nil when the connection is to be dropped.
    private func faulted(_ answer: JSON) async throws -> String? {
        if faults.strikes(.delay) { try await Task.sleep(for: faults.delay) }
        if faults.strikes(.drop) { return nil }
        if faults.strikes(.malformed) { return "{\"jsonrpc\":\"2.0\",\"id\":" }
        if faults.strikes(.error) {
            return Self.error(id: answer["id"] ?? .null, code: -32603, message: "Internal error (injected fault)").serialized()
        }
        if faults.strikes(.truncate) { return Self.truncatingHex(answer).serialized() }
        return answer.serialized()
    }

    /// Every long `0x` string (storage values, metadata, extrinsics) loses its second half.
    private static func truncatingHex(_ json: JSON) -> JSON {
        switch json {
        case let .string(text) where text.hasPrefix("0x") && text.count > 10:
            let keep = 2 + (text.count - 2) / 4 * 2
            return .string(String(text.prefix(keep)))
        case let .array(items): return .array(items.map(truncatingHex))
        case let .object(members): return .object(members.map { JSON.Member($0.key, truncatingHex($0.value)) })
        default: return json
        }
    }

    static func error(id: JSON, code: Int, message: String) -> JSON {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": .object(["code": .number(code), "message": .string(message)])])
    }

    // MARK: WebSocket

    private func serveWebSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        // One writer task: answers and notifications from many tasks go out one at a time.
        let (outgoing, sink) = AsyncStream<String>.makeStream()
        let subscriptions = ActiveSubscriptions()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outgoing { try await outbound.write(.text(text)) }
            }
            for try await message in inbound.messages(maxSize: 16 << 20) {
                let bytes: [UInt8]
                switch message {
                case let .text(text): bytes = Array(text.utf8)
                case var .binary(buffer): bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                }
                if let request = try? JSON.parse(bytes: bytes), let method = request["method"]?.stringValue,
                   DevnodeRPC.subscriptionMethods.contains(method)
                {
                    let id = request["id"] ?? .null
                    await subscription(method, request["params"]?.arrayValue ?? [], id: id, subscriptions: subscriptions, sink: sink, group: &group)
                } else if let answer = await handle(bytes) {
                    guard let text = try await faulted(answer) else { break }  // drop: close the connection
                    sink.yield(text)
                }
            }
            sink.finish()
            group.cancelAll()
        }
    }

    /// Answers a (un)subscribe request. Like Substrate, the answer carrying the subscription id
    /// goes out before the subscription's first notification.
    private func subscription(
        _ method: String, _ params: [JSON], id: JSON, subscriptions: ActiveSubscriptions,
        sink: AsyncStream<String>.Continuation, group: inout ThrowingTaskGroup<Void, any Error>
    ) async {
        func reply(_ result: JSON) { sink.yield(JSON.object(["jsonrpc": .string("2.0"), "id": id, "result": result]).serialized()) }
        if method.contains("unsubscribe") {
            guard let key = params.first?.stringValue else {
                sink.yield(Self.error(id: id, code: -32602, message: "Invalid params: expected a subscription id").serialized())
                return
            }
            reply(.bool(await subscriptions.remove(key)))
            return
        }
        let key = await subscriptions.add()
        reply(.string(key))
        let chain = rpc.chain
        let faults = faults
        let stalled = StallSwitch()
        func notify(_ notification: String, _ result: JSON) {
            guard stalled.shouldSend(strike: faults.strikes(.stall)) else { return }
            let message = JSON.object([
                "jsonrpc": .string("2.0"), "method": .string(notification),
                "params": .object(["subscription": .string(key), "result": result]),
            ])
            sink.yield(message.serialized())
        }
        let (current, heads) = await chain.headAndLaterHeads()
        switch method {
        case "state_subscribeRuntimeVersion":
            // The current version, then again whenever a new head brings another runtime.
            group.addTask {
                var current = chain.runtime(at: current.number)
                notify("state_runtimeVersion", DevnodeRPC.runtimeVersion(current))
                for await block in heads {
                    guard await subscriptions.contains(key) else { return }
                    let runtime = chain.runtime(at: block.number)
                    if runtime.version != current.version {
                        current = runtime
                        notify("state_runtimeVersion", DevnodeRPC.runtimeVersion(runtime))
                    }
                }
            }
        case "chain_subscribeFinalizedHeads":
            group.addTask {
                var last = await chain.finalized
                notify("chain_finalizedHead", last.headerJSON)
                for await block in heads {
                    guard await subscriptions.contains(key) else { return }
                    let finalized = await chain.finalized(whenHeadIs: block.number)
                    if finalized.number > last.number {
                        last = finalized
                        notify("chain_finalizedHead", finalized.headerJSON)
                    }
                }
            }
        default:  // new heads, all heads
            let notification = method == "chain_subscribeAllHeads" ? "chain_allHead" : "chain_newHead"
            group.addTask {
                notify(notification, current.headerJSON)
                for await block in heads {
                    guard await subscriptions.contains(key) else { return }
                    notify(notification, block.headerJSON)
                }
            }
        }
    }
}

/// Whether a subscription has stalled: once it has, it stays silent for good. The first
/// notification always goes out, so a client sees a subscription that starts, then stalls.
final class StallSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var stalled = false
    private var sent = 0

    func shouldSend(strike: Bool) -> Bool {
        lock.withLock {
            if stalled { return false }
            sent += 1
            if strike && sent > 1 { stalled = true }
            return !stalled
        }
    }
}

/// The subscription ids open on one WebSocket connection.
actor ActiveSubscriptions {
    private var active = Set<String>()
    private var next = 1

    func add() -> String {
        defer { next += 1 }
        let key = String(format: "%016llx", UInt64(next) &* 0x9E37_79B9_7F4A_7C15)
        active.insert(key)
        return key
    }

    func remove(_ key: String) -> Bool { active.remove(key) != nil }
    func contains(_ key: String) -> Bool { active.contains(key) }
}

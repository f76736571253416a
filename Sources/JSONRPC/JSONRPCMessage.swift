public import ExactJSON

/// One call in a JSON-RPC request or batch.
public struct RPCCall: Sendable {
    public let method: String
    public let params: [JSON]

    public init(_ method: String, _ params: [JSON] = []) {
        self.method = method
        self.params = params
    }

    /// The request object with this id.
    public func request(id: Int) -> JSON {
        .object(["jsonrpc": .string("2.0"), "id": .number(id), "method": .string(method), "params": .array(params)])
    }
}

/// What a node sends: a response to a request id, or a subscription notification.
public enum JSONRPCMessage: Sendable {
    case response(id: Int, result: Result<JSON, ResponseError>)
    case notification(subscription: String, result: JSON)

    public struct ResponseError: Error, Sendable {
        public let code: Int
        public let message: String
    }

    /// Parses one message object; nil when it is neither a response nor a notification.
    public init?(_ json: JSON) {
        if let idValue = json["id"], let id = idValue.uint64Value.flatMap({ Int(exactly: $0) }) {
            if let error = json["error"] {
                let code = error["code"].flatMap { value -> Int? in
                    if case let .number(text) = value { return Int(text) }
                    return nil
                } ?? 0
                self = .response(id: id, result: .failure(ResponseError(code: code, message: error["message"]?.stringValue ?? "")))
            } else if let result = json["result"] {
                self = .response(id: id, result: .success(result))
            } else {
                return nil
            }
        } else if let params = json["params"], let subscription = params["subscription"], let result = params["result"] {
            // Substrate sends subscription ids as strings (or numbers on old nodes).
            let key: String
            switch subscription {
            case let .string(text): key = text
            case let .number(text): key = text
            default: return nil
            }
            self = .notification(subscription: key, result: result)
        } else {
            return nil
        }
    }

    /// A message, or a batch of them.
    public static func parseAll(_ bytes: [UInt8]) -> [JSONRPCMessage]? {
        guard let json = try? JSON.parse(bytes: bytes) else { return nil }
        if case let .array(items) = json {
            let messages = items.compactMap(JSONRPCMessage.init)
            return messages.count == items.count ? messages : nil
        }
        return JSONRPCMessage(json).map { [$0] }
    }
}

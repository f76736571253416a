/// Why a JSON-RPC call failed, with the endpoint and method it was for.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made, broke, or answered with a non-200 HTTP status.
        case transport
        /// The node answered with a JSON-RPC error object.
        case rpc(code: Int, message: String)
        /// The answer was not JSON, or not a JSON-RPC response of the expected shape.
        case malformedAnswer
        /// No answer within the request's timeout.
        case timeout
        /// The client was closed while the request was waiting.
        case closed
        /// The transport cannot do this (subscriptions over HTTP).
        case unsupported

        /// A short label for metrics: `transport`, `rpc`, `malformed`, `timeout`, `closed`, `unsupported`.
        public var label: String {
            switch self {
            case .transport: "transport"
            case .rpc: "rpc"
            case .malformedAnswer: "malformed"
            case .timeout: "timeout"
            case .closed: "closed"
            case .unsupported: "unsupported"
            }
        }
    }

    public let kind: Kind
    public let endpoint: String
    public let method: String?
    public let detail: String

    public init(_ kind: Kind, endpoint: String, method: String?, detail: String = "") {
        self.kind = kind
        self.endpoint = endpoint
        self.method = method
        self.detail = detail
    }

    public var description: String {
        let what: String
        switch kind {
        case .transport: what = "transport error"
        case let .rpc(code, message): what = "RPC error \(code): \(message)"
        case .malformedAnswer: what = "malformed answer"
        case .timeout: what = "timed out"
        case .closed: what = "client closed"
        case .unsupported: what = "not supported by this transport"
        }
        let call = method.map { " (\($0))" } ?? ""
        return "\(endpoint)\(call): \(what)\(detail.isEmpty ? "" : ": \(detail)")"
    }
}

import ExactJSON
public import Logging
public import SubstrateRPC

/// A chain named by its nodes: the runtime's spec name, which labels its series when the
/// configuration names it not.
public enum ChainNaming {
    /// The node's runtime gives no spec name: the chain must be named by hand.
    public struct NameUnknown: Error, CustomStringConvertible {
        public let endpoints: [String]
        public var description: String { "the runtime version has no specName; name the chain with --chain or in the config" }
    }

    /// The spec name of the runtime the chain's nodes run now, asked of the first that answers.
    public static func specName(endpoints: [String], observer: (any RPCObserver)? = nil, timeout: Duration, logger: Logger) async throws -> String {
        let transport = FailoverTransport(endpoints: endpoints, observer: observer, logger: logger)
        let version = try await closing(transport.close) {
            try await SubstrateRPCClient(transport: transport, timeout: timeout).stateGetRuntimeVersion()
        }
        guard let specName = version["specName"]?.stringValue else { throw NameUnknown(endpoints: endpoints) }
        return specName
    }
}

public import Exporter
import ExactJSON
public import Logging
public import SubstrateRPC

/// A chain named by its nodes: the runtime's spec name, or the chain's name as the node gives
/// it, which labels its series when the configuration names it not.
public enum ChainNaming {
    /// The node's runtime gives no spec name: the chain must be named by hand.
    public struct NameUnknown: Error, CustomStringConvertible {
        public let endpoints: [String]
        public var description: String { "the runtime version has no specName; name the chain with --chain or in the config" }
    }

    /// The chain's name from `source`, asked of the first node that answers.
    public static func name(
        from source: ChainNameSource, endpoints: [String], observer: (any RPCObserver)? = nil, timeout: Duration, logger: Logger
    ) async throws -> String {
        switch source {
        case .spec:
            return try await specName(endpoints: endpoints, observer: observer, timeout: timeout, logger: logger)
        case .node:
            return try await ask(endpoints: endpoints, observer: observer, timeout: timeout, logger: logger) { try await $0.systemChain() }
        }
    }

    /// The spec name of the runtime the chain's nodes run now, asked of the first that answers.
    public static func specName(endpoints: [String], observer: (any RPCObserver)? = nil, timeout: Duration, logger: Logger) async throws -> String {
        let version = try await ask(endpoints: endpoints, observer: observer, timeout: timeout, logger: logger) { try await $0.stateGetRuntimeVersion() }
        guard let specName = version["specName"]?.stringValue else { throw NameUnknown(endpoints: endpoints) }
        return specName
    }

    /// One question to the chain's nodes, over a transport of its own closed afterwards.
    private static func ask<Answer: Sendable>(
        endpoints: [String], observer: (any RPCObserver)?, timeout: Duration, logger: Logger,
        _ question: @Sendable (SubstrateRPCClient) async throws -> Answer
    ) async throws -> Answer {
        let transport = FailoverTransport(endpoints: endpoints, observer: observer, logger: logger)
        return try await closing(transport.close) { try await question(SubstrateRPCClient(transport: transport, timeout: timeout)) }
    }
}

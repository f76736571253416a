import Foundation
public import SubstrateRPC
public import WebUI

/// Each endpoint's requests as the status page shows them: answered or not, latency, counts,
/// the last failure; `forwarding(to:)` also passes every report on to the chain's metrics.
public final class EndpointHealth: RPCObserver, @unchecked Sendable {
    private struct Record {
        var answered: Bool?
        var requests = 0
        var failures = 0
        var lastLatency: Double?
        var lastError: String?
    }

    private let endpoints: [String]
    private let lock = NSLock()
    private var records: [String: Record] = [:]

    public init(endpoints: [String]) {
        self.endpoints = endpoints
    }

    /// The same records, passing reports on to `next` (the Prometheus metrics of a chain once it is named).
    public func forwarding(to next: any RPCObserver) -> any RPCObserver {
        Forwarding(health: self, next: next)
    }

    public func requestFinished(endpoint: String, method: String, duration: Duration, error: RPCError?) {
        lock.withLock {
            var record = records[endpoint] ?? Record()
            record.requests += 1
            record.lastLatency = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            if let error {
                record.failures += 1
                record.lastError = "\(method): \(error)"
                // An RPC error is an answer: the node is up. No answer (refused, dropped, timed out) is down.
                if case .rpc = error.kind { record.answered = true } else { record.answered = false }
            } else {
                record.answered = true
            }
            records[endpoint] = record
        }
    }

    public var snapshot: [ChainStatus.Endpoint] {
        lock.withLock {
            endpoints.map { url in
                let record = records[url] ?? Record()
                return ChainStatus.Endpoint(
                    url: url, answered: record.answered, requests: record.requests, failures: record.failures,
                    lastLatencySeconds: record.lastLatency, lastError: record.answered == false ? record.lastError : nil)
            }
        }
    }

    private struct Forwarding: RPCObserver {
        let health: EndpointHealth
        let next: any RPCObserver

        func requestFinished(endpoint: String, method: String, duration: Duration, error: RPCError?) {
            health.requestFinished(endpoint: endpoint, method: method, duration: duration, error: error)
            next.requestFinished(endpoint: endpoint, method: method, duration: duration, error: error)
        }
    }
}

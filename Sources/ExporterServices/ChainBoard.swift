public import Exporter
import Foundation
public import WebUI

/// One followed chain as the status page and readiness see it.
public final class ChainEntry: @unchecked Sendable {
    public let endpoints: [String]
    public let follow: FollowMode
    public let history: ExporterConfiguration.History?
    /// Where the chain's name comes from when it is not given.
    public let naming: ChainNameSource
    public let health: EndpointHealth
    private let lock = NSLock()
    private var _name: String?
    private var _follower: ChainFollower?
    private var _lastError: String?
    private var _historyStatus: ChainStatus.History?

    public init(
        name: String?, endpoints: [String], follow: FollowMode, history: ExporterConfiguration.History? = nil, naming: ChainNameSource = .spec
    ) {
        _name = name
        self.naming = naming
        self.endpoints = endpoints
        self.follow = follow
        self.history = history
        health = EndpointHealth(endpoints: endpoints)
        _historyStatus = history.map { .init(state: .waiting, from: $0.from, to: $0.to, remaining: nil, failedChunks: 0, lastError: nil) }
    }

    /// Where loading the configured history stands.
    public var historyStatus: ChainStatus.History? {
        get { lock.withLock { _historyStatus } }
        set { lock.withLock { _historyStatus = newValue } }
    }

    func updateHistory(_ change: (inout ChainStatus.History) -> Void) {
        lock.withLock {
            guard var status = _historyStatus else { return }
            change(&status)
            _historyStatus = status
        }
    }

    /// The chain as the status page shows it now.
    public func status() async -> ChainStatus {
        let follower = follower
        let processed = await follower?.processedHead
        let runtime = await follower?.runtimeVersion
        let followed = await follower?.notifiedHead
        let endpoints = health.snapshot
        // Not yet following: waiting when following failed or no endpoint answers its requests.
        let unreachable = !endpoints.isEmpty && endpoints.allSatisfy { $0.answered == false }
        return ChainStatus(
            name: name ?? self.endpoints.joined(separator: ", "),
            state: processed != nil ? .following : lastError != nil || unreachable ? .waiting : .starting,
            follows: follow.rawValue,
            bestHead: await follower?.bestHead,
            followedHead: followed == 0 ? nil : followed,
            processed: processed,
            runtime: runtime.map { "\($0.name) \($0.version)" },
            token: await follower?.tokenSymbol,
            endpoints: endpoints,
            history: historyStatus,
            lastError: lastError,
            metricFailures: (await follower?.metricFailures ?? []).map { entry in
                ChainStatus.MetricFailures(
                    metric: entry.metric, reason: entry.reason.rawValue, blocks: entry.blocks, firstBlock: entry.firstBlock, lastBlock: entry.lastBlock,
                    message: entry.message)
            })
    }

    public var name: String? {
        get { lock.withLock { _name } }
        set { lock.withLock { _name = newValue } }
    }

    public var follower: ChainFollower? {
        get { lock.withLock { _follower } }
        set { lock.withLock { _follower = newValue } }
    }

    /// The last failure, until following works again.
    public var lastError: String? {
        get { lock.withLock { _lastError } }
        set { lock.withLock { _lastError = newValue } }
    }
}

/// Every chain of the process, and the names they label their series with.
public final class ChainBoard: @unchecked Sendable {
    public let entries: [ChainEntry]
    private let lock = NSLock()
    private var claimed: Set<String>

    public init(entries: [ChainEntry]) {
        self.entries = entries
        claimed = Set(entries.compactMap(\.name))
    }

    /// A chain named by its node: the spec name, or the spec name with a number when another
    /// chain has it already.
    func claim(_ wanted: String) -> String {
        lock.withLock {
            var name = wanted
            var suffix = 2
            while claimed.contains(name) {
                name = "\(wanted)_\(suffix)"
                suffix += 1
            }
            claimed.insert(name)
            return name
        }
    }

    /// Every chain as the status page shows it now.
    public func status() async -> [ChainStatus] {
        var statuses = [ChainStatus]()
        for entry in entries { statuses.append(await entry.status()) }
        return statuses
    }

    /// Ready once some chain's metrics are served: a chain that is down does not hold the others back.
    public var isReady: Bool {
        get async {
            for entry in entries where await entry.follower?.processedHead != nil { return true }
            return false
        }
    }
}

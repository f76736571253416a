import SCALE
import SubstrateRPC
import Synchronization

/// The keys under map prefixes that collectors asked to have listed (`Collector.listedPrefixes`),
/// each listed once with `state_getKeysPaged` and then kept: the prefixes are ones whose keys
/// no longer change (an active era's exposures), and blocks of the same era, live or in
/// history, ask for the same ones. Bounded: the oldest listings go first.
final class PrefixListings: Sendable {
    static let capacity = 32
    private let listings = Mutex<(keys: [String: [String]], order: [String])>(([:], []))

    func known(_ prefix: String) -> [String]? {
        listings.withLock { $0.keys[prefix] }
    }

    func store(_ prefix: String, keys: [String]) {
        listings.withLock { listings in
            if listings.keys[prefix] == nil { listings.order.append(prefix) }
            listings.keys[prefix] = keys
            while listings.order.count > Self.capacity { listings.keys[listings.order.removeFirst()] = nil }
        }
    }
}

extension ChainRuntime {
    /// Adds to the block the keys under every prefix its collectors want listed, listing at
    /// the block's state those not listed before. A collector that cannot choose its prefixes
    /// fails when it collects, with the same error.
    func listPrefixes(_ context: inout BlockContext, client: SubstrateRPCClient, hash: String) async throws {
        var prefixes = [String]()
        for bound in collectors { prefixes += (try? bound.collector.listedPrefixes(context)) ?? [] }
        for prefix in prefixes where context.listedKeys[prefix] == nil {
            if let known = listings.known(prefix) {
                context.listedKeys[prefix] = known
                continue
            }
            guard let bytes = Hex.decode(prefix) else { continue }
            var keys = [String]()
            try await StateReader(client: client, hash: hash).forEachPage(prefix: bytes) { keys += $0 }
            listings.store(prefix, keys: keys)
            context.listedKeys[prefix] = keys
        }
    }
}

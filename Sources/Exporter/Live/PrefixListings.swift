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

    func forget(_ prefix: String) {
        listings.withLock { listings in
            listings.keys[prefix] = nil
            listings.order.removeAll { $0 == prefix }
        }
    }

    func store(_ prefix: String, keys: [String]) {
        listings.withLock { listings in
            if listings.keys[prefix] == nil { listings.order.append(prefix) }
            listings.keys[prefix] = keys
            while listings.order.count > Self.capacity { listings.keys[listings.order.removeFirst()] = nil }
        }
    }
}

/// A listed key without a value at a block: keys are listed at a block's state and their
/// prefixes are ones that keep them, so the listing (or the values' answer) was damaged on its
/// way from the node. The listing is dropped and the block read again, as after any bad answer.
struct ListingDamaged: Error, CustomStringConvertible {
    let block: UInt64
    let prefix: String
    let key: String
    var description: String {
        "block \(block): key \(key.prefix(80))… was listed under \(prefix.prefix(80))… but has no value: a damaged answer, listed again"
    }
}

extension ChainRuntime {
    /// Completes a block's context with what its collectors choose from its values: the keys
    /// under the prefixes they want listed, then the values of their follow-up keys not read
    /// along already (one more query), and the values they want from the parent block's state
    /// (one more, where the block's events call for it). Returns the follow-up keys.
    func readChosenKeys(_ context: inout BlockContext, client: SubstrateRPCClient, hash: String, parentHash: String?) async throws -> [String] {
        try await listPrefixes(&context, client: client, hash: hash)
        let followUp = followUpKeys(context)
        var seen = Set(context.storage.keys)
        let missing = followUp.filter { seen.insert($0).inserted }
        if !missing.isEmpty {
            for (key, value) in try await client.stateQueryStorageAt(missing, at: hash) { context.storage[key] = value.flatMap { Hex.decode($0) } }
        }
        try checkListings(context)
        try await readParentKeys(&context, client: client, parentHash: parentHash)
        return followUp
    }

    /// The values collectors want from the parent block's state (`Collector.parentKeys`), in one
    /// query at the parent's hash; only blocks whose events call for it make one.
    private func readParentKeys(_ context: inout BlockContext, client: SubstrateRPCClient, parentHash: String?) async throws {
        var keys = [String]()
        for bound in collectors { keys += (try? bound.collector.parentKeys(context)) ?? [] }
        guard !keys.isEmpty, let parentHash else { return }
        var seen = Set<String>()
        let unique = keys.filter { seen.insert($0).inserted }
        for (key, value) in try await client.stateQueryStorageAt(unique, at: parentHash) { context.parentStorage[key] = value.flatMap { Hex.decode($0) } }
    }

    /// Every listed key that was read has a value.
    private func checkListings(_ context: BlockContext) throws(ListingDamaged) {
        for (prefix, keys) in context.listedKeys {
            for key in keys {
                guard case .some(.none) = context.storage[key] else { continue }
                listings.forget(prefix)
                throw ListingDamaged(block: context.number, prefix: prefix, key: key)
            }
        }
    }

    /// Adds to the block the keys under every prefix its collectors want listed, listing at
    /// the block's state those not listed before. A collector that cannot choose its prefixes
    /// fails when it collects, with the same error.
    private func listPrefixes(_ context: inout BlockContext, client: SubstrateRPCClient, hash: String) async throws {
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

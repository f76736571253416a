import Substrate

/// The size of each pallet's storage items, in bytes: `state_getStorageSize` of each item's
/// prefix, which a node answers with the sizes of every value under it added up. One call per
/// item, so it runs on a schedule (hourly in the shipped definition). Nodes that refuse it
/// (public endpoints often deny it as unsafe) make the read fail; it is logged and retried later.
struct StorageSizeCollector: ScheduledCollector {
    static let spec = CollectorSpec(name: "storage_size", values: ["bytes": ["pallet", "item"]], defaultValue: "bytes") { metadata throws(CollectorError) in
        // Keys start with the storage prefix, which is the pallet's name unless it was renamed.
        let items = metadata.pallets.flatMap { pallet in
            (pallet.storage?.entries ?? []).map { (pallet.name, $0.name, StorageKeyBuilder.prefix(pallet: pallet.storage?.prefix ?? pallet.name, item: $0.name)) }
        }
        guard !items.isEmpty else { return .missing("storage_size: the runtime declares no storage") }
        return .scheduled(StorageSizeCollector(items: items))
    }

    let items: [(pallet: String, item: String, prefix: [UInt8])]

    /// Items asked for at once.
    static let concurrency = 8

    func collect(_ state: StateReader, _ block: BlockContext) async throws -> [Sample] {
        var sizes = [Int: UInt64]()
        try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            var next = 0
            func ask(_ position: Int) {
                let prefix = items[position].prefix
                group.addTask { (position, try await state.size(prefix) ?? 0) }
            }
            while next < min(Self.concurrency, items.count) { ask(next); next += 1 }
            while let (position, size) = try await group.next() {
                sizes[position] = size
                if next < items.count { ask(next); next += 1 }
            }
        }
        return items.indices.map { position in
            Sample(metric: "bytes", labels: [Sample.Label("pallet", items[position].pallet), Sample.Label("item", items[position].item)],
                   value: SampleValue(UInt128(sizes[position] ?? 0)))
        }
    }
}

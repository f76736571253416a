import SCALE
import Substrate

/// The bags-list of voters (`VoterList`, formerly `BagsList`): bags holding voters and empty
/// ones, voters per bag, and voters sitting in the wrong bag for their stake (needing a
/// rebag). A voter's stake is its `Staking.Ledger.active` as a vote weight: divided by
/// `max(1, total issuance / u64::MAX)`, as the runtime converts it. Reads every node, so it
/// runs on a schedule.
struct VoterBagsCollector: ScheduledCollector {
    static let spec = CollectorSpec(
        name: "voter_bags", values: ["bags_active": [], "bags_empty": [], "nodes": ["bag"], "needing_rebag": []], defaultValue: "nodes"
    ) { metadata throws(CollectorError) in
        let pallet = ["VoterList", "BagsList"].first { metadata.pallet(named: $0) != nil }
        guard let pallet else { return .missing("voter_bags: the runtime has no VoterList") }
        let storage = CollectorStorage(collector: "voter_bags", metadata: metadata)
        for (palletName, item) in [(pallet, "ListNodes"), (pallet, "ListBags"), ("Staking", "Ledger"), ("Balances", "TotalIssuance")] where !storage.has(palletName, item) {
            return .missing("voter_bags: the runtime has no \(palletName).\(item)")
        }
        guard case let .sequence(items) = try storage.constant(pallet, "BagThresholds").kind else { throw storage.fail("\(pallet).BagThresholds is not a list") }
        return .scheduled(VoterBagsCollector(storage: storage, pallet: pallet, thresholds: items.compactMap(\.uint64)))
    }.reading(["VoterList", "BagsList"])

    let storage: CollectorStorage
    let pallet: String
    let thresholds: [UInt64]

    func bag(for score: UInt64) -> UInt64 { thresholds.first { $0 >= score } ?? .max }

    func collect(_ state: StateReader, _ block: BlockContext) async throws -> [Sample] {
        var activeBags = 0
        try await state.forEachPage(prefix: try storage.keyBytes(pallet, "ListBags")) { keys in activeBags += keys.count }

        let issuanceKey = try storage.key("Balances", "TotalIssuance")
        let issuanceBytes = try await state.values([issuanceKey])
        var reading = block
        reading.storage[issuanceKey] = issuanceBytes[issuanceKey] ?? nil
        let issuance = try storage.number(try storage.value("Balances", "TotalIssuance", key: issuanceKey, in: reading), what: "Balances.TotalIssuance")
        let factor = max(issuance / UInt128(UInt64.max), 1)

        var perBag = [UInt64: UInt128]()
        var misplaced: UInt128 = 0
        try await state.forEachEntries(prefix: try storage.keyBytes(pallet, "ListNodes")) { entries in
            var nodes = [(id: [UInt8], bag: UInt64, ledgerKey: String)]()
            for (key, bytes) in entries {
                reading.storage[key] = bytes
                guard let node = try storage.value(pallet, "ListNodes", key: key, in: reading) else { continue }
                guard let id = node.value(at: "id")?.bytes, let bag = node.value(at: "bag_upper")?.uint64 else {
                    throw storage.fail("\(pallet).ListNodes entry \(key) has no id or bag_upper")
                }
                nodes.append((id, bag, try storage.key("Staking", "Ledger", [.bytes(id)])))
            }
            // A voter's ledger is under its stash (controllers are the stashes now).
            let ledgers = try await state.values(nodes.map(\.ledgerKey))
            for node in nodes {
                perBag[node.bag, default: 0] += 1
                reading.storage[node.ledgerKey] = ledgers[node.ledgerKey] ?? nil
                guard let ledger = try storage.value("Staking", "Ledger", key: node.ledgerKey, in: reading) else { continue }
                let active = try storage.number(ledger, "active", what: "Staking.Ledger")
                if bag(for: UInt64(clamping: active / factor)) != node.bag { misplaced += 1 }
            }
        }
        let bags = thresholds.count + (thresholds.last == .max ? 0 : 1)
        return [
            Sample(metric: "bags_active", value: SampleValue(UInt128(activeBags))),
            Sample(metric: "bags_empty", value: SampleValue(UInt128(max(bags - activeBags, 0)))),
            Sample(metric: "needing_rebag", value: SampleValue(misplaced)),
        ] + perBag.sorted { $0.key < $1.key }.map { Sample(metric: "nodes", labels: [Sample.Label("bag", String($0.key))], value: SampleValue($0.value)) }
    }
}

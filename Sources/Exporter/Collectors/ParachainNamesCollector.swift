import ExactJSON
import Substrate

/// Each parachain live on a relay chain (`Paras.Parachains`), named: the definition's `names`
/// table, by relay chain (the runtime's spec name: `polkadot`, `kusama`) then para id, gives
/// the name; a parachain the table does not list is named by its id. The value is 1, as for
/// Prometheus info metrics, so other parachain series take the name by joining on `para_id`.
struct ParachainNamesCollector: Collector {
    static let spec = CollectorSpec(
        name: "parachain_names", values: ["info": ["para_id", "name"]], defaultValue: "info", pallets: ["Paras"],
        options: ["names"], check: { option, value in option == "names" ? tableProblem(value) : nil }
    ) { metadata, options throws(CollectorError) in
        let storage = CollectorStorage(collector: "parachain_names", metadata: metadata)
        guard storage.has("Paras", "Parachains") else { return .missing("parachain_names: the runtime has no Paras.Parachains") }
        let relay = metadata.runtimeVersion?.specName ?? ""
        var names = [UInt32: String]()
        if case let .object(ids)? = options["names"]?[relay] {
            for entry in ids { if let id = UInt32(entry.key), let name = entry.value.stringValue { names[id] = name } }
        }
        return .bound(ParachainNamesCollector(storage: storage, key: try storage.key("Paras", "Parachains"), names: names))
    }

    /// Why a names table will not do: it maps relay chains to maps of para ids to names.
    static func tableProblem(_ table: JSON) -> String? {
        guard case let .object(relays) = table else { return "expected {relay chain: {para id: name}}" }
        for relay in relays {
            guard case let .object(ids) = relay.value else { return "\(relay.key): expected {para id: name}" }
            for entry in ids {
                guard UInt32(entry.key) != nil else { return "\(relay.key): \(entry.key) is not a para id" }
                guard let name = entry.value.stringValue, !name.isEmpty else { return "\(relay.key).\(entry.key): expected a name" }
            }
        }
        return nil
    }

    let storage: CollectorStorage
    let key: String
    let names: [UInt32: String]

    var storageKeys: [String] { [key] }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let ids = try storage.integers("Paras", "Parachains", key: key, in: block, at: "*") ?? []
        return try ids.map { id throws(CollectorError) in
            guard let para = UInt32(exactly: id) else { throw storage.fail("Paras.Parachains holds \(id), not a para id") }
            return Sample(metric: "info", labels: [Sample.Label("para_id", String(para)), Sample.Label("name", names[para] ?? String(para))], value: SampleValue(1))
        }
    }
}

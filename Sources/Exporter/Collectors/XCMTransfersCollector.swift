import Substrate

/// Cross-chain transfers sent by this chain, by destination: the transfer calls of the relay
/// chain's `XcmPallet`, a parachain's `PolkadotXcm` and `XTokens`, wherever they sit in the
/// extrinsic (inside batches, proxies and multisigs too), when they succeeded. Locations
/// are read in every versioned form (V2 to V5). `tokens` adds the native fungible assets sent
/// (location `Here` as the sender sees it); `XTokens` currencies are chain-specific, so they
/// count as transfers without an amount.
struct XCMTransfersCollector: Collector {
    static let pallets = ["XcmPallet", "PolkadotXcm", "XTokens"]
    static let transferCalls: Set<String> = [
        "reserve_transfer_assets", "limited_reserve_transfer_assets", "teleport_assets", "limited_teleport_assets",
        "transfer_assets", "transfer_assets_using_type_and_then",
        // XTokens
        "transfer", "transfer_multiasset", "transfer_with_fee", "transfer_multiasset_with_fee", "transfer_multicurrencies",
        "transfer_multiassets",
    ]

    static let spec = CollectorSpec(
        name: "xcm_transfers", values: ["transfers": ["destination"], "tokens": ["destination"]], defaultValue: "transfers"
    ) { metadata throws(CollectorError) in
        let present = pallets.filter { metadata.pallet(named: $0)?.callType != nil }
        guard !present.isEmpty else { return .missing("xcm_transfers: the runtime has none of \(pallets.joined(separator: ", "))") }
        return .bound(XCMTransfersCollector(pallets: Set(present)))
    }

    let pallets: Set<String>

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        var transfers = [String: UInt128]()
        var tokens = [String: UInt128]()
        for index in block.extrinsics.indices {
            for dispatched in DispatchedCall.calls(ofExtrinsic: index, in: block) where dispatched.succeeded == true {
                let call = dispatched.call
                guard pallets.contains(call.pallet) && Self.transferCalls.contains(call.name) else { continue }
                guard let dest = call.argument("dest") else { continue }
                let destination = Self.destination(of: dest)
                transfers[destination, default: 0] += 1
                if call.pallet != "XTokens", let assets = call.argument("assets") {
                    tokens[destination, default: 0] += Self.nativeAmount(in: assets)
                }
            }
        }
        return transfers.map { Sample(metric: "transfers", labels: [Sample.Label("destination", $0.key)], value: SampleValue($0.value)) }
            + tokens.map { Sample(metric: "tokens", labels: [Sample.Label("destination", $0.key)], value: SampleValue($0.value)) }
    }

    /// The destination as a label: the parachain id (`2000`), prefixed by the network when the
    /// location leaves this consensus (`Kusama/1000`); `relay` for the parent chain itself.
    static func destination(of location: Value) -> String {
        let parents = location.firstField(named: "parents")?.uint128 ?? 0
        let network = location.firstVariantPayload(named: "GlobalConsensus").map(label)
        if let parachain = location.firstVariantPayload(named: "Parachain")?.uint128 {
            return (network.map { $0 + "/" } ?? "") + String(parachain)
        }
        if let network { return network }
        return parents > 0 ? "relay" : "here"
    }

    /// The fungible amount of the assets whose id is this chain's native token (`parents: 0`,
    /// `Here`), in any versioned form.
    static func nativeAmount(in assets: Value) -> UInt128 {
        var total: UInt128 = 0
        assets.forEachComposite { asset in
            guard let id = asset[field: "id"], let fun = asset[field: "fun"], let amount = fun.firstVariantPayload(named: "Fungible")?.uint128 else {
                return
            }
            let location = id.firstVariantPayload(named: "Concrete") ?? id
            let parents = location.firstField(named: "parents")?.uint128
            let interior = location.firstField(named: "interior")
            if parents == 0, interior?.variantName == "Here" { total += amount }
        }
        return total
    }

    private static func label(_ value: Value) -> String {
        var current = value
        while let inner = current.unwrappedNewtype, inner != current { current = inner }
        if let name = current.variantName { return name }
        if let number = current.uint128 { return String(number) }
        return "unknown"
    }
}

extension Value {
    /// Depth-first: the first field called `name` in this value.
    fileprivate func firstField(named name: String) -> Value? {
        if let own = self[field: name] { return own }
        for child in children { if let found = child.firstField(named: name) { return found } }
        return nil
    }

    /// Depth-first: the payload of the first variant called `name` (its single field).
    fileprivate func firstVariantPayload(named name: String) -> Value? {
        if case let .variant(variant) = kind, variant.name == name {
            return variant.fields.count == 1 ? variant.fields[0].value : Value(.composite(variant.fields))
        }
        for child in children { if let found = child.firstVariantPayload(named: name) { return found } }
        return nil
    }

    /// Calls `body` with each struct holding both `id` and `fun` (an asset), at any depth.
    fileprivate func forEachComposite(_ body: (Value) -> Void) {
        if self[field: "id"] != nil, self[field: "fun"] != nil {
            body(self)
            return
        }
        for child in children { child.forEachComposite(body) }
    }

    private var children: [Value] {
        switch kind {
        case let .composite(fields): fields.map(\.value)
        case let .variant(variant): variant.fields.map(\.value)
        case let .sequence(items), let .array(items), let .tuple(items): items
        default: []
        }
    }
}

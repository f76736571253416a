import Substrate

/// Cross-chain transfers sent by this chain, by destination: the transfer calls of the relay
/// chain's `XcmPallet`, a parachain's `PolkadotXcm` and `XTokens`, and the transfer instructions
/// of XCM programs run by `execute`, wherever the call sits in the extrinsic (inside batches,
/// proxies and multisigs too), when it succeeded. Locations are read in every versioned form
/// (V2 to V5). `tokens` adds the native fungible assets sent; `XTokens` currencies are
/// chain-specific, so they count as transfers without an amount.
///
/// The native token's location, as this chain's XCM names it, is decided from the runtime and
/// its state, never from the chain's name: on a relay chain (no `ParachainInfo`) it is `Here`;
/// on a system parachain (para id below 2000, whose native token is the relay chain's: Asset
/// Hub's DOT and KSM) the parent's `Here`; on any other parachain `Here` or its `Balances`
/// pallet instance.
struct XCMTransfersCollector: Collector {
    static let pallets = ["XcmPallet", "PolkadotXcm", "XTokens"]
    static let transferCalls: Set<String> = [
        "reserve_transfer_assets", "limited_reserve_transfer_assets", "teleport_assets", "limited_teleport_assets",
        "transfer_assets", "transfer_assets_using_type_and_then",
        // XTokens
        "transfer", "transfer_multiasset", "transfer_with_fee", "transfer_multiasset_with_fee", "transfer_multicurrencies",
        "transfer_multiassets",
    ]
    /// Para ids below this are system parachains, whose native token is the relay chain's.
    static let firstPublicParachain: UInt128 = 2000

    static let spec = CollectorSpec(
        name: "xcm_transfers", values: ["transfers": ["destination"], "tokens": ["destination"]], defaultValue: "transfers"
    ) { metadata throws(CollectorError) in
        let present = pallets.filter { metadata.pallet(named: $0)?.callType != nil }
        guard !present.isEmpty else { return .missing("xcm_transfers: the runtime has none of \(pallets.joined(separator: ", "))") }
        let storage = CollectorStorage(collector: "xcm_transfers", metadata: metadata)
        let paraIDKey = storage.has("ParachainInfo", "ParachainId") ? try storage.key("ParachainInfo", "ParachainId") : nil
        return .bound(XCMTransfersCollector(
            pallets: Set(present), storage: storage, paraIDKey: paraIDKey, balancesIndex: metadata.pallet(named: "Balances")?.index))
    }.reading(pallets)

    let pallets: Set<String>
    let storage: CollectorStorage
    /// `ParachainInfo.ParachainId`, on a parachain.
    let paraIDKey: String?
    let balancesIndex: UInt8?

    var storageKeys: [String] { paraIDKey.map { [$0] } ?? [] }
    var blockParts: BlockParts { [.extrinsics, .events] }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let native = try nativeToken(block)
        var transfers = [String: UInt128]()
        var tokens = [String: UInt128]()
        func add(_ destination: String, _ amount: UInt128?) throws(CollectorError) {
            transfers[destination, default: 0] += 1
            guard let amount else { return }
            let (sum, overflow) = tokens[destination, default: 0].addingReportingOverflow(amount)
            guard !overflow else { throw storage.fail("native tokens sent to \(destination) pass 2^128", .overflow) }
            tokens[destination] = sum
        }
        for index in block.extrinsics.indices {
            for dispatched in DispatchedCall.calls(ofExtrinsic: index, in: block) where dispatched.succeeded == true {
                let call = dispatched.call
                guard pallets.contains(call.pallet) else { continue }
                if call.name == "execute", call.pallet != "XTokens", let message = call.argument("message") {
                    for transfer in Self.transfers(inProgram: message, native: native) { try add(transfer.destination, transfer.amount) }
                    continue
                }
                guard Self.transferCalls.contains(call.name), let dest = call.argument("dest") else { continue }
                let amount = call.pallet == "XTokens" ? nil : call.argument("assets").map { Self.nativeAmount(in: $0, native: native) }
                try add(Self.destination(of: dest), amount)
            }
        }
        // Every destination that saw a transfer has a tokens sample, 0 when no native token went.
        for destination in transfers.keys where tokens[destination] == nil { tokens[destination] = 0 }
        return transfers.map { Sample(metric: "transfers", labels: [Sample.Label("destination", $0.key)], value: SampleValue($0.value)) }
            + tokens.map { Sample(metric: "tokens", labels: [Sample.Label("destination", $0.key)], value: SampleValue($0.value)) }
    }

    /// Where this chain's native token is, at this block.
    func nativeToken(_ block: BlockContext) throws(CollectorError) -> NativeToken {
        guard let paraIDKey else { return .here }
        let paraID = try storage.number(
            try storage.value("ParachainInfo", "ParachainId", key: paraIDKey, in: block), what: "ParachainInfo.ParachainId")
        return paraID < Self.firstPublicParachain ? .relayToken : .own(balancesIndex: balancesIndex)
    }

    /// Where a chain's native token is, as its own XCM names it.
    enum NativeToken: Sendable, Equatable {
        /// `{parents: 0, Here}`: a relay chain's.
        case here
        /// `{parents: 1, Here}`: a system parachain's, the relay chain's token.
        case relayToken
        /// `{parents: 0, Here}` or `{parents: 0, X1: PalletInstance(Balances)}`: a parachain's own.
        case own(balancesIndex: UInt8?)

        func matches(_ location: Value) -> Bool {
            let location = location.firstVariantPayload(named: "Concrete") ?? location
            guard let parents = location.firstField(named: "parents")?.uint128, let interior = location.firstField(named: "interior") else { return false }
            switch self {
            case .here: return parents == 0 && interior.variantName == "Here"
            case .relayToken: return parents == 1 && interior.variantName == "Here"
            case let .own(balancesIndex):
                guard parents == 0 else { return false }
                if interior.variantName == "Here" { return true }
                guard let balancesIndex, interior.variantName == "X1", let instance = interior.firstVariantPayload(named: "PalletInstance")?.uint128 else {
                    return false
                }
                return instance == UInt128(balancesIndex)
            }
        }
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

    /// The fungible amount of the assets that are this chain's native token, in any versioned form.
    static func nativeAmount(in assets: Value, native: NativeToken = .here) -> UInt128 {
        var total: UInt128 = 0
        assets.forEachAsset { asset in
            guard let id = asset[field: "id"], let fun = asset[field: "fun"], let amount = fun.firstVariantPayload(named: "Fungible")?.uint128,
                  native.matches(id)
            else { return }
            total &+= amount
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
    func firstField(named name: String) -> Value? {
        if let own = self[field: name] { return own }
        for child in children { if let found = child.firstField(named: name) { return found } }
        return nil
    }

    /// Depth-first: the payload of the first variant called `name` (its single field).
    func firstVariantPayload(named name: String) -> Value? {
        if case let .variant(variant) = kind, variant.name == name {
            return variant.fields.count == 1 ? variant.fields[0].value : Value(.composite(variant.fields))
        }
        for child in children { if let found = child.firstVariantPayload(named: name) { return found } }
        return nil
    }

    /// Calls `body` with each struct holding both `id` and `fun` (an asset), at any depth.
    func forEachAsset(_ body: (Value) -> Void) {
        if self[field: "id"] != nil, self[field: "fun"] != nil {
            body(self)
            return
        }
        for child in children { child.forEachAsset(body) }
    }

    var children: [Value] {
        switch kind {
        case let .composite(fields): fields.map(\.value)
        case let .variant(variant): variant.fields.map(\.value)
        case let .sequence(items), let .array(items), let .tuple(items): items
        default: []
        }
    }
}

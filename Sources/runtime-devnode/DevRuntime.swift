import ExactJSON
import SCALE
import Substrate

/// One runtime's view of the synthetic chain: how its blocks, extrinsics, events and storage are
/// built with that runtime's metadata. `DevChain` calls it block after block.
struct DevRuntime: Sendable {
    let metadata: RuntimeMetadata
    let metadataBytes: [UInt8]
    let version: RuntimeVersion
    /// Accounts that sign transfers; the last one collects fees (the block author).
    let accounts: [[UInt8]]
    private let keys: StorageKeyBuilder
    private let values: ValueEncoder
    private let extrinsics: ExtrinsicEncoder
    private let events: EventEncoder

    struct DevError: Error, CustomStringConvertible {
        let description: String
    }

    /// Balances and nonces, carried from block to block.
    struct State: Sendable {
        var free: [[UInt8]: UInt128]
        var nonces: [[UInt8]: UInt32]
        var issuance: UInt128
        /// `System.LastRuntimeUpgrade`: the spec version and name of the last runtime set.
        var lastUpgrade: (specVersion: UInt32, specName: String)
    }

    init(metadataBytes: [UInt8]) throws {
        let metadata = try RuntimeMetadata.decode(metadataBytes)
        guard let version = metadata.runtimeVersion else { throw DevError(description: "the metadata has no System.Version constant") }
        self.metadata = metadata
        self.metadataBytes = metadataBytes
        self.version = version
        accounts = (0..<5).map { index in Blake2b.hash256(Array("runtime-devnode account \(index)".utf8)) }
        keys = StorageKeyBuilder(metadata: metadata)
        values = ValueEncoder(registry: metadata.types)
        extrinsics = ExtrinsicEncoder(metadata: metadata)
        events = try EventEncoder(metadata: metadata)
    }

    var author: [UInt8] { accounts[accounts.count - 1] }

    func genesis(seed: UInt64) throws -> DevChain.Block {
        var random = DevRandom(seed: seed, stream: 0)
        var state = State(free: [:], nonces: [:], issuance: 0, lastUpgrade: (version.specVersion, version.specName))
        for account in accounts {
            let free = UInt128(1_000_000) * 10_000_000_000 + UInt128(random.next() % 1_000_000_000_000)
            state.free[account] = free
            state.issuance += free
        }
        return try seal(
            number: 0, parentHash: [UInt8](repeating: 0, count: 32), extrinsics: [], records: [], state: state,
            timestamp: 0, setsCode: false, random: &random
        )
    }

    /// The block after `parent`. `setsCode`: the next block runs another runtime, so this one
    /// carries the `System.CodeUpdated` event and a `RuntimeEnvironmentUpdated` digest item, as a
    /// `set_code` block does. `enactsUpgrade`: this runtime runs its first block and records
    /// itself in `System.LastRuntimeUpgrade`.
    func block(after parent: DevChain.Block, configuration: DevChain.Configuration, setsCode: Bool = false, enactsUpgrade: Bool = false) throws -> DevChain.Block {
        let number = parent.number + 1
        var random = DevRandom(seed: configuration.seed, stream: number)
        var state = parent.state
        if enactsUpgrade { state.lastUpgrade = (version.specVersion, version.specName) }
        let timestamp = configuration.genesisTimeMilliseconds + number * UInt64(configuration.blockTime.milliseconds)
        var body = [[UInt8]]()
        var records = [EventRecord]()

        let now = try metadata.callValue(pallet: "Timestamp", call: "set", arguments: [.init(name: "now", value: Value(.compact(.u64(timestamp))))])
        body.append(try extrinsics.bare(call: now))
        records.append(try event("System", "ExtrinsicSuccess", [:], phase: .applyExtrinsic(0)))
        if setsCode { records.append(try event("System", "CodeUpdated", [:], phase: .finalization)) }

        let transfers = configuration.transfersPerBlock == 0 ? 0 : Int(random.next() % UInt64(configuration.transfersPerBlock + 1))
        for _ in 0..<transfers {
            let phase = EventRecord.Phase.applyExtrinsic(UInt32(body.count))
            let signer = accounts[Int(random.next() % UInt64(accounts.count - 1))]
            var destination = accounts[Int(random.next() % UInt64(accounts.count - 1))]
            if destination == signer { destination = author }
            let amount = UInt128(random.next() % 1_000_000_000_000) + 10_000_000_000
            let tip: UInt128 = random.next() % 3 == 0 ? UInt128(random.next() % 100_000_000) : 0
            let fee = 150_000_000 + UInt128(random.next() % 50_000_000) + tip
            let nonce = state.nonces[signer, default: 0]
            body.append(try signed(transferCall(to: destination, amount: amount), by: signer, tip: tip, nonce: nonce, random: &random))

            state.nonces[signer] = nonce + 1
            state.free[signer, default: 0] -= amount + fee
            state.free[destination, default: 0] += amount
            state.free[author, default: 0] += fee
            records += [
                try event("Balances", "Withdraw", ["who": .bytes(signer), "amount": .primitive(.u128(fee))], phase: phase),
                try event("Balances", "Transfer", ["from": .bytes(signer), "to": .bytes(destination), "amount": .primitive(.u128(amount))], phase: phase),
                try event("Balances", "Deposit", ["who": .bytes(author), "amount": .primitive(.u128(fee))], phase: phase),
                try event("TransactionPayment", "TransactionFeePaid", [
                    "who": .bytes(signer), "actual_fee": .primitive(.u128(fee)), "tip": .primitive(.u128(tip)),
                ], phase: phase),
                try event("System", "ExtrinsicSuccess", [:], phase: phase),
            ]
        }
        // Every third block, a Utility.batch_all of two transfers from one signer.
        if number % 3 == 0, metadata.pallet(named: "Utility") != nil {
            let phase = EventRecord.Phase.applyExtrinsic(UInt32(body.count))
            let signer = accounts[Int(random.next() % UInt64(accounts.count - 1))]
            let destinations = [accounts[0] == signer ? accounts[1] : accounts[0], author]
            let amounts = destinations.map { _ in UInt128(random.next() % 100_000_000_000) + 10_000_000_000 }
            let fee = 300_000_000 + UInt128(random.next() % 50_000_000)
            let nonce = state.nonces[signer, default: 0]
            var calls = [Value]()
            for (destination, amount) in zip(destinations, amounts) { calls.append(try transferCall(to: destination, amount: amount)) }
            let batch = try metadata.callValue(pallet: "Utility", call: "batch_all", arguments: [.init(name: "calls", value: Value(.sequence(calls)))])
            body.append(try signed(batch, by: signer, tip: 0, nonce: nonce, random: &random))
            state.nonces[signer] = nonce + 1
            state.free[signer, default: 0] -= fee
            state.free[author, default: 0] += fee
            records.append(try event("Balances", "Withdraw", ["who": .bytes(signer), "amount": .primitive(.u128(fee))], phase: phase))
            for (destination, amount) in zip(destinations, amounts) {
                state.free[signer, default: 0] -= amount
                state.free[destination, default: 0] += amount
                records.append(try event("Balances", "Transfer", ["from": .bytes(signer), "to": .bytes(destination), "amount": .primitive(.u128(amount))], phase: phase))
                records.append(try event("Utility", "ItemCompleted", [:], phase: phase))
            }
            records += [
                try event("Utility", "BatchCompleted", [:], phase: phase),
                try event("Balances", "Deposit", ["who": .bytes(author), "amount": .primitive(.u128(fee))], phase: phase),
                try event("TransactionPayment", "TransactionFeePaid", [
                    "who": .bytes(signer), "actual_fee": .primitive(.u128(fee)), "tip": .primitive(.u128(0)),
                ], phase: phase),
                try event("System", "ExtrinsicSuccess", [:], phase: phase),
            ]
        }
        return try seal(
            number: number, parentHash: parent.header.hash, extrinsics: body, records: records, state: state,
            timestamp: timestamp, setsCode: setsCode, random: &random
        )
    }

    /// `Balances.transfer_keep_alive(dest, value)`.
    private func transferCall(to destination: [UInt8], amount: UInt128) throws -> Value {
        try metadata.callValue(pallet: "Balances", call: "transfer_keep_alive", arguments: [
            .init(name: "dest", value: Self.multiAddress(destination)),
            .init(name: "value", value: Value(.compact(.u128(amount)))),
        ])
    }

    /// `MultiAddress::Id(account)`.
    private static func multiAddress(_ account: [UInt8]) -> Value {
        .variant("Id", index: 0, [.init(name: nil, value: .bytes(account))])
    }

    /// A signed v4 extrinsic; the signature is random bytes (nothing here verifies it).
    private func signed(_ call: Value, by signer: [UInt8], tip: UInt128, nonce: UInt32, random: inout DevRandom) throws -> [UInt8] {
        var extensionValues = [String: Value]()
        for item in metadata.extrinsic.transactionExtensions {
            switch item.identifier {
            case "CheckNonce": extensionValues[item.identifier] = Value(.compact(.u32(nonce)))
            case "ChargeTransactionPayment": extensionValues[item.identifier] = Value(.compact(.u128(tip)))
            default: extensionValues[item.identifier] = try metadata.types.defaultValue(of: item.typeID)
            }
        }
        let signature = Value.variant("Sr25519", index: 1, [.init(name: nil, value: .bytes(random.bytes(64)))])
        return try extrinsics.signed(
            address: Self.multiAddress(signer),
            signature: signature, extensions: extensionValues, call: call
        )
    }

    /// An event of this runtime with the given fields; fields not given take their plainest value.
    private func event(_ pallet: String, _ name: String, _ given: [String: Value], phase: EventRecord.Phase) throws -> EventRecord {
        guard let palletMetadata = metadata.pallet(named: pallet), let eventType = palletMetadata.eventType,
              case let .variant(variants)? = metadata.types[eventType]?.definition,
              let variant = variants.first(where: { $0.name == name })
        else { throw DevError(description: "the runtime has no event \(pallet).\(name)") }
        var fields = [Value.NamedValue]()
        for field in variant.fields {
            fields.append(.init(name: field.name, value: try given[field.name ?? ""] ?? metadata.types.defaultValue(of: field.typeID)))
        }
        return EventRecord(index: 0, phase: phase, pallet: pallet, palletIndex: palletMetadata.index, name: name, eventIndex: variant.index, fields: fields)
    }

    /// Writes the block's storage and header.
    private func seal(
        number: UInt64, parentHash: [UInt8], extrinsics body: [[UInt8]], records: [EventRecord], state: State,
        timestamp: UInt64, setsCode: Bool, random: inout DevRandom
    ) throws -> DevChain.Block {
        var storage = [String: [UInt8]]()
        func put(_ pallet: String, _ item: String, keys: [Value] = [], _ value: Value) throws {
            let entry = try keys.isEmpty ? self.keys.key(pallet: pallet, item: item) : self.keys.key(pallet: pallet, item: item, keys: keys)
            guard let valueType = metadata.storageEntry(pallet: pallet, item: item)?.valueType else {
                throw DevError(description: "no storage entry \(pallet).\(item)")
            }
            storage[Hex.encode(entry)] = try values.encode(value, as: valueType)
        }
        try put("System", "Number", .primitive(.u32(UInt32(number))))
        try put("Timestamp", "Now", .primitive(.u64(timestamp)))
        try put("Balances", "TotalIssuance", .primitive(.u128(state.issuance)))
        if let accountType = metadata.storageEntry(pallet: "System", item: "Account")?.valueType {
            let empty = try metadata.types.defaultValue(of: accountType)
            for (account, free) in state.free {
                let withNonce = empty.replacing("nonce", with: .primitive(.u32(state.nonces[account, default: 0]))) ?? empty
                guard let info = withNonce.replacing("data.free", with: .primitive(.u128(free))) else {
                    throw DevError(description: "System.Account values have no data.free")
                }
                try put("System", "Account", keys: [.bytes(account)], info)
            }
        }
        if metadata.storageEntry(pallet: "TransactionPayment", item: "NextFeeMultiplier") != nil {
            // FixedU128 (18 decimals) drifting around 1.0 with the block number.
            let multiplier = UInt128(1_000_000_000_000_000_000) + UInt128(number % 1000) * 1_000_000_000_000_000
            try put("TransactionPayment", "NextFeeMultiplier", .primitive(.u128(multiplier)))
        }
        if let weightType = metadata.storageEntry(pallet: "System", item: "BlockWeight")?.valueType {
            let used = UInt64(body.count) * 125_000_000
            let weight = try metadata.types.defaultValue(of: weightType)
                .replacing("normal.ref_time", with: Value(.compact(.u64(used))))?
                .replacing("mandatory.ref_time", with: Value(.compact(.u64(10_000_000))))
            if let weight { try put("System", "BlockWeight", weight) }
        }
        if let upgradeType = metadata.storageEntry(pallet: "System", item: "LastRuntimeUpgrade")?.valueType {
            let info = try metadata.types.defaultValue(of: upgradeType)
                .replacing("spec_version", with: Value(.compact(.u32(state.lastUpgrade.specVersion))))?
                .replacing("spec_name", with: .primitive(.string(state.lastUpgrade.specName)))
            if let info { try put("System", "LastRuntimeUpgrade", info) }
        }
        let eventsKey = Hex.encode(try keys.key(pallet: "System", item: "Events"))
        storage[eventsKey] = try events.encode(records)

        let stateRoot = Blake2b.hash256(storage.keys.sorted().flatMap { Array($0.utf8) + storage[$0]! })
        let extrinsicsRoot = Blake2b.hash256(body.flatMap { $0 })
        var digest: [DigestItem] = number == 0 ? [] : [
            .preRuntime(engine: Array("BABE".utf8), data: random.bytes(16)),
            .seal(engine: Array("BABE".utf8), data: random.bytes(64)),
        ]
        if setsCode { digest.insert(.runtimeEnvironmentUpdated, at: 1) }
        let header = BlockHeader(parentHash: parentHash, number: number, stateRoot: stateRoot, extrinsicsRoot: extrinsicsRoot, digest: digest)
        return DevChain.Block(
            number: number, hash: Hex.encode(header.hash), header: header, extrinsics: body, storage: storage, state: state
        )
    }
}

/// SplitMix64 over (seed, stream): the same seed and block number always give the same bytes.
struct DevRandom {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

import ExactJSON
import SCALE
import Substrate

/// One runtime's view of the synthetic chain: how its blocks, extrinsics, events and storage are
/// built with that runtime's metadata. `DevChain` calls it block after block; what happens in a
/// block (transfers, XCM, staking, pools) lives in the `DevRuntime+…` files, one activity each.
struct DevRuntime: Sendable {
    let metadata: RuntimeMetadata
    /// What `state_getMetadata` serves: V14 for a V15 or V16 runtime, as real nodes do.
    let metadataBytes: [UInt8]
    /// What `Metadata_metadata_at_version` serves, by version.
    let metadataByVersion: [UInt32: [UInt8]]
    let version: RuntimeVersion
    /// Accounts that sign extrinsics; the last one authors blocks and collects fees.
    let accounts: [[UInt8]]
    let keys: StorageKeyBuilder
    let reader: ValueJSONReader
    /// The two tracks the referenda run on (`DevRuntime+Governance`).
    let governanceTracks: [(id: UInt16, name: String)]
    private let values: ValueEncoder
    private let extrinsics: ExtrinsicEncoder
    private let events: EventEncoder

    struct DevError: Error, CustomStringConvertible {
        let description: String
    }

    /// Everything carried from block to block.
    struct State: Sendable {
        var free: [[UInt8]: UInt128]
        var nonces: [[UInt8]: UInt32]
        var issuance: UInt128
        /// `System.LastRuntimeUpgrade`: the spec version and name of the last runtime set.
        var lastUpgrade: (specVersion: UInt32, specName: String)
        var staking: StakingState
        var pools: PoolsState
        /// XCM transfers sent so far and the native tokens they carried, by destination (a parachain's id, or `relay`).
        var xcmSent: [String: (transfers: UInt128, tokens: UInt128)] = [:]
        var election = ElectionState()
        /// The bag each voter was put in when it joined the voter list (not moved since).
        var voterBags: [[UInt8]: UInt64] = [:]
        /// Staking-async: the multi-block election, and session reports received from the relay chain.
        var multiBlock = MultiBlockState()
        var sessionReports: UInt64 = 0
        /// Staking-async: offences received from the relay chain and reported to staking, and the slashes they led to.
        var offences: UInt64 = 0
        var slashes: (count: UInt64, tokens: UInt128) = (0, 0)
        /// Staking-async: funds members delegated to their pools' agents, and those released back.
        var delegatedStaking: (delegated: UInt128, released: UInt128) = (0, 0)
        var assets = AssetLedger()
        var parachains = ParachainsState()
        var messageQueue = MessageQueueState()
        var governance = GovernanceState()
        var foreignAssets = AssetLedger()
        /// Swaps by the label text of the assets paid in and received (`1/Here→0/PalletInstance(50)/GeneralIndex(1984)`).
        var swaps: [String: SwapTotals] = [:]
    }

    /// One block while it is built: its extrinsics, their events, and the state they leave.
    struct BlockBuilder {
        let number: UInt64
        var random: DevRandom
        var state: State
        var body: [[UInt8]] = []
        /// Events of block initialization (an era starting), then of each extrinsic.
        var records: [EventRecord] = []
        var finalization: [EventRecord] = []

        /// The phase of the next extrinsic.
        var phase: EventRecord.Phase { .applyExtrinsic(UInt32(body.count)) }
    }

    /// A runtime from its metadata, of any version; the richest one describes it. `droppingPallets`
    /// (V15 metadata only) builds a runtime without those pallets, served as V14.
    init(metadataBytes given: [UInt8], droppingPallets: Set<String> = []) throws {
        var metadataBytes = given
        if !droppingPallets.isEmpty {
            guard (try? RuntimeMetadata.decode(given))?.version == 15 else { throw DevError(description: "leaving pallets out needs V15 metadata") }
            metadataBytes = try RuntimeMetadata.v14Bytes(fromV15: given, droppingPallets: droppingPallets)
        }
        let metadata = try RuntimeMetadata.decode(metadataBytes)
        guard let version = metadata.runtimeVersion else { throw DevError(description: "the metadata has no System.Version constant") }
        self.metadata = metadata
        // A node answers state_getMetadata with V14 and newer versions through the runtime API only.
        if metadata.version == 15 {
            let v14 = try RuntimeMetadata.v14Bytes(fromV15: metadataBytes)
            self.metadataBytes = v14
            metadataByVersion = [14: v14, 15: metadataBytes]
        } else if metadata.version == 16 {
            let v14 = try RuntimeMetadata.v14Bytes(fromV16: metadataBytes)
            self.metadataBytes = v14
            metadataByVersion = [14: v14, 16: metadataBytes]
        } else {
            self.metadataBytes = metadataBytes
            metadataByVersion = [UInt32(metadata.version): metadataBytes]
        }
        self.version = version
        accounts = (0..<5).map { index in Blake2b.hash256(Array("runtime-devnode account \(index)".utf8)) }
        keys = StorageKeyBuilder(metadata: metadata)
        reader = ValueJSONReader(registry: metadata.types)
        values = ValueEncoder(registry: metadata.types)
        extrinsics = ExtrinsicEncoder(metadata: metadata)
        events = try EventEncoder(metadata: metadata)
        governanceTracks = Self.governanceTracks(metadata)
    }

    var author: [UInt8] { accounts[accounts.count - 1] }

    /// A parachain runtime: its blocks start with `ParachainSystem.set_validation_data`.
    var isParachain: Bool { has("ParachainSystem", call: "set_validation_data") }

    /// What `signer` spends on one action that wanted `wanted`: at most a two-hundredth of its
    /// free balance, so that money leaving the signers (to the author, pools, other chains)
    /// never drives an account below zero however long the history; nil when the account has
    /// too little left to act at all.
    func spendable(_ wanted: UInt128, by signer: [UInt8], in state: State) -> UInt128? {
        let free = state.free[signer, default: 0]
        guard free >= Self.leastBalanceToAct else { return nil }
        return min(wanted, free / 200)
    }

    /// 100 units at 10 decimals: far above any fee, so fees never overdraw an account either.
    static let leastBalanceToAct: UInt128 = 1_000_000_000_000

    func genesis(seed: UInt64) throws -> DevChain.Block {
        var random = DevRandom(seed: seed, stream: 0)
        var state = State(
            free: [:], nonces: [:], issuance: 0, lastUpgrade: (version.specVersion, version.specName),
            staking: StakingState(), pools: PoolsState()
        )
        for account in accounts {
            let free = UInt128(1_000_000) * 10_000_000_000 + UInt128(random.next() % 1_000_000_000_000)
            state.free[account] = free
            state.issuance += free
        }
        genesisStaking(&state)
        genesisPools(&state)
        genesisAssets(&state)
        genesisForeignAssets(&state)
        placeNewVoters(&state)
        let block = BlockBuilder(number: 0, random: random, state: state)
        return try seal(block, parentHash: [UInt8](repeating: 0, count: 32), timestamp: 0, setsCode: false)
    }

    /// The block after `parent`. `setsCode`: the next block runs another runtime, so this one
    /// carries the `System.CodeUpdated` event and a `RuntimeEnvironmentUpdated` digest item, as a
    /// `set_code` block does. `enactsUpgrade`: this runtime runs its first block and records
    /// itself in `System.LastRuntimeUpgrade`.
    func block(after parent: DevChain.Block, configuration: DevChain.Configuration, setsCode: Bool = false, enactsUpgrade: Bool = false) throws -> DevChain.Block {
        let number = parent.number + 1
        var block = BlockBuilder(number: number, random: DevRandom(seed: configuration.seed, stream: number), state: parent.state)
        if enactsUpgrade { block.state.lastUpgrade = (version.specVersion, version.specName) }
        let timestamp = configuration.genesisTimeMilliseconds + number * UInt64(configuration.blockTime.milliseconds)

        try startEraIfDue(&block, timestamp: timestamp)
        try sessionReportIfDue(&block, timestamp: timestamp)
        try offenceIfDue(&block)
        try governanceAlarms(&block)
        if isParachain {
            // A collator's first inherent: the relay chain's state it builds on.
            block.records.append(try event("System", "ExtrinsicSuccess", [:], phase: block.phase))
            block.body.append(try extrinsics.bare(call: try plainCall("ParachainSystem", "set_validation_data", setting: [:])))
        }
        let now = try metadata.callValue(pallet: "Timestamp", call: "set", arguments: [.init(name: "now", value: Value(.compact(.u64(timestamp))))])
        block.records.append(try event("System", "ExtrinsicSuccess", [:], phase: block.phase))
        block.body.append(try extrinsics.bare(call: now))
        try parachainInclusion(&block)
        try parachainMessages(&block)
        if setsCode { block.finalization.append(try event("System", "CodeUpdated", [:], phase: .finalization)) }

        try transfers(&block, upTo: configuration.transfersPerBlock)
        try batchedTransfers(&block)
        try assetTransfer(&block)
        try burnAsset(&block)
        try failedTransfer(&block)
        try interruptedBatch(&block)
        try xcmTransfer(&block)
        try stakingActivity(&block)
        try poolActivity(&block)
        try electionActivity(&block)
        try multiBlockElectionActivity(&block)
        // Last: what it draws from the block's random bytes leaves the others' draws as they were.
        try onDemandOrder(&block)
        // After it: governance, foreign assets and swaps draw nothing but signatures.
        try governanceActivity(&block)
        try foreignAssetActivity(&block)
        try swapActivity(&block)
        placeNewVoters(&block.state)
        return try seal(block, parentHash: parent.header.hash, timestamp: timestamp, setsCode: setsCode)
    }

    /// A signed extrinsic with its fee: `Balances.Withdraw` of the fee, the call's own events,
    /// the fee's deposit to the author, `TransactionFeePaid` and `ExtrinsicSuccess`, as a real
    /// runtime emits them. With `failure` (a `DispatchError` as JSON) the call fails: the fee is
    /// still paid, the call has no events, and `ExtrinsicFailed` says why.
    func submit(
        _ call: Value, by signer: [UInt8], tip: UInt128 = 0, fee: UInt128, to block: inout BlockBuilder,
        failure: JSON? = nil, weight: UInt64 = 0, events: (EventRecord.Phase) throws -> [EventRecord]
    ) throws {
        let phase = block.phase
        let nonce = block.state.nonces[signer, default: 0]
        block.body.append(try signed(call, by: signer, tip: tip, nonce: nonce, random: &block.random))
        block.state.nonces[signer] = nonce + 1
        block.state.free[signer, default: 0] -= fee
        block.state.free[author, default: 0] += fee
        block.records.append(try event("Balances", "Withdraw", ["who": .bytes(signer), "amount": .primitive(.u128(fee))], phase: phase))
        if failure == nil { block.records += try events(phase) }
        block.records += [
            try event("Balances", "Deposit", ["who": .bytes(author), "amount": .primitive(.u128(fee))], phase: phase),
            try event("TransactionPayment", "TransactionFeePaid", [
                "who": .bytes(signer), "actual_fee": .primitive(.u128(fee)), "tip": .primitive(.u128(tip)),
            ], phase: phase),
            try failure.map { try event("System", "ExtrinsicFailed", json: ["dispatch_error": [$0]], phase: phase) }
                ?? extrinsicSuccess(weight: weight, phase: phase),
        ]
    }

    /// An unsigned extrinsic (no fee): the call's events and `ExtrinsicSuccess`.
    func submitUnsigned(_ call: Value, to block: inout BlockBuilder, weight: UInt64, events: (EventRecord.Phase) throws -> [EventRecord]) throws {
        let phase = block.phase
        block.body.append(try extrinsics.bare(call: call))
        block.records += try events(phase) + [try extrinsicSuccess(weight: weight, phase: phase)]
    }

    /// `System.ExtrinsicSuccess` with the weight the call used (`ref_time`, or the single
    /// number of older runtimes).
    func extrinsicSuccess(weight: UInt64, phase: EventRecord.Phase) throws -> EventRecord {
        guard weight > 0, let type = eventFieldType("System", "ExtrinsicSuccess", "dispatch_info") else {
            return try event("System", "ExtrinsicSuccess", [:], phase: phase)
        }
        let info = try metadata.types.defaultValue(of: type)
        let weighed = info.replacing("weight.ref_time", with: Value(.compact(.u64(weight)))) ?? info.replacing("weight", with: .primitive(.u64(weight))) ?? info
        return try event("System", "ExtrinsicSuccess", ["dispatch_info": weighed], phase: phase)
    }

    /// A call whose arguments start as their types' plainest values, with the fields at the
    /// given paths (`raw_solution.score.minimal_stake`) set.
    func plainCall(_ pallet: String, _ name: String, setting fields: [String: Value]) throws -> Value {
        guard let callType = metadata.pallet(named: pallet)?.callType, case let .variant(variants)? = metadata.types[callType]?.definition,
              let variant = variants.first(where: { $0.name == name })
        else { throw DevError(description: "the runtime has no call \(pallet).\(name)") }
        var arguments = [Value.NamedValue]()
        for field in variant.fields {
            var value = try metadata.types.defaultValue(of: field.typeID)
            for (path, given) in fields where path.hasPrefix((field.name ?? "") + ".") {
                guard let replaced = value.replacing(String(path.dropFirst((field.name ?? "").count + 1)), with: given) else {
                    throw DevError(description: "\(pallet).\(name) of spec \(version.specVersion) has no argument field \(path)")
                }
                value = replaced
            }
            arguments.append(.init(name: field.name, value: value))
        }
        return try metadata.callValue(pallet: pallet, call: name, arguments: arguments)
    }

    /// A call of this runtime written as JSON arguments in explorers' shapes.
    func call(_ pallet: String, _ name: String, _ arguments: [String: JSON]) throws -> Value {
        let json = JSON.object([JSON.Member(pallet, .object([JSON.Member(name, .object(arguments.sorted { $0.key < $1.key }.map { JSON.Member($0.key, $0.value) }))]))])
        do {
            return try reader.read(json, as: metadata.outerEnums.callType)
        } catch {
            throw DevError(description: "cannot build \(pallet).\(name) for spec \(version.specVersion): \(error)")
        }
    }

    /// An event whose fields are given as JSON (by field name); fields not given take their
    /// plainest value. A field given as several candidates takes the first that fits this runtime
    /// (XCM types change shape between versions).
    func event(_ pallet: String, _ name: String, json given: [String: [JSON]], phase: EventRecord.Phase) throws -> EventRecord {
        var values = [String: Value]()
        for (field, candidates) in given {
            guard let typeID = eventFieldType(pallet, name, field) else { continue }  // an older shape without it
            guard let value = candidates.lazy.compactMap({ try? self.reader.read($0, as: typeID) }).first else {
                throw DevError(description: "no JSON given for \(pallet).\(name).\(field) fits spec \(version.specVersion)")
            }
            values[field] = value
        }
        return try event(pallet, name, values, phase: phase)
    }

    /// An event whose fields have no names, given as JSON in order.
    func event(_ pallet: String, _ name: String, positional given: [JSON], phase: EventRecord.Phase) throws -> EventRecord {
        guard eventVariant(pallet, name)?.fields.count == given.count else {
            throw DevError(description: "the runtime has no event \(pallet).\(name) with \(given.count) fields")
        }
        return try event(pallet, name, phase: phase) { position, field in
            do {
                return try reader.read(given[position], as: field.typeID)
            } catch {
                throw DevError(description: "\(pallet).\(name) of spec \(version.specVersion): \(error)")
            }
        }
    }

    /// An event whose fields start as their types' plainest values, each then given to `adjust`
    /// with its position (for events whose fields have no names).
    func event(_ pallet: String, _ name: String, adjusting adjust: (Int, Value) throws -> Value, phase: EventRecord.Phase) throws -> EventRecord {
        try event(pallet, name, phase: phase) { position, field in try adjust(position, try metadata.types.defaultValue(of: field.typeID)) }
    }

    func has(_ pallet: String, call name: String) -> Bool {
        guard let callType = metadata.pallet(named: pallet)?.callType, case let .variant(variants)? = metadata.types[callType]?.definition else { return false }
        return variants.contains { $0.name == name }
    }

    func has(_ pallet: String, event name: String) -> Bool {
        eventVariant(pallet, name) != nil
    }

    private func eventFieldType(_ pallet: String, _ name: String, _ field: String) -> UInt32? {
        eventVariant(pallet, name)?.fields.first { $0.name == field }?.typeID
    }

    private func eventVariant(_ pallet: String, _ name: String) -> Variant? {
        guard let eventType = metadata.pallet(named: pallet)?.eventType, case let .variant(variants)? = metadata.types[eventType]?.definition else { return nil }
        return variants.first { $0.name == name }
    }

    /// `MultiAddress::Id(account)`.
    static func multiAddress(_ account: [UInt8]) -> Value {
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
    func event(_ pallet: String, _ name: String, _ given: [String: Value], phase: EventRecord.Phase) throws -> EventRecord {
        try event(pallet, name, phase: phase) { _, field in try given[field.name ?? ""] ?? metadata.types.defaultValue(of: field.typeID) }
    }

    /// An event of this runtime, each field's value chosen by `value` from its position and
    /// metadata: the one place an event record is put together, for the builders above.
    private func event(_ pallet: String, _ name: String, phase: EventRecord.Phase, value: (Int, Field) throws -> Value) throws -> EventRecord {
        guard let palletMetadata = metadata.pallet(named: pallet), let variant = eventVariant(pallet, name) else {
            throw DevError(description: "the runtime has no event \(pallet).\(name)")
        }
        var fields = [Value.NamedValue]()
        fields.reserveCapacity(variant.fields.count)
        for (position, field) in variant.fields.enumerated() { fields.append(.init(name: field.name, value: try value(position, field))) }
        return EventRecord(index: 0, phase: phase, pallet: pallet, palletIndex: palletMetadata.index, name: name, eventIndex: variant.index, fields: fields)
    }

    /// Writes the block's storage and header.
    private func seal(_ block: BlockBuilder, parentHash: [UInt8], timestamp: UInt64, setsCode: Bool) throws -> DevChain.Block {
        var block = block
        let state = block.state
        var storage = StorageWriter(runtime: self)
        try storage.put("System", "Number", .primitive(.u32(UInt32(block.number))))
        try storage.put("Timestamp", "Now", .primitive(.u64(timestamp)))
        try storage.put("Balances", "TotalIssuance", .primitive(.u128(state.issuance)))
        if let accountType = metadata.storageEntry(pallet: "System", item: "Account")?.valueType {
            let empty = try metadata.types.defaultValue(of: accountType)
            for (account, free) in state.free {
                let withNonce = empty.replacing("nonce", with: .primitive(.u32(state.nonces[account, default: 0]))) ?? empty
                guard let info = withNonce.replacing("data.free", with: .primitive(.u128(free))) else {
                    throw DevError(description: "System.Account values have no data.free")
                }
                try storage.put("System", "Account", keys: [.bytes(account)], info)
            }
        }
        if metadata.storageEntry(pallet: "TransactionPayment", item: "NextFeeMultiplier") != nil {
            // FixedU128 (18 decimals) drifting around 1.0 with the block number.
            let multiplier = UInt128(1_000_000_000_000_000_000) + UInt128(block.number % 1000) * 1_000_000_000_000_000
            try storage.put("TransactionPayment", "NextFeeMultiplier", .primitive(.u128(multiplier)))
        }
        if let weightType = metadata.storageEntry(pallet: "System", item: "BlockWeight")?.valueType {
            let used = UInt64(block.body.count) * 125_000_000
            let weight = try metadata.types.defaultValue(of: weightType)
                .replacing("normal.ref_time", with: Value(.compact(.u64(used))))?
                .replacing("mandatory.ref_time", with: Value(.compact(.u64(10_000_000))))
            if let weight { try storage.put("System", "BlockWeight", weight) }
        }
        if let upgradeType = metadata.storageEntry(pallet: "System", item: "LastRuntimeUpgrade")?.valueType {
            let info = try metadata.types.defaultValue(of: upgradeType)
                .replacing("spec_version", with: Value(.compact(.u32(state.lastUpgrade.specVersion))))?
                .replacing("spec_name", with: .primitive(.string(state.lastUpgrade.specName)))
            if let info { try storage.put("System", "LastRuntimeUpgrade", info) }
        }
        try writeStakingStorage(state.staking, to: &storage)
        try writePoolsStorage(state.pools, staking: state.staking, to: &storage)
        try writeElectionStorage(state.election, to: &storage)
        try writeStakingAsyncStorage(state, to: &storage)
        try writeAssetsStorage(state.assets, to: &storage)
        try writeMultiBlockElection(state.multiBlock, to: &storage)
        try writeVoterList(state, to: &storage)
        try writeParachainsStorage(to: &storage)
        try writeGovernanceStorage(state.governance, to: &storage)
        try writeCollationStorage(number: block.number, to: &storage)
        try writeForeignAssetsStorage(state.foreignAssets, to: &storage)
        try storage.put(rawKey: try keys.key(pallet: "System", item: "Events"), try events.encode(block.records + block.finalization))

        let stateRoot = Blake2b.hash256(storage.entries.keys.sorted().flatMap { Array($0.utf8) + storage.entries[$0]! })
        let extrinsicsRoot = Blake2b.hash256(block.body.flatMap { $0 })
        // Parachains author by Aura (the slot, little-endian), relay chains by BABE.
        let engine = Array((isParachain ? "aura" : "BABE").utf8)
        let preRuntime = isParachain ? withUnsafeBytes(of: (timestamp / 6000).littleEndian) { Array($0) } : block.random.bytes(16)
        var digest: [DigestItem] = block.number == 0 ? [] : [
            .preRuntime(engine: engine, data: preRuntime), .seal(engine: engine, data: block.random.bytes(64)),
        ]
        if setsCode { digest.insert(.runtimeEnvironmentUpdated, at: 1) }
        let header = BlockHeader(parentHash: parentHash, number: block.number, stateRoot: stateRoot, extrinsicsRoot: extrinsicsRoot, digest: digest)
        return DevChain.Block(
            number: block.number, hash: Hex.encode(header.hash), header: header, extrinsics: block.body, storage: storage.entries, state: state
        )
    }

    /// A block's storage as it is written: values encoded with this runtime's types, by `0x` key.
    struct StorageWriter {
        let runtime: DevRuntime
        private(set) var entries = [String: [UInt8]]()

        init(runtime: DevRuntime) {
            self.runtime = runtime
        }

        func has(_ pallet: String, _ item: String) -> Bool {
            runtime.metadata.storageEntry(pallet: pallet, item: item) != nil
        }

        mutating func put(_ pallet: String, _ item: String, keys: [Value] = [], _ value: Value) throws {
            guard let valueType = runtime.metadata.storageEntry(pallet: pallet, item: item)?.valueType else {
                throw DevError(description: "no storage entry \(pallet).\(item)")
            }
            let key = try keys.isEmpty ? runtime.keys.key(pallet: pallet, item: item) : runtime.keys.key(pallet: pallet, item: item, keys: keys)
            entries[Hex.encode(key)] = try runtime.values.encode(value, as: valueType)
        }

        /// A value written as JSON in explorers' shapes; map keys likewise.
        mutating func put(_ pallet: String, _ item: String, keys: [JSON] = [], json: JSON) throws {
            guard let entry = runtime.metadata.storageEntry(pallet: pallet, item: item),
                  let keyTypes = runtime.keys.keyTypes(pallet: pallet, item: item), keyTypes.count == keys.count
            else {
                throw DevError(description: "no storage entry \(pallet).\(item) with \(keys.count) key(s)")
            }
            do {
                let keyValues = try zip(keys, keyTypes).map { try runtime.reader.read($0, as: $1) }
                try put(pallet, item, keys: keyValues, try runtime.reader.read(json, as: entry.valueType))
            } catch let error as DevError {
                throw error
            } catch {
                throw DevError(description: "cannot write \(pallet).\(item) for spec \(runtime.version.specVersion): \(error)")
            }
        }

        /// Whether the item's values have a field at `path` in this runtime.
        func has(_ pallet: String, _ item: String, field path: String) -> Bool {
            guard let valueType = runtime.metadata.storageEntry(pallet: pallet, item: item)?.valueType,
                  let plain = try? runtime.metadata.types.defaultValue(of: valueType)
            else { return false }
            return plain.value(at: path) != nil
        }

        /// A value that starts as the type's plainest one with the fields at the given paths set.
        mutating func put(_ pallet: String, _ item: String, keys: [JSON], setting fields: KeyValuePairs<String, Value>) throws {
            try put(pallet, item, keys: keys, fields: fields.map { ($0.key, $0.value) })
        }

        mutating func put(_ pallet: String, _ item: String, keys: [JSON], fields: [(String, Value)]) throws {
            guard let valueType = runtime.metadata.storageEntry(pallet: pallet, item: item)?.valueType else {
                throw DevError(description: "no storage entry \(pallet).\(item)")
            }
            var value = try runtime.metadata.types.defaultValue(of: valueType)
            for (path, field) in fields {
                guard let replaced = value.replacing(path, with: field) else {
                    throw DevError(description: "\(pallet).\(item) values of spec \(runtime.version.specVersion) have no field \(path)")
                }
                value = replaced
            }
            let keyValues = try zip(keys, runtime.keys.keyTypes(pallet: pallet, item: item) ?? []).map { try runtime.reader.read($0, as: $1) }
            try put(pallet, item, keys: keyValues, value)
        }

        mutating func put(rawKey: [UInt8], _ bytes: [UInt8]) throws {
            entries[Hex.encode(rawKey)] = bytes
        }
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

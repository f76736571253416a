import ExactJSON
import ChainFixtures
import SCALE
import Substrate
import Testing

@Suite struct StorageKeyTests {
    let metadata: RuntimeMetadata
    let builder: StorageKeyBuilder
    let expected: JSON

    init() throws {
        metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        builder = StorageKeyBuilder(metadata: metadata)
        expected = try JSON.parse(try ChainData.text("storage_keys_expected.json"))
    }

    @Test func everyPlainPrefixMatches() throws {
        guard case let .object(prefixes)? = expected["plain_prefixes"] else { Issue.record("no plain_prefixes"); return }
        #expect(prefixes.count == 21)
        // Some items (NominationPools.TotalValueLocked) arrived after runtime 1000001: use a newer one.
        let newer = StorageKeyBuilder(metadata: try ChainData.metadata("metadata/polkadot_2003000_v16.scale"))
        for entry in prefixes {
            let parts = entry.key.split(separator: ".").map(String.init)
            let inOld = metadata.storageEntry(pallet: parts[0], item: parts[1]) != nil
            let key = try (inOld ? builder : newer).key(pallet: parts[0], item: parts[1])
            #expect(key == StorageKeyBuilder.prefix(pallet: parts[0], item: parts[1]))
            #expect(Hex.encode(key) == entry.value["key"]?.stringValue, "\(entry.key)")
            for reference in ["sidecar_getKeyNames", "known_constant"] {
                if let other = entry.value[reference]?.stringValue { #expect(Hex.encode(key) == other, "\(entry.key) \(reference)") }
            }
        }
    }

    @Test func everyMapKeyMatches() throws {
        guard case let .object(maps)? = expected["maps"] else { Issue.record("no maps"); return }
        let signer = try block18468942Signer()
        var checked = 0
        for entry in maps {
            let expectedKey = entry.value.stringValue ?? entry.value["key"]?.stringValue
            let key: [UInt8]
            if entry.key == "System.Account(Alice)" {
                let alice = try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
                key = try builder.key(pallet: "System", item: "Account", keys: [.bytes(alice.account)])
            } else if entry.key.hasPrefix("System.Account(0x") {
                // The signer of block 18468942's extrinsic 2, abbreviated in the name.
                #expect(entry.key.contains(String(Hex.encode(signer).prefix(10))))
                #expect(entry.key.contains(String(Hex.encode(signer).suffix(4))))
                key = try builder.key(pallet: "System", item: "Account", keys: [.bytes(signer)])
            } else if entry.key.hasPrefix("Staking.ErasTotalStake(") {
                let era = try #require(UInt32(entry.key.dropFirst("Staking.ErasTotalStake(".count).dropLast()))
                key = try builder.key(pallet: "Staking", item: "ErasTotalStake", keys: [.primitive(.u32(era))])
            } else {
                Issue.record("unknown map entry \(entry.key)")
                continue
            }
            #expect(Hex.encode(key) == expectedKey, "\(entry.key)")
            if let constant = entry.value["known_constant"]?.stringValue { #expect(Hex.encode(key) == constant) }
            checked += 1
        }
        #expect(checked == 6)
    }

    private func block18468942Signer() throws -> [UInt8] {
        let block = try JSON.parse(try ChainData.text("blocks/polkadot/18468942/block.json"))
        let hex = try #require(block["extrinsics"]?.arrayValue?[2].stringValue)
        let extrinsic = try ExtrinsicDecoder(metadata: metadata).decode(try #require(Hex.decode(hex)))
        return try #require(extrinsic.signerAccount)
    }

    @Test func everyHasherBuildsItsDocumentedShape() {
        let encoded: [UInt8] = [1, 2, 3, 4]
        #expect(StorageHasher.identity.hash(encoded) == encoded)
        #expect(StorageHasher.twox64Concat.hash(encoded) == Twox.hash64(encoded) + encoded)
        #expect(StorageHasher.blake2_128Concat.hash(encoded) == Blake2b.hash128(encoded) + encoded)
        #expect(StorageHasher.blake2_128.hash(encoded) == Blake2b.hash128(encoded))
        #expect(StorageHasher.blake2_256.hash(encoded) == Blake2b.hash256(encoded))
        #expect(StorageHasher.twox128.hash(encoded) == Twox.hash128(encoded))
        #expect(StorageHasher.twox256.hash(encoded) == Twox.hash256(encoded))
        for hasher in StorageHasher.allCases {
            #expect(hasher.hash(encoded).count == hasher.hashLength + (hasher.isConcat ? encoded.count : 0))
        }
    }

    /// A double map (two hashers, tuple key type): each part hashed with its own hasher, and a
    /// partial key gives the prefix for paging.
    @Test func multiKeyMapsHashEachPart() throws {
        let entry = try #require(metadata.storageEntry(pallet: "Staking", item: "ErasStakers"))
        guard case let .map(hashers, _, _) = entry.kind else { Issue.record("not a map"); return }
        #expect(hashers == [.twox64Concat, .twox64Concat])
        let validator = [UInt8](repeating: 7, count: 32)
        let full = try builder.key(pallet: "Staking", item: "ErasStakers", keys: [.primitive(.u32(1364)), .bytes(validator)])
        let era: [UInt8] = [0x54, 0x05, 0, 0]
        let prefix = StorageKeyBuilder.prefix(pallet: "Staking", item: "ErasStakers")
        #expect(full == prefix + Twox.hash64(era) + era + Twox.hash64(validator) + validator)
        let partial = try builder.key(pallet: "Staking", item: "ErasStakers", keys: [.primitive(.u32(1364))])
        #expect(full.starts(with: partial))
        #expect(try builder.key(pallet: "Staking", item: "ErasStakers", encodedKeys: [era, validator]) == full)
    }

    @Test func wrongKeysAreClearErrors() {
        #expect(throws: StorageKeyBuilder.KeyError.self) { try builder.key(pallet: "Nope", item: "Nothing") }
        #expect(throws: StorageKeyBuilder.KeyError.self) {
            try builder.key(pallet: "Balances", item: "TotalIssuance", keys: [.primitive(.u32(1))])
        }
        #expect(throws: StorageKeyBuilder.KeyError.self) {
            try builder.key(pallet: "System", item: "Account", keys: [.bytes([1, 2, 3])])  // not 32 bytes
        }
    }
}

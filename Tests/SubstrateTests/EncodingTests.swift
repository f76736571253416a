import ExactJSON
import ChainFixtures
import SCALE
import Substrate
import Testing

/// The encoding side of chain data, checked on the corpus: decoding then encoding gives the
/// very bytes the chain produced.
@Suite struct EncodingTests {
    @Test(arguments: ["18468942", "19772575", "21157800", "22887036"])
    func everyCorpusExtrinsicReEncodesIdentically(folder: String) throws {
        let fixture = try ValueTests.fixture(folder)
        let decoder = ExtrinsicDecoder(metadata: fixture.metadata)
        let encoder = ExtrinsicEncoder(metadata: fixture.metadata)
        for (index, bytes) in fixture.extrinsics.enumerated() {
            let extrinsic = try decoder.decode(bytes)
            let reEncoded: [UInt8]
            switch extrinsic.kind {
            case .bare:
                reEncoded = try encoder.bare(call: extrinsic.call.value, version: extrinsic.version)
            case .signed:
                reEncoded = try encoder.signed(
                    address: try #require(extrinsic.address), signature: try #require(extrinsic.signature),
                    extensions: Dictionary(uniqueKeysWithValues: extrinsic.extensions.map { ($0.identifier, $0.value) }),
                    call: extrinsic.call.value
                )
            case let .general(version):
                reEncoded = try encoder.general(
                    extensionVersion: version,
                    extensions: Dictionary(uniqueKeysWithValues: extrinsic.extensions.map { ($0.identifier, $0.value) }),
                    call: extrinsic.call.value
                )
            }
            #expect(reEncoded == bytes, "\(folder) extrinsic \(index)")
        }
    }

    @Test func generalV5ExtrinsicsRoundTrip() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        let call = try metadata.callValue(pallet: "System", call: "remark", arguments: [.init(name: "remark", value: .bytes([1, 2, 3]))])
        let encoder = ExtrinsicEncoder(metadata: metadata)
        let bare = try encoder.bare(call: call, version: 5)
        let decodedBare = try ExtrinsicDecoder(metadata: metadata).decode(bare)
        #expect(decodedBare.kind == .bare && decodedBare.version == 5 && decodedBare.call.name == "remark")

        // A general extrinsic needs a value for every extension that carries data.
        #expect(throws: ExtrinsicEncoder.EncodingError.self) { try encoder.general(extensionVersion: 0, extensions: [:], call: call) }
        #expect(throws: ExtrinsicEncoder.EncodingError.self) {
            try encoder.general(extensionVersion: 0, extensions: ["NoSuchExtension": .primitive(.u8(0))], call: call)
        }
    }

    @Test(arguments: ["blocks/polkadot/18468942", "blocks/polkadot/19772575", "blocks/polkadot/9300-events"])
    func eventsBlobsReEncodeIdentically(folder: String) throws {
        let block = try DecoderEntryPoints.block(folder)
        let bytes = try #require(block.events)
        let records = try EventDecoder(metadata: block.metadata).decode(bytes)
        #expect(try EventEncoder(metadata: block.metadata).encode(records) == bytes)
    }

    @Test func newEventsEncodeAndDecode() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1003003_v15.scale")
        let balances = try #require(metadata.pallet(named: "Balances"))
        guard case let .variant(events)? = metadata.types[try #require(balances.eventType)]?.definition,
              let transfer = events.first(where: { $0.name == "Transfer" })
        else { Issue.record("no Balances.Transfer"); return }
        let alice = [UInt8](repeating: 1, count: 32), bob = [UInt8](repeating: 2, count: 32)
        let record = EventRecord(
            index: 0, phase: .applyExtrinsic(2), pallet: "Balances", palletIndex: balances.index, name: "Transfer",
            eventIndex: transfer.index,
            fields: [
                .init(name: "from", value: .bytes(alice)), .init(name: "to", value: .bytes(bob)),
                .init(name: "amount", value: .primitive(.u128(12_345_678_901_234))),
            ]
        )
        let bytes = try EventEncoder(metadata: metadata).encode([record, record])
        let decoded = try EventDecoder(metadata: metadata).decode(bytes)
        #expect(decoded.count == 2)
        #expect(decoded[1].phase == .applyExtrinsic(2) && decoded[1].pallet == "Balances" && decoded[1].name == "Transfer")
        #expect(decoded[1].field("amount")?.uint128 == 12_345_678_901_234)
        #expect(decoded[1].field("to")?.bytes == bob)
    }

    /// Map keys come back out of storage keys for the concat hashers, as `state_getKeysPaged`
    /// results need.
    @Test func storageKeysDecodeBackToTheirParts() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let builder = StorageKeyBuilder(metadata: metadata)
        let expected = try JSON.parse(try ChainData.text("storage_keys_expected.json"))
        let aliceKey = try #require(expected["maps"]?["System.Account(Alice)"]?["key"]?.stringValue.flatMap { Hex.decode($0) })
        let alice = try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").account
        let accountKeys = try builder.keys(in: aliceKey, pallet: "System", item: "Account")
        #expect(accountKeys.count == 1 && accountKeys[0]?.bytes == alice)

        let eraKey = try #require(expected["maps"]?["Staking.ErasTotalStake(1364)"]?.stringValue.flatMap { Hex.decode($0) })
        #expect(try builder.keys(in: eraKey, pallet: "Staking", item: "ErasTotalStake").map { $0?.uint64 } == [1364])

        let validator = [UInt8](repeating: 7, count: 32)
        let double = try builder.key(pallet: "Staking", item: "ErasStakers", keys: [.primitive(.u32(9)), .bytes(validator)])
        let parts = try builder.keys(in: double, pallet: "Staking", item: "ErasStakers")
        #expect(parts.count == 2 && parts[0]?.uint64 == 9 && parts[1]?.bytes == validator)

        #expect(throws: StorageKeyBuilder.KeyError.self) { try builder.keys(in: aliceKey, pallet: "Staking", item: "ErasTotalStake") }
        #expect(throws: StorageKeyBuilder.KeyError.self) { try builder.keys(in: Array(aliceKey.dropLast()), pallet: "System", item: "Account") }
    }
}

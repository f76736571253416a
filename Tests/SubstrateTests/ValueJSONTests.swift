import ExactJSON
import ChainFixtures
import SCALE
import Substrate
import Testing

/// JSON written in the renderer's shapes reads back into values that encode to the chain's
/// very bytes: every call and event of the corpus blocks, every constant and storage default of
/// every corpus runtime.
@Suite struct ValueJSONTests {
    @Test(arguments: ["18468942", "19772575", "21157800", "22887036"])
    func everyCorpusCallAndEventSurvivesJSON(folder: String) throws {
        let fixture = try ValueTests.fixture(folder)
        let metadata = fixture.metadata
        var checked = 0
        for (index, bytes) in fixture.extrinsics.enumerated() {
            let call = try ExtrinsicDecoder(metadata: metadata).decode(bytes).call.value
            try expectRoundTrip(call, as: metadata.outerEnums.callType, in: metadata, "\(folder) extrinsic \(index)")
            checked += 1
        }
        for (index, record) in try EventDecoder(metadata: metadata).decode(fixture.events ?? [0]).enumerated() {
            let event = Value.variant(record.pallet, index: record.palletIndex, [
                .init(name: nil, value: .variant(record.name, index: record.eventIndex, record.fields)),
            ])
            try expectRoundTrip(event, as: metadata.outerEnums.eventType, in: metadata, "\(folder) event \(index)")
            checked += 1
        }
        #expect(checked >= 2)
    }

    @Test(arguments: ChainData.metadataFiles)
    func everyConstantAndStorageDefaultSurvivesJSON(path: String) throws {
        let metadata = try ChainData.metadata(path)
        let decoder = ValueDecoder(registry: metadata.types)
        for pallet in metadata.pallets {
            for constant in pallet.constants {
                let value = try decoder.decode(constant.typeID, bytes: constant.value)
                try expectRoundTrip(value, as: constant.typeID, in: metadata, "\(path) \(pallet.name).\(constant.name)")
            }
            for entry in pallet.storage?.entries ?? [] where entry.modifier == .default {
                let value = try decoder.decode(entry.valueType, bytes: entry.defaultValue)
                try expectRoundTrip(value, as: entry.valueType, in: metadata, "\(path) \(pallet.name).\(entry.name)")
            }
        }
    }

    /// What a person writes: an SS58 address for an account, amounts as strings or numbers.
    @Test func handWrittenCallsReadLikeDecodedOnes() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1003000_v14.scale")
        let reader = ValueJSONReader(registry: metadata.types)
        let account = [UInt8](repeating: 0xd4, count: 32)
        let built = try metadata.callValue(pallet: "Balances", call: "transfer_keep_alive", arguments: [
            .init(name: "dest", value: .variant("Id", index: 0, [.init(name: nil, value: .bytes(account))])),
            .init(name: "value", value: Value(.compact(.u128(12_345_678_901_234_567_890)))),
        ])
        let written = try JSON.parse(#"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "\#(SS58.encode(account, prefix: 0))"}, "value": "12345678901234567890"}}}"#)
        let encoder = ValueEncoder(registry: metadata.types)
        let callType = metadata.outerEnums.callType
        #expect(try encoder.encode(try reader.read(written, as: callType), as: callType) == encoder.encode(built, as: callType))
    }

    /// Mistakes are named by where they are and what would fit.
    @Test func mismatchesNameTheirPlace() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1003000_v14.scale")
        let reader = ValueJSONReader(registry: metadata.types)
        let callType = metadata.outerEnums.callType
        func failure(_ text: String) -> String {
            do {
                _ = try reader.read(try JSON.parse(text), as: callType)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure(#"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "0x12"}, "value": 1}}}"#)
            == "Balances.transfer_keep_alive.dest.Id: expected 32 bytes, got 1")
        #expect(failure(#"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "0x\#(String(repeating: "00", count: 32))"}, "value": -1}}}"#)
            == "Balances.transfer_keep_alive.value: -1 does not fit u128")
        #expect(failure(#"{"Balances": {"transfer_keep_alive": {"dest": {"Nobody": 1}, "value": 1}}}"#)
            .hasPrefix("Balances.transfer_keep_alive.dest: no variant Nobody (one of Id, Index, Raw, Address32, Address20)"))
        #expect(failure(#"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "0x\#(String(repeating: "00", count: 32))"}}}}"#)
            == "Balances.transfer_keep_alive: missing field value")
        #expect(failure(#"{"Balances": {"transfer_keep_alive": {"dest": {"Id": "0x\#(String(repeating: "00", count: 32))"}, "value": 1, "memo": 2}}}"#)
            == "Balances.transfer_keep_alive: unknown field memo (fields: dest, value)")
    }

    private func expectRoundTrip(_ value: Value, as typeID: UInt32, in metadata: RuntimeMetadata, _ label: String) throws {
        let renderer = ValueJSONRenderer(registry: metadata.types)
        let encoder = ValueEncoder(registry: metadata.types)
        let json = renderer.render(value)
        let back: Value
        do {
            back = try ValueJSONReader(registry: metadata.types).read(json, as: typeID)
        } catch {
            Issue.record("\(label): \(error) reading \(json.serialized().prefix(300))")
            return
        }
        #expect(try encoder.encode(back, as: typeID) == encoder.encode(value, as: typeID), "\(label)")
        #expect(renderer.render(back) == json, "\(label)")
    }
}

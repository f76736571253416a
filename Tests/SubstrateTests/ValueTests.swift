import ExactJSON
import ChainFixtures
import SCALE
import Substrate
import Testing

@Suite struct ValueTests {
    struct Fixture {
        let metadata: RuntimeMetadata
        let extrinsics: [[UInt8]]
        let events: [UInt8]?
    }

    static func fixture(_ folder: String) throws -> Fixture {
        let expected = try JSON.parse(try ChainData.text("blocks/polkadot/\(folder)/expected.json"))
        let metadata = try RuntimeMetadata.decode(try ChainData.bytes(try #require(expected["metadata_file"]?.stringValue)))
        let block = try JSON.parse(try ChainData.text("blocks/polkadot/\(folder)/block.json"))
        let extrinsics = try #require(block["extrinsics"]?.arrayValue?.compactMap { $0.stringValue.flatMap { Hex.decode($0) } })
        let eventsPath = "blocks/polkadot/\(folder)/events.hex"
        let events = (try? ChainData.text(eventsPath)).flatMap { Hex.decode($0) }
        return Fixture(metadata: metadata, extrinsics: extrinsics, events: events)
    }

    /// Decoding to `Value` and encoding back gives the same bytes, for every call of every
    /// fixture block (ParaInherent's bitfields and candidates included) and every event.
    @Test(arguments: ["18468942", "19772575", "21157800", "22887036"])
    func valuesRoundTripThroughTheEncoder(folder: String) throws {
        let fixture = try Self.fixture(folder)
        let registry = fixture.metadata.types
        let decoder = ValueDecoder(registry: registry)
        let encoder = ValueEncoder(registry: registry)
        let callType = fixture.metadata.extrinsic.callType
        for (index, bytes) in fixture.extrinsics.enumerated() {
            let extrinsic = try ExtrinsicDecoder(metadata: fixture.metadata).decode(bytes)
            let callBytes = try encoder.encode(extrinsic.call.value, as: callType)
            #expect(bytes.suffix(callBytes.count) == callBytes[...], "extrinsic \(index)")
            #expect(try decoder.decode(callType, bytes: callBytes) == extrinsic.call.value)
        }
        if let events = fixture.events {
            let entry = try #require(fixture.metadata.storageEntry(pallet: "System", item: "Events"))
            let value = try decoder.decode(entry.valueType, bytes: events)
            #expect(try encoder.encode(value, as: entry.valueType) == events)
        }
    }

    @Test func skippingConsumesExactlyWhatDecodingDoes() throws {
        let fixture = try Self.fixture("18468942")
        let decoder = ValueDecoder(registry: fixture.metadata.types)
        let entry = try #require(fixture.metadata.storageEntry(pallet: "System", item: "Events"))
        var skipper = SCALEDecoder(try #require(fixture.events))
        try decoder.skip(entry.valueType, in: &skipper)
        #expect(skipper.isAtEnd)
    }

    @Test func fieldPathsAndExactIntegers() throws {
        let fixture = try Self.fixture("19772575")
        let extrinsic = try ExtrinsicDecoder(metadata: fixture.metadata).decode(fixture.extrinsics[2])
        #expect(extrinsic.call.pallet == "Balances")
        #expect(extrinsic.call.argument("value")?.uint128 == 209_894_644_000)
        #expect(extrinsic.call.value.value(at: "0.dest.0")?.bytes.map { Hex.encode($0) }
            == "0x241ffdde06cf8c40fc07ea812801a999d29e983d95bd398b276c2eb48d3e1b39")
        let events = try EventDecoder(metadata: fixture.metadata).decode(try #require(fixture.events))
        let processed = try #require(events.first { $0.pallet == "MessageQueue" && $0.name == "Processed" })
        #expect(processed.field("weight_used")?.value(at: "ref_time")?.uint64 == 251_822_000)
        #expect(processed.field("origin")?.value(at: "Ump.Para")?.uint64 == 2000)
        #expect(processed.field("success")?.bool == true)
    }

    /// A storage value read the way the exporter reads balances: `System.Account` → `data.free`.
    @Test func storageValuesReadByFieldPath() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1003003_v15.scale")
        let entry = try #require(metadata.storageEntry(pallet: "System", item: "Account"))
        let values = ValueDecoder(registry: metadata.types)
        // The entry's default (an empty account) and an account with 12.3456789012 DOT free.
        let empty = try values.decode(entry.valueType, bytes: entry.defaultValue)
        #expect(empty.value(at: "data.free")?.uint128 == 0)
        let encoder = ValueEncoder(registry: metadata.types)
        var account = empty
        guard case var .composite(fields) = account.kind,
              let dataIndex = fields.firstIndex(where: { $0.name == "data" }),
              case var .composite(data) = fields[dataIndex].value.kind,
              let freeIndex = data.firstIndex(where: { $0.name == "free" })
        else { Issue.record("AccountInfo is not { data: { free } }"); return }
        data[freeIndex].value = .primitive(.u128(123_456_789_012))
        fields[dataIndex].value = Value(.composite(data), typeID: fields[dataIndex].value.typeID)
        account = Value(.composite(fields), typeID: account.typeID)
        let bytes = try encoder.encode(account, as: entry.valueType)
        let decoded = try values.decode(entry.valueType, bytes: bytes)
        let free = try #require(decoded.value(at: "data.free")?.uint128)
        #expect(free == 123_456_789_012)
        #expect(TokenAmount(planck: free, decimals: 10).description == "12.3456789012")
        #expect(decoded.value(at: "nonce")?.uint64 == 0)
    }

    /// Nested calls of `Utility.batch_all` are walkable as calls with names and arguments.
    @Test func nestedCallsAreWalkable() throws {
        let fixture = try Self.fixture("19772575")
        let extrinsic = try ExtrinsicDecoder(metadata: fixture.metadata).decode(fixture.extrinsics[4])
        #expect(extrinsic.call.pallet == "Utility" && extrinsic.call.name == "batch_all")
        let nested = extrinsic.call.nestedCalls(callType: fixture.metadata.extrinsic.callType)
        #expect(!nested.isEmpty)
        #expect(nested.allSatisfy { $0.pallet == "Balances" && $0.name == "transfer_allow_death" })
        #expect(nested[0].argument("value")?.uint128 == 29_277_534_802_400)
        let flat = extrinsic.call.flattened(callType: fixture.metadata.extrinsic.callType)
        #expect(flat.count == nested.count + 1)

        let staking = try Self.fixture("21157800")
        let batch = try ExtrinsicDecoder(metadata: staking.metadata).decode(staking.extrinsics[2])
        #expect(batch.call.pallet == "Utility" && batch.call.name == "batch")
        #expect(!batch.call.nestedCalls(callType: staking.metadata.extrinsic.callType).isEmpty)
    }

    /// Calls nest through `Multisig.as_multi`, `Proxy.proxy` and `Utility.batch_all` alike:
    /// built from the runtime's types, encoded, decoded and walked.
    @Test func callsNestThroughMultisigProxyAndBatch() throws {
        let fixture = try Self.fixture("19772575")
        let metadata = fixture.metadata
        let transfer = try ExtrinsicDecoder(metadata: metadata).decode(fixture.extrinsics[2]).call.value
        let account = Value.bytes([UInt8](repeating: 3, count: 32))
        let none = Value.variant("None", index: 0)
        let batch = try metadata.callValue(pallet: "Utility", call: "batch_all", arguments: [
            .init(name: "calls", value: Value(.sequence([transfer, transfer]))),
        ])
        let proxy = try metadata.callValue(pallet: "Proxy", call: "proxy", arguments: [
            .init(name: "real", value: .variant("Id", index: 0, [.init(name: nil, value: account)])),
            .init(name: "force_proxy_type", value: none),
            .init(name: "call", value: batch),
        ])
        let multisig = try metadata.callValue(pallet: "Multisig", call: "as_multi", arguments: [
            .init(name: "threshold", value: .primitive(.u16(2))),
            .init(name: "other_signatories", value: Value(.sequence([account]))),
            .init(name: "maybe_timepoint", value: none),
            .init(name: "call", value: proxy),
            .init(name: "max_weight", value: .composite([
                .init(name: "ref_time", value: Value(.compact(.u64(1_000_000)))),
                .init(name: "proof_size", value: Value(.compact(.u64(4_096)))),
            ])),
        ])
        let callType = metadata.extrinsic.callType
        let bytes = try ValueEncoder(registry: metadata.types).encode(multisig, as: callType)
        let decoded = try #require(Call(runtimeCall: try ValueDecoder(registry: metadata.types).decode(callType, bytes: bytes)))
        let walked = decoded.flattened(callType: callType).map { "\($0.pallet).\($0.name)" }
        #expect(walked == [
            "Multisig.as_multi", "Proxy.proxy", "Utility.batch_all",
            "Balances.transfer_keep_alive", "Balances.transfer_keep_alive",
        ])
        #expect(decoded.nestedCalls(callType: callType).map(\.name) == ["proxy"])
    }

    @Test func signedExtrinsicsExposeSignerNonceAndTip() throws {
        let fixture = try Self.fixture("19772575")
        let decoder = ExtrinsicDecoder(metadata: fixture.metadata)
        let inherent = try decoder.decode(fixture.extrinsics[0])
        #expect(inherent.kind == .bare && inherent.signerAccount == nil && inherent.nonce == nil)
        let transfer = try decoder.decode(fixture.extrinsics[2])
        #expect(transfer.kind == .signed && transfer.version == 4)
        #expect(transfer.signer(ss58Prefix: 0) == "16Xuv8TZpqSP9iSxquSJ9CQDfnJink7tFFNg8YYLqE5DiXkn")
        #expect(transfer.nonce == 59093)
        #expect(transfer.tip == 0)
        #expect(transfer.extensions.map(\.identifier).contains("CheckMortality"))
    }

    @Test func tokenAmountsScaleExactly() {
        #expect(TokenAmount(planck: 10_000_000_000, decimals: 10).description == "1")
        #expect(TokenAmount(planck: 12_345_678_901, decimals: 10).description == "1.2345678901")
        #expect(TokenAmount(planck: 1, decimals: 18).description == "0.000000000000000001")
        // 18-decimal token with a supply beyond 2^64 planck: no digit lost.
        let big = TokenAmount(planck: UInt128("1234567890123456789012345678")!, decimals: 18)
        #expect(big.description == "1234567890.123456789012345678")
        #expect(big.tokens == 1_234_567_890.123456789012345678)
        #expect(TokenAmount(planck: .max, decimals: 0).description == String(UInt128.max))
    }

    /// `tokens` divides exact integers where it can; it must always equal the correctly rounded
    /// parse of the exact decimal text, on both sides of the 2^53 and 10^22 limits.
    @Test func tokensAreTheCorrectlyRoundedDecimal() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
        var checked = 0
        for decimals in 0...38 {
            for bits in [1, 8, 30, 52, 53, 54, 64, 90, 128] {
                for _ in 0..<40 {
                    let wide = UInt128(next()) << 64 | UInt128(next())
                    let planck = bits == 128 ? wide : wide & ((1 << UInt128(bits)) - 1)
                    let amount = TokenAmount(planck: planck, decimals: decimals)
                    #expect(amount.tokens == Double(amount.description), "\(planck) with \(decimals) decimals")
                    checked += 1
                }
            }
            let edge = TokenAmount(planck: 1 << 53, decimals: decimals)
            #expect(edge.tokens == Double(edge.description))
        }
        #expect(checked == 39 * 9 * 40)
    }

    @Test func chainPropertiesInEveryShape() throws {
        let polkadot = try ChainProperties(json: try JSON.parse(#"{"ss58Format":0,"tokenDecimals":10,"tokenSymbol":"DOT"}"#))
        #expect(polkadot.ss58Format == 0 && polkadot.nativeDecimals == 10 && polkadot.nativeSymbol == "DOT")
        let multi = try ChainProperties(json: try JSON.parse(#"{"ss58Format":10,"tokenDecimals":[12,12],"tokenSymbol":["ACA","AUSD"]}"#))
        #expect(multi.tokenDecimals == [12, 12] && multi.tokenSymbols == ["ACA", "AUSD"])
        let bare = try ChainProperties(json: try JSON.parse("{}"))
        #expect(bare.ss58Format == nil && bare.nativeDecimals == nil)
        #expect(throws: ChainProperties.InvalidProperties.self) {
            try ChainProperties(json: try JSON.parse(#"{"tokenDecimals":"ten"}"#))
        }
    }
}

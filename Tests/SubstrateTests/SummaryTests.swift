import ChainFixtures
import SCALE
import Substrate
import Testing

/// The structural decode (names, phases, signers; arguments and fields left as bytes) agrees
/// with the full decode on every corpus extrinsic and event.
@Suite struct SummaryTests {
    @Test(arguments: ["18468942", "19772575", "21157800", "22887036"])
    func extrinsicSummariesAgreeWithFullDecoding(folder: String) throws {
        let fixture = try ValueTests.fixture(folder)
        let decoder = ExtrinsicDecoder(metadata: fixture.metadata)
        for bytes in fixture.extrinsics {
            let full = try decoder.decode(bytes)
            let summary = try decoder.summarize(bytes)
            #expect(summary.pallet == full.call.pallet && summary.call == full.call.name)
            #expect(summary.palletIndex == full.call.palletIndex && summary.callIndex == full.call.callIndex)
            #expect(summary.kind == full.kind && summary.version == full.version)
            #expect(summary.signerAccount == full.signerAccount && summary.nonce == full.nonce && summary.tip == full.tip)
            // The arguments decode from the range the summary names.
            let values = ValueDecoder(registry: fixture.metadata.types)
            var argumentDecoder = SCALEDecoder(bytes)
            try argumentDecoder.skip(summary.argumentsRange.lowerBound)
            for argument in full.call.arguments {
                let typeID = try #require(argument.value.typeID)
                #expect(try values.decode(typeID, from: &argumentDecoder) == argument.value)
            }
            #expect(argumentDecoder.position == summary.argumentsRange.upperBound)
        }
    }

    @Test(arguments: ["18468942", "19772575"])
    func eventSummariesAgreeWithFullDecoding(folder: String) throws {
        let fixture = try ValueTests.fixture(folder)
        let bytes = try #require(fixture.events)
        let decoder = try EventDecoder(metadata: fixture.metadata)
        let full = try decoder.decode(bytes)
        let summaries = try decoder.summarize(bytes)
        #expect(summaries.count == full.count)
        for (summary, record) in zip(summaries, full) {
            #expect(summary.pallet == record.pallet && summary.name == record.name && summary.phase == record.phase)
            #expect(try decoder.fields(of: summary, in: bytes) == record.fields)
        }
    }

    @Test func corruptCallIndexIsAnErrorNotAGuess() throws {
        let fixture = try ValueTests.fixture("19772575")
        var bytes = fixture.extrinsics[2]
        let summary = try ExtrinsicDecoder(metadata: fixture.metadata).summarize(bytes)
        bytes[summary.argumentsRange.lowerBound - 2] = 0xFF  // no pallet 255
        #expect(throws: SCALEError.self) { try ExtrinsicDecoder(metadata: fixture.metadata).summarize(bytes) }
        #expect(throws: SCALEError.self) { try ExtrinsicDecoder(metadata: fixture.metadata).decode(bytes) }
    }
}

/// Found by the torture harness: a flipped byte turned `Staking.unbond` into
/// `increase_validator_count` with a `Compact<u32>` of 10^10, which the full decoder rejected and
/// the structural one skipped over.
@Suite struct SkippingValidatesLikeDecodingTests {
    @Test func compactTooWideForItsTypeIsRejectedByBothPaths() throws {
        let block = try DecoderEntryPoints.block("blocks/polkadot/21157800")
        let entry = DecoderEntryPoints.extrinsicBody(block, 3)
        var damaged = entry.input
        damaged[105] ^= 8
        #expect(entry.run(damaged) == .rejected)
    }

    @Test func invalidBoolIsRejectedByBothPaths() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let boolType = try #require(metadata.types.types.first { $0.definition == .primitive(.bool) }?.id)
        var skipping = SCALEDecoder([0x02])
        #expect(throws: SCALEError.self) { try ValueDecoder(registry: metadata.types).skip(boolType, in: &skipping) }
        #expect(throws: SCALEError.self) { try ValueDecoder(registry: metadata.types).decode(boolType, bytes: [0x02]) }
    }

    @Test func invalidUTF8IsRejectedByBothPaths() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let stringType = try #require(metadata.types.types.first { $0.definition == .primitive(.str) }?.id)
        let values = ValueDecoder(registry: metadata.types)
        var skipping = SCALEDecoder([0x08, 0xC3, 0x28])
        #expect(throws: SCALEError.self) { try values.skip(stringType, in: &skipping) }
        #expect(throws: SCALEError.self) { try values.decode(stringType, bytes: [0x08, 0xC3, 0x28]) }
    }
}

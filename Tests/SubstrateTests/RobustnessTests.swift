import ExactJSON
import ChainFixtures
import Substrate
import Testing

/// Every truncation and thousands of byte flips of the whole corpus go through every decoder
/// entry point: never a trap, always either a decode or a typed error with an offset inside the
/// input. Every truncation of every extrinsic (as listed, and re-prefixed so damage reaches the
/// call decoder), events blob and header, every 16th of the block JSON text and its JSON-RPC
/// frames, 300 of each metadata file, and 2,000 seeded flips per entry point: about 580,000
/// damaged inputs, in seconds as the decoders are optimised in debug builds too. The release
/// harness `Benchmarks/decode-torture.sh` runs ten times as many flips.
/// One case at a time: each saturates a core, and the tests that start processes need the other.
@Suite(.serialized) struct RobustnessTests {
    static let flips = 2_000
    static let jsonStride = 16

    private func check(_ report: TortureReport, _ label: String) {
        #expect(report.problems.isEmpty, "\(label): \(report.problems.joined(separator: "; "))")
        #expect(report.inputs > 0, "\(label): nothing was tried")
    }

    @Test(arguments: ChainData.blockFolders)
    func extrinsics(folder: String) throws {
        let block = try DecoderEntryPoints.block(folder)
        guard !block.extrinsics.isEmpty else { return }  // an events-only fixture
        var report = TortureReport()
        for index in block.extrinsics.indices {
            for entry in [DecoderEntryPoints.extrinsic(block, index), DecoderEntryPoints.extrinsicBody(block, index)] {
                report.merge(DecoderTorture.truncations(entry))
                report.merge(DecoderTorture.flips(entry, count: Self.flips, seed: UInt64(index + 1) &* 0x5EED))
            }
        }
        check(report, "\(folder) extrinsics")
        print("\(folder) extrinsics: \(report)")
    }

    @Test(arguments: ChainData.blockFolders)
    func eventsHeadersBlockJSONAndRPCFrames(folder: String) throws {
        let block = try DecoderEntryPoints.block(folder)
        var report = TortureReport()
        let scale = [try DecoderEntryPoints.events(block), try DecoderEntryPoints.header(block)].compactMap { $0 }
        let json = [DecoderEntryPoints.blockJSON(block)].compactMap { $0 } + (try DecoderEntryPoints.rpcFrames(block))
        for (number, entry) in (scale + json).enumerated() {
            #expect(entry.run(entry.input) == .decoded, "\(entry.name) intact")
            report.merge(DecoderTorture.truncations(entry, stride: number < scale.count ? 1 : Self.jsonStride))
            report.merge(DecoderTorture.flips(entry, count: Self.flips, seed: UInt64(number + 1) &* 7919))
        }
        if !(scale + json).isEmpty { check(report, "\(folder) events/header/json") }
        print("\(folder) events, header, block.json, JSON-RPC frames: \(report)")
    }

    /// Every metadata file; metadata is large, so truncations are sampled (300 of each, and the
    /// first and last 64).
    @Test(arguments: ChainData.metadataFiles)
    func metadata(file: String) throws {
        let entry = try DecoderEntryPoints.metadata(file)
        var report = DecoderTorture.truncations(entry, stride: entry.input.count / 300, edges: 64)
        report.merge(DecoderTorture.flips(entry, count: Self.flips / 50, seed: 77))
        check(report, file)
        print("\(file): \(report)")
    }
}

import ExactJSON
import ChainFixtures
import Substrate
import Testing

/// Truncations and seeded byte flips of the whole corpus go through every decoder entry point:
/// never a trap, always either a decode or a typed error with an offset inside the input. Every
/// truncation of every extrinsic (as listed, and re-prefixed so damage reaches the call decoder),
/// events blob and header up to 4 KiB (1,500 of a longer one, and its first and last 256),
/// every 16th of the block JSON text and its JSON-RPC frames, 100 of each metadata file, and 500
/// seeded flips per entry point. The release harness `Benchmarks/decode-torture.sh` runs every
/// truncation of everything and 2,000 to 20,000 flips per entry point.
/// One case at a time: each saturates a core, and the tests that start processes need the other.
@Suite(.serialized) struct RobustnessTests {
    static let flips = 500
    static let jsonStride = 16

    /// Every truncation up to 4 KiB; 1,500 of a longer input, spread over it.
    private func stride(for count: Int) -> Int {
        count <= 4096 ? 1 : max(1, count / 1500)
    }

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
                report.merge(DecoderTorture.truncations(entry, stride: stride(for: entry.input.count)))
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
            report.merge(DecoderTorture.truncations(entry, stride: number < scale.count ? stride(for: entry.input.count) : Self.jsonStride))
            report.merge(DecoderTorture.flips(entry, count: Self.flips, seed: UInt64(number + 1) &* 7919))
        }
        if !(scale + json).isEmpty { check(report, "\(folder) events/header/json") }
        print("\(folder) events, header, block.json, JSON-RPC frames: \(report)")
    }

    /// Every metadata file; metadata is large, so truncations are sampled (100 of each, and the
    /// first and last 64).
    @Test(arguments: ChainData.metadataFiles)
    func metadata(file: String) throws {
        let entry = try DecoderEntryPoints.metadata(file)
        var report = DecoderTorture.truncations(entry, stride: entry.input.count / 100, edges: 64)
        report.merge(DecoderTorture.flips(entry, count: Self.flips / 50, seed: 77))
        check(report, file)
        print("\(file): \(report)")
    }
}

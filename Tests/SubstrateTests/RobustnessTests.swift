import ExactJSON
import ChainFixtures
import Substrate
import Testing

/// Every truncation and thousands of byte flips of the corpus go through every decoder entry
/// point: never a trap, always either a decode or a typed error with an offset inside the input.
/// (Inputs over 4 KiB have their truncations sampled here, keeping the first and last 256; the
/// release harness `Benchmarks/decode-torture.sh` runs every one of them.)
/// One case at a time: each saturates a core for tens of seconds in a debug build, and the
/// tests that start processes need the other.
@Suite(.serialized) struct RobustnessTests {
    /// The relay-chain blocks and one Asset Hub block (v5 inherents, an XCM program); the
    /// release harness tortures every folder.
    static let blocks = ChainData.blockFolders.filter { !$0.contains("asset-hub") } + ["blocks/asset-hub-polkadot/9390789"]

    private func check(_ report: TortureReport, _ label: String) {
        #expect(report.problems.isEmpty, "\(label): \(report.problems.joined(separator: "; "))")
        #expect(report.inputs > 0, "\(label): nothing was tried")
    }

    private func stride(for count: Int, samples: Int = 1500) -> Int {
        count <= 4096 ? 1 : max(1, count / samples)
    }

    @Test(arguments: blocks)
    func extrinsics(folder: String) throws {
        let block = try DecoderEntryPoints.block(folder)
        guard !block.extrinsics.isEmpty else { return }  // an events-only fixture
        var report = TortureReport()
        for index in block.extrinsics.indices {
            for entry in [DecoderEntryPoints.extrinsic(block, index), DecoderEntryPoints.extrinsicBody(block, index)] {
                report.merge(DecoderTorture.truncations(entry, stride: stride(for: entry.input.count)))
                report.merge(DecoderTorture.flips(entry, count: entry.input.count > 4096 ? 400 : 1500, seed: UInt64(index) &* 7919))
            }
        }
        check(report, "\(folder) extrinsics")
        print("\(folder) extrinsics: \(report)")
    }

    @Test(arguments: blocks)
    func eventsHeadersBlockJSONAndRPCFrames(folder: String) throws {
        let block = try DecoderEntryPoints.block(folder)
        var report = TortureReport()
        let entries = [try DecoderEntryPoints.events(block), try DecoderEntryPoints.header(block), DecoderEntryPoints.blockJSON(block)]
            + (try DecoderEntryPoints.rpcFrames(block)).map(Optional.some)
        for entry in entries.compactMap({ $0 }) {
            #expect(entry.run(entry.input) == .decoded, "\(entry.name) intact")
            report.merge(DecoderTorture.truncations(entry, stride: stride(for: entry.input.count, samples: 800)))
            report.merge(DecoderTorture.flips(entry, count: entry.input.count > 4096 ? 400 : 3000, seed: 42))
        }
        if !entries.allSatisfy({ $0 == nil }) { check(report, "\(folder) events/header/json") }
        print("\(folder) events, header, block.json, JSON-RPC frames: \(report)")
    }

    /// One metadata file per version; metadata is large, so truncations and flips are sampled.
    @Test(arguments: ["metadata/polkadot_9110_v14.scale", "metadata/polkadot_1003003_v15.scale", "metadata/polkadot_2003000_v16.scale"])
    func metadata(file: String) throws {
        let entry = try DecoderEntryPoints.metadata(file)
        var report = DecoderTorture.truncations(entry, stride: entry.input.count / 120, edges: 16)
        report.merge(DecoderTorture.flips(entry, count: 150, seed: 9))
        check(report, file)
        print("\(file): \(report)")
    }
}

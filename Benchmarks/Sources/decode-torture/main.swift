// Release-mode torture of every decoder entry point over the whole corpus: every truncation of
// every extrinsic, events blob and header, of the block JSON and the JSON-RPC frames around it
// (sampled by the stride), sampled truncations of every metadata file, and seeded random byte
// flips. Prints counts; exits 1 if any input was neither decoded nor rejected with a typed,
// in-range error. A trap would end the run, so finishing at all means zero crashes.
//
// Usage: decode-torture [FLIPS_PER_ENTRY_POINT] [METADATA_TRUNCATIONS_PER_FILE] [JSON_TRUNCATION_STRIDE]
// (a JSON stride above 1 samples the truncations of the block JSON text; SCALE inputs always get all)
import ChainFixtures
import Foundation

let arguments = CommandLine.arguments
let flipsPerEntry = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let metadataTruncations = arguments.count > 2 ? Int(arguments[2]) ?? 2_000 : 2_000
let jsonStride = arguments.count > 3 ? Int(arguments[3]) ?? 1 : 1
let clock = ContinuousClock()
let started = clock.now
var total = TortureReport()

@MainActor func report(_ label: String, _ result: TortureReport) {
    print("\(label.padding(toLength: 44, withPad: " ", startingAt: 0)) \(result)")
    for problem in result.problems { print("  PROBLEM \(problem)") }
    total.merge(result)
}

for folder in ChainData.blockFolders {
    let block = try DecoderEntryPoints.block(folder)
    var entries = [DecoderEntryPoint]()
    for index in block.extrinsics.indices {
        entries.append(DecoderEntryPoints.extrinsic(block, index))
        entries.append(DecoderEntryPoints.extrinsicBody(block, index))
    }
    entries += [try DecoderEntryPoints.events(block), try DecoderEntryPoints.header(block)].compactMap { $0 }
    // JSON text: the block as `chain_getBlock` gives it, and whole JSON-RPC frames around it.
    let json = [DecoderEntryPoints.blockJSON(block)].compactMap { $0 } + (try DecoderEntryPoints.rpcFrames(block))
    let jsonNames = Set(json.map(\.name))
    for (number, entry) in (entries + json).enumerated() {
        var result = DecoderTorture.truncations(entry, stride: jsonNames.contains(entry.name) ? jsonStride : 1)
        result.merge(DecoderTorture.flips(entry, count: flipsPerEntry, seed: UInt64(number + 1) &* 0x5EED))
        report(entry.name, result)
    }
}
for file in ChainData.metadataFiles {
    let entry = try DecoderEntryPoints.metadata(file)
    var result = DecoderTorture.truncations(entry, stride: entry.input.count / metadataTruncations, edges: 64)
    result.merge(DecoderTorture.flips(entry, count: max(1, flipsPerEntry / 50), seed: 77))
    report(file, result)
}
let elapsed = clock.now - started
print("total: \(total) in \(elapsed.components.seconds) s")
print("torture: \(total.inputs - total.problemCount) passed, \(total.problemCount) failed")
exit(total.problemCount == 0 ? 0 : 1)

import ExactJSON
// Decodes the corpus blocks' extrinsics and System.Events over and over on one thread and prints
// blocks per second. Usage: decode-benchmark CHAINDATA_DIR [SECONDS_PER_BLOCK] [full|structural]
import Foundation
import SCALE
import Substrate

struct BenchmarkBlock {
    let name: String
    let metadata: RuntimeMetadata
    let extrinsics: [[UInt8]]
    let events: [UInt8]?
}

func load(_ root: URL) throws -> [BenchmarkBlock] {
    let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("blocks/polkadot").path).sorted()
    var metadataCache = [String: RuntimeMetadata]()
    var blocks = [BenchmarkBlock]()
    for folder in folders {
        let base = root.appendingPathComponent("blocks/polkadot/\(folder)")
        let blockURL = base.appendingPathComponent("block.json")
        guard FileManager.default.fileExists(atPath: blockURL.path) else { continue }
        let expected = try JSON.parse(try Data(contentsOf: base.appendingPathComponent("expected.json")))
        let metadataFile = expected["metadata_file"]!.stringValue!
        let metadata = try metadataCache[metadataFile]
            ?? RuntimeMetadata.decode([UInt8](try Data(contentsOf: root.appendingPathComponent(metadataFile))))
        metadataCache[metadataFile] = metadata
        let block = try JSON.parse(try Data(contentsOf: blockURL))
        let extrinsics = block["extrinsics"]!.arrayValue!.map { Hex.decode($0.stringValue!)! }
        let eventsURL = base.appendingPathComponent("events.hex")
        let events = FileManager.default.fileExists(atPath: eventsURL.path)
            ? Hex.decode(try String(contentsOf: eventsURL, encoding: .utf8)) : nil
        blocks.append(BenchmarkBlock(name: folder, metadata: metadata, extrinsics: extrinsics, events: events))
    }
    return blocks
}

/// Full decode: every extrinsic (envelope, extensions, call arguments as `Value`s) and every event.
@inline(never)
func decodeFully(_ block: BenchmarkBlock, _ extrinsicDecoder: ExtrinsicDecoder, _ eventDecoder: EventDecoder) throws -> Int {
    var items = 0
    for bytes in block.extrinsics { items += try extrinsicDecoder.decode(bytes).call.arguments.count }
    if let events = block.events { items += try eventDecoder.decode(events).count }
    return items
}

/// Structural decode, as the exporter does per block: every extrinsic's envelope, signer, nonce,
/// tip, pallet and call, every event's phase, pallet and name; every byte walked and checked,
/// arguments and fields left undecoded until a metric asks for them.
@inline(never)
func decodeStructurally(_ block: BenchmarkBlock, _ extrinsicDecoder: ExtrinsicDecoder, _ eventDecoder: EventDecoder) throws -> Int {
    var items = 0
    for bytes in block.extrinsics { items += Int(try extrinsicDecoder.summarize(bytes).callIndex) }
    if let events = block.events { items += try eventDecoder.summarize(events).count }
    return items
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: decode-benchmark CHAINDATA_DIR [SECONDS_PER_BLOCK]\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1])
let secondsPerBlock = arguments.count > 2 ? Double(arguments[2]) ?? 2 : 2
let blocks = try load(root)
let clock = ContinuousClock()

func measure(
    _ label: String,
    _ decode: (BenchmarkBlock, ExtrinsicDecoder, EventDecoder) throws -> Int
) throws {
    var totalBlocks = 0
    var totalSeconds = 0.0
    print("\(label):")
    print("  block        extrinsic bytes  event bytes  blocks/s   µs/block")
    for block in blocks {
        let extrinsicDecoder = ExtrinsicDecoder(metadata: block.metadata)
        let eventDecoder = try EventDecoder(metadata: block.metadata)
        var sink = try decode(block, extrinsicDecoder, eventDecoder)  // warm up
        var count = 0
        let start = clock.now
        var elapsed = Duration.zero
        while elapsed < .seconds(secondsPerBlock) {
            for _ in 0..<20 { sink &+= try decode(block, extrinsicDecoder, eventDecoder) }
            count += 20
            elapsed = clock.now - start
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        totalBlocks += count
        totalSeconds += seconds
        let extrinsicBytes = block.extrinsics.reduce(0) { $0 + $1.count }
        print(
            "  " + block.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(extrinsicBytes).padding(toLength: 17, withPad: " ", startingAt: 0)
                + String(block.events?.count ?? 0).padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(format: "%-10.0f %.1f", Double(count) / seconds, seconds / Double(count) * 1e6)
                + (sink == 42 ? " " : "")
        )
    }
    print(String(format: "swift_%@_blocks_per_second %.0f", label, Double(totalBlocks) / totalSeconds))
}

let only = arguments.count > 3 ? arguments[3] : nil  // "full" or "structural" to run one
if only == nil || only == "full" { try measure("full", decodeFully) }
if only == nil || only == "structural" { try measure("structural", decodeStructurally) }

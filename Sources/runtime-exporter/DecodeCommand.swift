import ExactJSON
import ArgumentParser
import Foundation
import SCALE
import Substrate
import ExporterServices

/// `runtime-exporter decode …`: decode chain data offline, for debugging a chain and for checking
/// the decoder against other tools.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode runtime metadata or a block from files.",
        subcommands: [DecodeMetadataCommand.self, DecodeBlockCommand.self]
    )
}

struct DecodeMetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Summarise runtime metadata: version, spec, pallets and what each holds.",
        discussion: "FILE holds state_getMetadata output: binary, or 0x hex text; bare, Vec<u8>- or Option<Vec<u8>>-wrapped."
    )

    @Argument(help: "The metadata file.")
    var file: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "List one pallet's storage items, calls, events and constants with their types instead.")
    var pallet: String?

    func run() throws {
        let metadata = try InputFiles.metadata(file)
        if let pallet {
            guard let listing = PalletListing(metadata, pallet: pallet) else {
                throw ValidationError("\(file): the runtime has no pallet \(pallet); it has \(metadata.pallets.map(\.name).joined(separator: ", "))")
            }
            print(listing.text)
            return
        }
        let summary = MetadataSummary(metadata)
        print(json ? summary.json.serialized(pretty: true) : summary.text)
    }
}

struct DecodeBlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Decode a block's extrinsics and events to JSON.",
        discussion: """
            BLOCK.json is chain_getBlock output (or its inner block object); EVENTS.hex is the raw \
            System.Events storage value at that block. u128 values are printed as decimal strings.
            """
    )

    @Option(help: "Metadata of the runtime the block was produced under.")
    var metadata: String

    @Option(help: "The block, as chain_getBlock JSON.")
    var block: String?

    @Option(help: "The System.Events storage value at the block, as 0x hex.")
    var events: String?

    @Option(help: "SS58 prefix for signer addresses (default: the runtime's System.SS58Prefix).")
    var ss58: UInt16?

    @Flag(help: "Print compact JSON on one line.")
    var compact = false

    func validate() throws {
        guard block != nil || events != nil else {
            throw ValidationError("give --block, --events or both")
        }
        if let ss58, ss58 >= 16384 { throw ValidationError("--ss58 must be below 16384") }
    }

    func run() throws {
        let runtime = try InputFiles.metadata(metadata)
        var blockJSON: JSON? = nil
        if let block {
            let bytes = try InputFiles.read(block)
            do { blockJSON = try JSON.parse(bytes: bytes) } catch {
                throw InputFailure(file: block, message: error.description)
            }
        }
        var eventBytes: [UInt8]? = nil
        if let events {
            let text = String(decoding: try InputFiles.read(events), as: UTF8.self)
            guard let bytes = Hex.decode(text) else { throw InputFailure(file: events, message: "not a 0x hex string") }
            eventBytes = bytes
        }
        let decoded: DecodedBlock
        do {
            decoded = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: eventBytes, metadata: runtime)
        } catch {
            let file = error.source == .events ? events : block
            throw InputFailure(file: file ?? metadata, message: error.description)
        }
        let prefix = ss58 ?? runtime.ss58Prefix ?? 42
        print(decoded.json(metadata: runtime, metadataFile: metadata, ss58Prefix: prefix).serialized(pretty: !compact))
    }
}

import ExactJSON
import Foundation
import JSONRPC
public import Substrate
import SCALE

/// Feeds damaged copies of real chain data (every truncation, random byte flips) to every decoder
/// entry point and records what happened. A decoder may accept a damaged input (a flipped byte
/// inside a balance is still a balance) or reject it with a typed error whose offset lies inside
/// the input; anything else is a problem. A trap ends the process, which is the loudest problem.
public struct DecoderEntryPoint: Sendable {
    public enum Outcome: Sendable, Equatable {
        case decoded
        case rejected
        case problem(String)
    }

    public let name: String
    /// The intact input, as decoded successfully.
    public let input: [UInt8]
    public let run: @Sendable ([UInt8]) -> Outcome

    public init(name: String, input: [UInt8], run: @escaping @Sendable ([UInt8]) -> Outcome) {
        self.name = name
        self.input = input
        self.run = run
    }
}

public struct TortureReport: Sendable, CustomStringConvertible {
    public var inputs = 0
    public var decoded = 0
    public var rejected = 0
    /// Inputs that neither decoded nor failed cleanly; `problems` keeps the first 20 of them.
    public var problemCount = 0
    public var problems: [String] = []

    public init() {}

    mutating func record(_ outcome: DecoderEntryPoint.Outcome, _ what: @autoclosure () -> String) {
        inputs += 1
        switch outcome {
        case .decoded: decoded += 1
        case .rejected: rejected += 1
        case let .problem(detail):
            problemCount += 1
            if problems.count < 20 { problems.append("\(what()): \(detail)") }
        }
    }

    public mutating func merge(_ other: TortureReport) {
        inputs += other.inputs
        decoded += other.decoded
        rejected += other.rejected
        problemCount += other.problemCount
        problems += other.problems.prefix(max(0, 20 - problems.count))
    }

    public var description: String {
        "\(inputs) inputs: \(decoded) decoded, \(rejected) rejected with a typed error, \(problemCount) problem(s)"
    }
}

public enum DecoderTorture {
    /// Every prefix of the input shorter than the whole (`stride` > 1 samples them, always
    /// keeping the first and last `edges`).
    public static func truncations(_ entry: DecoderEntryPoint, stride: Int = 1, edges: Int = 256) -> TortureReport {
        var report = TortureReport()
        let count = entry.input.count
        for length in 0..<count where length < edges || count - length <= edges || length % max(stride, 1) == 0 {
            let outcome = entry.run(Array(entry.input[0..<length]))
            // A strict prefix of a valid encoding must not decode as if it were whole.
            report.record(outcome == .decoded ? .problem("a truncation decoded") : outcome, "\(entry.name) truncated to \(length)")
        }
        return report
    }

    /// `count` copies with one random byte XORed with a random non-zero mask (seeded, repeatable).
    public static func flips(_ entry: DecoderEntryPoint, count: Int, seed: UInt64) -> TortureReport {
        var report = TortureReport()
        var random = SplitMix64(seed: seed)
        guard !entry.input.isEmpty else { return report }
        for _ in 0..<count {
            var damaged = entry.input
            let position = Int(random.next() % UInt64(damaged.count))
            let mask = UInt8(truncatingIfNeeded: random.next() % 255 + 1)
            damaged[position] ^= mask
            report.record(entry.run(damaged), "\(entry.name) with byte \(position) ^ \(mask)")
        }
        return report
    }

    /// Checks a SCALE error's offset lies within the input.
    static func judge(_ error: SCALEError, inputCount: Int) -> DecoderEntryPoint.Outcome {
        error.offset >= 0 && error.offset <= inputCount ? .rejected : .problem("offset \(error.offset) outside 0…\(inputCount): \(error)")
    }
}

/// The decoder entry points over the corpus.
public enum DecoderEntryPoints {
    public static func metadata(_ file: String) throws -> DecoderEntryPoint {
        DecoderEntryPoint(name: file, input: try ChainData.bytes(file)) { bytes in
            do throws(MetadataError) {
                _ = try RuntimeMetadata.decode(bytes)
                return .decoded
            } catch let MetadataError.malformed(error) {
                return DecoderTorture.judge(error, inputCount: bytes.count)
            } catch {
                return error.description.isEmpty ? .problem("an error without a message") : .rejected
            }
        }
    }

    public struct Block: Sendable {
        public let folder: String
        public let metadata: RuntimeMetadata
        public let extrinsics: [[UInt8]]
        public let events: [UInt8]?
        public let blockJSON: [UInt8]?
    }

    public static func block(_ folder: String) throws -> Block {
        let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
        guard let metadataFile = expected["metadata_file"]?.stringValue else { throw MetadataError.incomplete("no metadata_file") }
        let metadata = try ChainData.metadata(metadataFile)
        let blockURL = ChainData.url("\(folder)/block.json")
        let blockJSON = FileManager.default.fileExists(atPath: blockURL.path) ? try ChainData.bytes("\(folder)/block.json") : nil
        let extrinsics = try blockJSON.map { try JSON.parse(bytes: $0)["extrinsics"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Hex.decode) } ?? [] } ?? []
        let eventsURL = ChainData.url("\(folder)/events.hex")
        let events = FileManager.default.fileExists(atPath: eventsURL.path) ? Hex.decode(try ChainData.text("\(folder)/events.hex")) : nil
        return Block(folder: folder, metadata: metadata, extrinsics: extrinsics, events: events, blockJSON: blockJSON)
    }

    /// An extrinsic as listed in the block (length prefix included), through the full and the
    /// structural decoder.
    public static func extrinsic(_ block: Block, _ index: Int) -> DecoderEntryPoint {
        let decoder = ExtrinsicDecoder(metadata: block.metadata)
        return DecoderEntryPoint(name: "\(block.folder) extrinsic \(index)", input: block.extrinsics[index]) { bytes in
            extrinsicOutcome(decoder, bytes)
        }
    }

    /// The extrinsic's body with a length prefix made to fit whatever is left of it, so that
    /// damage reaches the envelope and call decoders rather than the length check.
    public static func extrinsicBody(_ block: Block, _ index: Int) -> DecoderEntryPoint {
        let decoder = ExtrinsicDecoder(metadata: block.metadata)
        var reader = SCALEDecoder(block.extrinsics[index])
        let length = (try? reader.decodeLength()) ?? 0
        let body = Array(block.extrinsics[index].suffix(length))
        return DecoderEntryPoint(name: "\(block.folder) extrinsic \(index) body", input: body) { bytes in
            var encoder = SCALEEncoder()
            encoder.encodeByteVector(bytes)
            return extrinsicOutcome(decoder, encoder.bytes)
        }
    }

    private static func extrinsicOutcome(_ decoder: ExtrinsicDecoder, _ bytes: [UInt8]) -> DecoderEntryPoint.Outcome {
        let full = outcome(bytes) { () throws(SCALEError) in _ = try decoder.decode(bytes) }
        let structural = outcome(bytes) { () throws(SCALEError) in _ = try decoder.summarize(bytes) }
        // Both paths walk every byte, so they must agree on whether the input is well formed.
        if case .problem = full { return full }
        if case .problem = structural { return structural }
        return full == structural ? full : .problem("full decode \(full), structural decode \(structural)")
    }

    private static func outcome(_ bytes: [UInt8], _ decode: () throws(SCALEError) -> Void) -> DecoderEntryPoint.Outcome {
        do {
            try decode()
            return .decoded
        } catch {
            return DecoderTorture.judge(error, inputCount: bytes.count)
        }
    }

    public static func events(_ block: Block) throws -> DecoderEntryPoint? {
        guard let events = block.events else { return nil }
        let decoder = try EventDecoder(metadata: block.metadata)
        let values = ValueDecoder(registry: block.metadata.types)
        let eventsType = block.metadata.storageEntry(pallet: "System", item: "Events")?.valueType
        return DecoderEntryPoint(name: "\(block.folder) System.Events", input: events) { bytes in
            if let eventsType, let problem = integerPathProblem(values, eventsType, bytes) { return .problem(problem) }
            let full: DecoderEntryPoint.Outcome
            do throws(ChainDecodingError) {
                _ = try decoder.decode(bytes)
                full = .decoded
            } catch {
                full = DecoderTorture.judge(error.error, inputCount: bytes.count)
            }
            do throws(ChainDecodingError) {
                let summaries = try decoder.summarize(bytes)
                for summary in summaries { _ = try decoder.fields(of: summary, in: bytes) }
                return full == .decoded ? .decoded : .problem("summaries accepted what the full decode rejected")
            } catch {
                if case .problem = full { return full }
                return full == .decoded ? .problem("summaries rejected what the full decode accepted") : DecoderTorture.judge(error.error, inputCount: bytes.count)
            }
        }
    }

    /// Paths read straight from damaged events bytes: a `*` over every record, alternatives,
    /// and a path into a list of bytes.
    static let eventIntegerPaths = ["*.phase.ApplyExtrinsic", "*.event.Balances.Withdraw.amount|*.event.System.ExtrinsicSuccess.dispatch_info.weight.ref_time", "*.topics"]

    /// Integers read by path from the bytes must equal the decoded value's when it decodes; when
    /// it does not, they may be read anyway (skipped parts are checked less) or rejected with a
    /// typed error inside the input.
    private static func integerPathProblem(_ decoder: ValueDecoder, _ type: UInt32, _ bytes: [UInt8]) -> String? {
        let whole = try? decoder.decode(type, bytes: bytes)
        for path in eventIntegerPaths {
            do throws(SCALEError) {
                let found = try decoder.integers(type, bytes: bytes, at: path)
                if let whole, found != whole.integers(at: path) { return "integers at \(path) differ from the decoded value's" }
            } catch {
                if whole != nil { return "integers at \(path) rejected what decodes: \(error)" }
                if case let .problem(detail) = DecoderTorture.judge(error, inputCount: bytes.count) { return "integers at \(path): \(detail)" }
            }
        }
        return nil
    }

    /// The block's JSON text, through the JSON parser, the header reader and the block decoder.
    public static func blockJSON(_ block: Block) -> DecoderEntryPoint? {
        // Without trailing white space, which a truncation may remove from valid JSON.
        guard var text = block.blockJSON else { return nil }
        while let last = text.last, [0x20, 0x0A, 0x0D, 0x09].contains(last) { text.removeLast() }
        return DecoderEntryPoint(name: "\(block.folder) block.json", input: text) { bytes in
            let json: JSON
            do throws(JSON.ParseError) {
                json = try JSON.parse(bytes: bytes)
            } catch {
                return error.offset >= 0 && error.offset <= bytes.count ? .rejected : .problem("JSON error offset \(error.offset)")
            }
            do throws(DecodedBlock.DecodingError) {
                _ = try DecodedBlock.decode(blockJSON: json, eventsBytes: nil, metadata: block.metadata)
                return .decoded
            } catch {
                return error.description.isEmpty ? .problem("an error without a message") : .rejected
            }
        }
    }

    /// What a node sends, as it arrives on the wire, through the JSON-RPC message parser and on
    /// to what the client makes of it: a `chain_getBlock` response (decoded as a block), a
    /// finalized-head notification (its header read and hashed), and a batch of the two answers
    /// a block takes (its hash and the block).
    public static func rpcFrames(_ block: Block) throws -> [DecoderEntryPoint] {
        guard let text = block.blockJSON else { return [] }
        let inner = try JSON.parse(bytes: text)
        let signed = JSON.object(["block": inner, "justifications": .null])
        guard let header = inner["header"] else { return [] }
        let hash = JSON.string(Hex.encode(try BlockHeader(json: header).hash))
        func response(_ id: Int, _ result: JSON) -> JSON { .object(["jsonrpc": .string("2.0"), "id": .number(id), "result": result]) }
        let notification = JSON.object([
            "jsonrpc": .string("2.0"), "method": .string("chain_finalizedHead"),
            "params": .object(["subscription": .string("Xb5y0nKzBnn3Qg4f"), "result": header]),
        ])
        let frames: [(String, JSON)] = [
            ("chain_getBlock response", response(41, signed)),
            ("finalized head notification", notification),
            ("batch answer", .array([response(7, hash), response(8, signed)])),
        ]
        return frames.map { name, frame in
            DecoderEntryPoint(name: "\(block.folder) \(name)", input: Array(frame.serialized().utf8)) { bytes in
                guard let messages = JSONRPCMessage.parseAll(bytes) else { return .rejected }
                for message in messages {
                    switch message {
                    case let .response(_, .success(result)):
                        // The batch's other answer is the block hash: a string, nothing to decode.
                        guard case .object = result else { continue }
                        do throws(DecodedBlock.DecodingError) {
                            _ = try DecodedBlock.decode(blockJSON: result, eventsBytes: nil, metadata: block.metadata)
                        } catch {
                            return error.description.isEmpty ? .problem("an error without a message") : .rejected
                        }
                    case let .notification(_, result):
                        do { _ = try BlockHeader(json: result).hash } catch { return .rejected }
                    case .response(_, .failure):
                        continue
                    }
                }
                return .decoded
            }
        }
    }

    /// The SCALE-encoded header.
    public static func header(_ block: Block) throws -> DecoderEntryPoint? {
        guard let text = block.blockJSON, let headerJSON = try JSON.parse(bytes: text)["header"] else { return nil }
        let header = try BlockHeader(json: headerJSON)
        return DecoderEntryPoint(name: "\(block.folder) header", input: header.encoded) { bytes in
            outcome(bytes) { () throws(SCALEError) in _ = try BlockHeader.decode(bytes) }
        }
    }
}

/// A small seedable generator (SplitMix64), so every damaged input can be reproduced.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

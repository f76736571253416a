import ExactJSON
// libFuzzer target over the decoder entry points. The first input byte picks the entry point,
// the rest is its input; decoders use the Polkadot 1001002 runtime's metadata (block 19772575's).
// Built with -sanitize=fuzzer by Benchmarks/decode-fuzz.sh, which seeds it with the corpus;
// main.swift hands `fuzz` to libFuzzer's driver.
import Foundation
import JSONRPC
import SCALE
import Substrate

private let metadata: RuntimeMetadata = {
    let root = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_CHAINDATA"] ?? "../shared/chaindata"
    let bytes = FileManager.default.contents(atPath: "\(root)/metadata/polkadot_1001002_v14.scale").map { [UInt8]($0) } ?? []
    guard let decoded = try? RuntimeMetadata.decode(bytes) else { fatalError("set RUNTIME_EXPORTER_CHAINDATA to the corpus") }
    return decoded
}()
private let extrinsics = ExtrinsicDecoder(metadata: metadata)
private let events = try! EventDecoder(metadata: metadata)

/// Entry points by first byte.
enum FuzzEntryPoint: UInt8, CaseIterable {
    case metadata, extrinsic, extrinsicSummary, events, eventSummaries, header, json, ss58, compact, rpcFrame
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    guard let entry = FuzzEntryPoint(rawValue: bytes[0] % UInt8(FuzzEntryPoint.allCases.count)) else { return 0 }
    let input = Array(bytes.dropFirst())
    switch entry {
    case .metadata: _ = try? RuntimeMetadata.decode(input)
    case .extrinsic: _ = try? extrinsics.decode(input)
    case .extrinsicSummary: _ = try? extrinsics.summarize(input)
    case .events: _ = try? events.decode(input)
    case .eventSummaries:
        if let summaries = try? events.summarize(input) {
            for summary in summaries { _ = try? events.fields(of: summary, in: input) }
        }
    case .header: _ = try? BlockHeader.decode(input)
    case .json:
        if let json = try? JSON.parse(bytes: input) {
            _ = try? DecodedBlock.decode(blockJSON: json, eventsBytes: nil, metadata: metadata)
            _ = try? ChainProperties(json: json)
        }
    case .ss58: _ = try? SS58.decode(String(decoding: input, as: UTF8.self))
    case .compact:
        var decoder = SCALEDecoder(input)
        _ = try? decoder.decodeCompactUInt128()
        _ = try? decoder.decodeBitSequence(store: .u32, order: .msb0)
    case .rpcFrame:
        // What a node sends, as the transports read it, and on to what the client makes of it.
        for message in JSONRPCMessage.parseAll(input) ?? [] {
            switch message {
            case let .response(_, .success(result)): _ = try? DecodedBlock.decode(blockJSON: result, eventsBytes: nil, metadata: metadata)
            case let .notification(_, result): _ = try? BlockHeader(json: result).hash
            case .response(_, .failure): break
            }
        }
    }
    return 0
}

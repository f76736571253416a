import ExactJSON
import ExporterServices
import Foundation
import SCALE
import Substrate

enum InputFiles {
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputFailure(file: path, message: "cannot read the file")
        }
        return [UInt8](data)
    }

    /// Binary metadata, or hex text of it (as JSON-RPC returns it). Binary metadata is never
    /// valid hex text (its `meta` magic is not), so whatever parses as hex is hex.
    static func metadata(_ path: String) throws -> RuntimeMetadata {
        let raw = try read(path)
        let bytes = Hex.decodeIfHex(raw) ?? raw
        do {
            return try RuntimeMetadata.decode(bytes)
        } catch {
            throw InputFailure(file: path, message: error.description)
        }
    }
}

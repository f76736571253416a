import ArgumentParser
import Foundation
import SCALE
import Substrate

/// Unreadable input: printed as one line naming the file and what is wrong with it, exit code 2.
struct InputFailure: Error, CustomStringConvertible {
    let file: String
    let message: String
    var description: String { "\(file): \(message)" }
}

enum InputFiles {
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputFailure(file: path, message: "cannot read the file")
        }
        return [UInt8](data)
    }

    /// Binary metadata, or hex text of it (as JSON-RPC returns it).
    static func metadata(_ path: String) throws -> RuntimeMetadata {
        var bytes = try read(path)
        if bytes.starts(with: Array("0x".utf8)) || (bytes.first.map { $0 != 0x6D && isHexDigit($0) } ?? false) {
            guard let decoded = Hex.decode(String(decoding: bytes, as: UTF8.self)) else {
                throw InputFailure(file: path, message: "starts like hex text but is not valid hex")
            }
            bytes = decoded
        }
        do {
            return try RuntimeMetadata.decode(bytes)
        } catch {
            throw InputFailure(file: path, message: error.description)
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

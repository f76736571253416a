import Foundation
public import HTTPTypes

/// The keys that open restricted metrics, sent as Sanbase clients send theirs:
/// `Authorization: Apikey KEY`. Kept in a file (one key per line, `#` comments), never on the
/// command line where `ps` would show them.
public struct APIKeys: Sendable {
    private let keys: [[UInt8]]

    public init(_ keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    public static let none = APIKeys([])

    public static func load(file path: String) throws -> APIKeys {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw APIKeysError(description: "cannot read the API keys file \(path): \(error.localizedDescription)")
        }
        let keys = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !keys.isEmpty else { throw APIKeysError(description: "the API keys file \(path) holds no key") }
        return APIKeys(keys)
    }

    /// Whether a request carries one of the keys: `Authorization: Apikey KEY` (Sanbase's form),
    /// or `X-Api-Key: KEY` (for when `Authorization` holds basic auth credentials).
    public func accepts(_ headers: HTTPFields) -> Bool {
        if let key = headers[Self.keyHeader] { return accepts(key: key) }
        return accepts(authorization: headers[.authorization])
    }

    static let keyHeader = HTTPField.Name("X-Api-Key")!

    /// Whether an `Authorization` header value carries one of the keys.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "apikey" else { return false }
        return accepts(key: String(parts[1]))
    }

    private func accepts(key: String) -> Bool {
        let offered = Array(key.trimmingCharacters(in: .whitespaces).utf8)
        // Every key compared in full: how long the check takes says nothing about a key.
        var found = false
        for key in keys where Self.equalInConstantTime(key, offered) { found = true }
        return found
    }

    private static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

public struct APIKeysError: Error, CustomStringConvertible {
    public let description: String
}

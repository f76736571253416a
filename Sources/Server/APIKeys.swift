import Foundation
public import HTTPTypes
public import MetricStore

/// The keys that open restricted metrics, sent as Sanbase clients send theirs:
/// `Authorization: Apikey KEY`. Kept in a file (one key per line, `#` comments), never on the
/// command line where `ps` would show them. A key may carry a plan after it (`KEY pro`): it
/// opens the metrics whose `min_plan` is at most that; a key without one opens every metric.
public struct APIKeys: Sendable {
    private let keys: [(key: [UInt8], plan: Plan)]

    public init(_ keys: [String], plan: Plan = .custom) {
        self.init(keys.map { ($0, plan) })
    }

    public init(_ keys: [(key: String, plan: Plan)]) {
        self.keys = keys.map { (Array($0.key.utf8), $0.plan) }
    }

    public static let none = APIKeys([String]())

    public static func load(file path: String) throws -> APIKeys {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw APIKeysError(description: "cannot read the API keys file \(path): \(error.localizedDescription)")
        }
        var keys = [(key: String, plan: Plan)]()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let key = fields.first, !key.hasPrefix("#") else { continue }
            guard fields.count <= 2 else { throw APIKeysError(description: "\(path):\(number + 1): a key and at most a plan after it") }
            guard let plan = fields.count == 2 ? Plan(rawValue: fields[1].lowercased()) : .custom else {
                throw APIKeysError(description: "\(path):\(number + 1): \(fields[1]) is not a plan (\(Plan.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            keys.append((String(key), plan))
        }
        guard !keys.isEmpty else { throw APIKeysError(description: "the API keys file \(path) holds no key") }
        return APIKeys(keys)
    }

    /// The plan of the key a request carries, nil without a valid one: `Authorization: Apikey
    /// KEY` (Sanbase's form), or `X-Api-Key: KEY` (for when `Authorization` holds basic auth
    /// credentials).
    public func plan(of headers: HTTPFields) -> Plan? {
        if let key = headers[Self.keyHeader] { return plan(ofKey: key) }
        return plan(ofAuthorization: headers[.authorization])
    }

    static let keyHeader = HTTPField.Name("X-Api-Key")!

    /// The plan of the key an `Authorization` header value carries.
    public func plan(ofAuthorization authorization: String?) -> Plan? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "apikey" else { return nil }
        return plan(ofKey: String(parts[1]))
    }

    private func plan(ofKey key: String) -> Plan? {
        let offered = Array(key.trimmingCharacters(in: .whitespaces).utf8)
        // Every key compared in full: how long the check takes says nothing about a key.
        var found: Plan?
        for (key, plan) in keys where Self.equalInConstantTime(key, offered) { found = plan }
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

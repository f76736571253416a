/// A definition that cannot be used, named by file, line, entry and field so one line says
/// where to look: `metrics/balances.yaml:12: entry balances_free: field source.keys: …`.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let origin: String
    public let entry: String?
    public let field: String?
    public let message: String

    public init(origin: String, entry: String? = nil, field: String? = nil, _ message: String) {
        self.origin = origin
        self.entry = entry
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts = [origin]
        if let entry { parts.append("entry \(entry)") }
        if let field { parts.append("field \(field)") }
        return (parts + [message]).joined(separator: ": ")
    }
}

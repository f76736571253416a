import Foundation

/// Which store `--store` names: `none` (Prometheus only), `sqlite:PATH` (embedded, the default)
/// or a PostgreSQL URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case none
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public static let defaultSQLitePath = "runtime-exporter.sqlite"
    public static let `default` = StoreLocation.sqlite(path: defaultSQLitePath)

    public init(parsing text: String) throws(StoreError) {
        if text == "none" {
            self = .none
        } else if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw StoreError(.location, "--store sqlite:PATH needs a file path") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: text))
        } else {
            throw StoreError(.location, "--store takes none, sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE, not \(text)")
        }
    }

    /// Where the store is, without its password (for logs and pages).
    public var description: String {
        switch self {
        case .none: "none"
        case let .sqlite(path): "sqlite:\(path)"
        case let .postgres(location): location.description
        }
    }

    /// Opens the store, migrated; nil for `none`.
    public func open() async throws -> (any MetricStore)? {
        switch self {
        case .none:
            return nil
        case let .sqlite(path):
            let store = try SQLiteStore(path: path)
            try await store.migrate()
            return store
        case let .postgres(location):
            let store = PostgresStore(location: location)
            do {
                try await store.migrate()
            } catch {
                try? await store.close()
                throw error
            }
            return store
        }
    }
}

/// A PostgreSQL server and database, from a libpq-style URL:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable|prefer|require`.
/// Missing parts come from `PGUSER`, `PGPASSWORD`, `PGHOST`, `PGPORT` and `PGDATABASE`, then
/// libpq's defaults (user `postgres`, port 5432, database named as the user).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(url text: String, environment: [String: String]? = nil) throws(StoreError) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let url = URLComponents(string: text) else { throw StoreError(.location, "--store: \(Self.redacted(text)) is not a URL") }
        let parameters = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        if let unknown = parameters.keys.sorted().first(where: { $0 != "sslmode" }) {
            throw StoreError(.location, "--store: unknown parameter \(unknown) in the PostgreSQL URL (known: sslmode)")
        }
        let mode = parameters["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else { throw StoreError(.location, "--store: sslmode takes disable, prefer or require, not \(mode)") }
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGHOST"] ?? "localhost"
        if let port = url.port {
            self.port = port
        } else if let text = environment["PGPORT"] {
            guard let port = Int(text) else { throw StoreError(.location, "PGPORT is not a port number: \(text)") }
            self.port = port
        } else {
            port = 5432
        }
        guard (1...65535).contains(port) else { throw StoreError(.location, "--store: port \(port) is out of range") }
        user = url.user.flatMap { $0.isEmpty ? nil : $0 }?.removingPercentEncoding ?? environment["PGUSER"] ?? "postgres"
        password = url.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let path = String(url.path.drop { $0 == "/" })
        database = path.isEmpty ? environment["PGDATABASE"] ?? user : path.removingPercentEncoding ?? path
        self.tls = tls
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The URL with its password hidden, for error messages about a URL that did not parse.
    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"://([^:@/]*):[^@/]*@"#, with: "://$1:***@", options: .regularExpression)
    }
}

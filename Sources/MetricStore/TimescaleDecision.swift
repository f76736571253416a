import Foundation

/// Whether a new PostgreSQL store makes `samples` a TimescaleDB hypertable, decided from the
/// server's answers before anything is tried: with the extension installed on the server but
/// not in `shared_preload_libraries`, `CREATE EXTENSION` ends the session with a FATAL error
/// (no savepoint survives that), so it is never issued then.
public enum TimescaleDecision: Equatable, Sendable {
    /// Create the extension and the hypertable.
    case create
    /// Plain tables; `warning` says why when TimescaleDB is on the server but cannot be used.
    case plainTables(warning: String?)

    /// `available`: `pg_available_extensions` lists `timescaledb`; `preloadLibraries`: the
    /// server's `SHOW shared_preload_libraries`.
    public static func decide(available: Bool, preloadLibraries: String) -> TimescaleDecision {
        guard available else { return .plainTables(warning: nil) }
        guard preloads(preloadLibraries) else {
            return .plainTables(warning: """
                TimescaleDB is installed on the server but not in shared_preload_libraries (\(preloadLibraries.isEmpty ? "empty" : preloadLibraries)); \
                samples go in a plain table (add timescaledb there and restart the server before a store is first made to have a hypertable)
                """)
        }
        return .create
    }

    /// Whether the list names TimescaleDB's loader: `timescaledb`, a path ending in it
    /// (`$libdir/timescaledb`), quoted or not, among others separated by commas.
    static func preloads(_ libraries: String) -> Bool {
        libraries.split(separator: ",").contains { entry in
            let name = entry.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let file = name.split(separator: "/").last.map(String.init) ?? name
            return file == "timescaledb" || file == "timescaledb.so"
        }
    }
}

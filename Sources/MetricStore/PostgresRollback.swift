import Logging
import PostgresNIO

extension PostgresConnection {
    /// Rolls back the open transaction, unless the session is over: after a FATAL or PANIC
    /// from the server (a server shutting down, a backend terminated by an operator) or a
    /// dropped connection the server has discarded the transaction itself, and a query sent to
    /// a connection that is closing is never answered (PostgresNIO leaves it waiting).
    func rollBack(after error: (any Error)? = nil, logger: Logger) async {
        guard !isClosed, error.map(Self.sessionSurvives) ?? true else { return }
        _ = try? await query("ROLLBACK", logger: logger)
    }

    /// Whether the session outlives `error`, so that its transaction is still there to roll back.
    static func sessionSurvives(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return true }
        if error.code == .server {
            let severity = error.serverInfo?[.severity] ?? error.serverInfo?[.localizedSeverity]
            return severity != "FATAL" && severity != "PANIC"
        }
        return ![PSQLError.Code.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed].contains(error.code)
    }
}

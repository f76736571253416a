import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// What a session the server ends (a server shutting down, a backend terminated by an operator)
/// needs beyond PostgresNIO: a query sent to the closing connection is never answered, and a
/// COPY whose connection closes before the copy began is never resumed (its continuation is
/// dropped). Both would leave a write waiting forever.
extension PostgresConnection {
    /// Rolls back the open transaction, unless the session is over: after a FATAL or PANIC
    /// from the server or a dropped connection, the server has discarded the transaction itself.
    func rollBack(after error: (any Error)? = nil, logger: Logger) async {
        guard !isClosed, error.map(Self.sessionSurvives) ?? true else { return }
        _ = try? await query("ROLLBACK", logger: logger)
    }

    /// Whether the session outlives `error`, so that its transaction is still there to roll back.
    static func sessionSurvives(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return false }
        guard let error = error as? PSQLError else { return true }
        if error.code == .server {
            let severity = error.serverInfo?[.severity] ?? error.serverInfo?[.localizedSeverity]
            return severity != "FATAL" && severity != "PANIC"
        }
        return ![PSQLError.Code.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed].contains(error.code)
    }

    /// `COPY table FROM STDIN` of `pieces`, ended by the connection's closing if it comes first.
    func copy(_ pieces: [ByteBuffer], into table: String, columns: [String], logger: Logger) async throws {
        try await untilClosed {
            try await self.copyFrom(table: table, columns: columns, logger: logger) { writer in
                for piece in pieces { try await writer.write(piece) }
            }
        }
    }

    /// `body`'s result, or `ConnectionClosed` if the connection closes first: a query sent as
    /// it closes is never answered, and a COPY never resumed. The body then stays suspended in
    /// its own task; the connection is gone, so nothing it holds is used again.
    func untilClosed<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.waiting(continuation)
            Task {
                do {
                    outcome.finish(.success(try await body()))
                } catch {
                    outcome.finish(.failure(error))
                }
            }
            closeFuture.whenComplete { _ in outcome.finish(.failure(ConnectionClosed())) }
        }
    }
}

/// A COPY's or a transaction's connection closed before it ended.
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection closed" }
}

/// The first of a body's end and its connection's closing, handed to the one waiting.
private final class Outcome<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func waiting(_ waiter: CheckedContinuation<T, any Error>) {
        continuation.withLock { $0 = waiter }
    }

    func finish(_ result: Result<T, any Error>) {
        continuation.withLock { waiter in
            waiter?.resume(with: result)
            waiter = nil
        }
    }
}

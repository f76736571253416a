import Logging
import OwnedTasks
import PostgresNIO

/// A chunk held by a row lock on `backfill_chunks` in an open transaction. The pool lends a
/// connection to a closure only, so the claim's connection stays in a task of its own that
/// runs the claim's commands in order; the last (write, failure or release) ends the
/// transaction. A process that dies closes its connection, and the lock goes with it.
final class PostgresChunkClaim: ChunkClaim {
    private enum Command: Sendable {
        case loaded(CheckedContinuation<[LoadedRange], any Error>)
        case write(ChunkWrite, CheckedContinuation<Void, any Error>)
        case recordFailure([LoadedRange], String, CheckedContinuation<Void, any Error>)
        case release(CheckedContinuation<Void, any Error>)
    }

    /// What a chunk's write records.
    private struct ChunkWrite: Sendable {
        let samples: [StoredSample]
        let loading: [LoadedRange]
        let failing: [FailedRange]
        let failures: [MetricFailureRun]
    }

    private let commands: AsyncStream<Command>.Continuation
    private let name: String

    private init(commands: AsyncStream<Command>.Continuation, name: String) {
        self.commands = commands
        self.name = name
    }

    deinit {
        commands.finish()
    }

    /// The claim, or nil when another process holds the chunk and `wait` is false.
    static func take(store: PostgresStore, chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> PostgresChunkClaim? {
        let name = "blocks \(chunk.lowerBound)–\(chunk.upperBound) of \(chain)"
        let (first, last) = (Int64(chunk.lowerBound), Int64(chunk.upperBound))
        // The chunk's row, outside any transaction: an insert inside one would wait on another
        // process's uncommitted insert instead of skipping it.
        try await store.withConnection("registering \(name)") { connection in
            try await connection.query("""
                INSERT INTO backfill_chunks (chain, first_block, last_block) VALUES (\(chain), \(first), \(last)) ON CONFLICT DO NOTHING
                """, logger: store.logger)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Command.self)
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<PostgresChunkClaim?, any Error>) in
            // The store owns the claim's task: closing it rolls back the claims still open.
            store.claims.spawn {
                var answered = false
                do {
                    try await store.withConnection("claiming \(name)") { connection in
                        try await connection.query("BEGIN", logger: store.logger)
                        let held = try await connection.query("""
                            SELECT 1 FROM backfill_chunks WHERE chain = \(chain) AND first_block = \(first) FOR UPDATE \(unescaped: wait ? "" : "SKIP LOCKED")
                            """, logger: store.logger).collect()
                        guard !held.isEmpty else {
                            try await connection.query("ROLLBACK", logger: store.logger)
                            answered = true
                            answer.resume(returning: nil)
                            return
                        }
                        answered = true
                        answer.resume(returning: PostgresChunkClaim(commands: continuation, name: name))
                        await run(stream, store: store, chain: chain, chunk: chunk, name: name, on: connection)
                    }
                } catch {
                    if !answered { answer.resume(throwing: error) }
                }
                // Commands sent after the end are answered with an error, never left waiting.
                continuation.finish()
                for await command in stream { Self.refuse(command, name: name) }
            }
        }
    }

    /// Runs commands until one ends the transaction (or the claim is dropped: rolled back).
    private static func run(_ stream: AsyncStream<Command>, store: PostgresStore, chain: String, chunk: ClosedRange<UInt64>, name: String,
                            on connection: PostgresConnection) async {
        func failure(_ doing: String, _ error: any Error) -> any Error {
            (error as? StoreError) ?? StoreError(.failed, "PostgreSQL store \(store.location), \(doing) \(name): \(PostgresStore.describe(error))")
        }
        for await command in stream {
            switch command {
            case let .loaded(reply):
                do { reply.resume(returning: try await store.loadedRanges(chain: chain, chunk: chunk, on: connection)) } catch {
                    reply.resume(throwing: failure("reading what is loaded in", error))
                }
            case let .write(chunk, reply):
                do {
                    let created = try await store.insert(
                        chunk.samples, loading: chunk.loading, failing: chunk.failing, failures: chunk.failures, on: connection)
                    try await connection.query("COMMIT", logger: store.logger)
                    store.remember(created)
                    reply.resume()
                } catch {
                    await connection.rollBack(after: error, logger: store.logger)
                    reply.resume(throwing: failure("writing", error))
                }
                return
            case let .recordFailure(ranges, message, reply):
                do {
                    try await store.recordFailure(ranges, error: message, on: connection)
                    try await connection.query("COMMIT", logger: store.logger)
                    reply.resume()
                } catch {
                    await connection.rollBack(after: error, logger: store.logger)
                    reply.resume(throwing: failure("recording the failure of", error))
                }
                return
            case let .release(reply):
                await connection.rollBack(logger: store.logger)
                reply.resume()
                return
            }
        }
        await connection.rollBack(logger: store.logger)
    }

    private static func refuse(_ command: Command, name: String) {
        let error = StoreError(.claimEnded, "the claim on \(name) has ended")
        switch command {
        case let .loaded(reply): reply.resume(throwing: error)
        case let .write(_, reply), let .recordFailure(_, _, reply), let .release(reply): reply.resume(throwing: error)
        }
    }

    private func send<T>(_ make: (CheckedContinuation<T, any Error>) -> Command) async throws -> T {
        try await withCheckedThrowingContinuation { reply in
            let command = make(reply)
            if case .terminated = commands.yield(command) { Self.refuse(command, name: name) }
        }
    }

    func loadedRanges() async throws -> [LoadedRange] {
        try await send { .loaded($0) }
    }

    func write(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
        try await send { .write(ChunkWrite(samples: samples, loading: ranges, failing: failing, failures: failures), $0) }
    }

    func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
        try await send { .recordFailure(ranges, error, $0) }
    }

    func release() async {
        try? await send { .release($0) }
    }
}

import SubstrateRPC

/// One RPC step tried again on failure (a dropped connection, a node's error, a garbled
/// answer), waiting a little longer each time: 0.2, 0.4, 0.8, 1.6 s. The last failure is
/// thrown. Reads of many requests (a history chunk, a scheduled read of hundreds of keys)
/// retry each request, so that one transient failure does not throw the whole read away.
enum Retry {
    static let attempts = 5

    static func step<T>(_ step: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await step()
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as RPCError where [.closed, .unsupported].contains(error.kind) {
                // A transport closed or unable to do this: asking again cannot help.
                throw error
            } catch {
                guard attempt < attempts else { throw error }
                try await Task.sleep(for: .milliseconds(100 << attempt))
                attempt += 1
            }
        }
    }
}

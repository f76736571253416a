/// Runs `body`, then `close`, whether `body` returned or threw: what `defer` does, for a close
/// that must be awaited (a transport, a store).
func closing<T>(_ close: () async -> Void, after body: () async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await close()
        throw error
    }
    await close()
    return result
}

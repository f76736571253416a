public import ServiceLifecycle

/// A service built once what it needs is ready (the embedded node's port, in `demo`), then run
/// within the same group: it stops with the group, and ends at once when nothing ever comes.
public struct ServiceOnceReady<Value: Sendable>: Service {
    let ready: AsyncStream<Value>
    let make: @Sendable (Value) async throws -> ExporterServer

    public init(ready: AsyncStream<Value>, make: @escaping @Sendable (Value) async throws -> ExporterServer) {
        (self.ready, self.make) = (ready, make)
    }

    public func run() async throws {
        var iterator = ready.makeAsyncIterator()
        guard let value = await iterator.next() else { return }
        try await make(value).run()
    }
}

import DevNode
import Exporter
import ExporterServices
import Foundation
import Logging
import MetricStore
import ServiceLifecycle
import Testing

/// `serve` stopped gracefully while it follows a chain and loads its history: the HTTP server,
/// the chain's following, history loading and scheduled reads all end before the store
/// closes, and nothing reaches the store after.
@Suite struct ShutdownTests {
    @Test func nothingIsWrittenAfterTheStoreCloses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shutdown-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("store.sqlite").path
        let store = try WatchedStore(path: path)
        try await store.migrate()

        let quiet = { var logger = Logger(label: "shutdown-test"); logger.logLevel = .critical; return logger }()
        var options = DevNode.Options()
        options.port = 0
        options.history = 200
        options.blockTime = 0.25
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let node = try await DevNode(options: options, logger: quiet) { port in portReady.yield(port) }
        let definitions = try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
        let exporter = ServiceOnceReady(ready: ports) { port in
            var settings = ExporterConfiguration()
            settings.listenAddress = "127.0.0.1:0"
            var history = ExporterConfiguration.History(from: 1)
            history.chunk = 10
            settings.chains = [.init(name: "devnode", endpoints: ["ws://127.0.0.1:\(port)"], history: history)]
            return try await ExporterServer(
                settings: settings, definitions: definitions, store: store, storeLocation: path, apiKeysFile: nil, origin: "test", shutdownSignals: [], logger: quiet)
        }
        // The node first and the exporter last: a graceful shutdown stops the exporter first.
        let group = ServiceGroup(configuration: .init(services: node.services.map { .init(service: $0) } + [.init(service: exporter)], logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            // Under load: history chunks and followed blocks being written.
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                if store.events.count >= 20, try await !store.inner.loadedRanges(chain: "devnode").isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await group.triggerGracefulShutdown()
            try await running.waitForAll()
        }

        let events = store.events
        #expect(events.count(where: { if case .write = $0 { true } else { false } }) >= 20, "the store was written to before the shutdown")
        #expect(events.last == .closed(writesUnderWay: 0), "the store closes last, with no write under way")
        #expect(events.count(where: { if case .closed = $0 { true } else { false } }) == 1)
        // The shutdown came while history was loading: some chunks loaded, not all.
        let reopened = try SQLiteStore(path: path)
        let chunks = Set(try await reopened.loadedRanges(chain: "devnode").map(\.firstBlock))
        try await reopened.close()
        #expect(!chunks.isEmpty && chunks.count < 20, "\(chunks.count) chunks loaded of 20")
    }
}

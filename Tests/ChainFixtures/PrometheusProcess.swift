import Foundation

/// A real Prometheus server (Debian's `prometheus`) on a free port, scraping the given targets
/// every second, with its data in a temporary directory removed at `stop()`.
public final class PrometheusProcess: @unchecked Sendable {
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let child: ChildProcess
    private let directory: URL

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `targets`: `HOST:PORT` of exporters, scraped at `metricsPath` as job `runtime-exporter`.
    public init(targets: [String], metricsPath: String = "/metrics") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: runtime-exporter
                metrics_path: \(metricsPath)
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]
            """.write(to: config, atomically: true, encoding: .utf8)
        port = ListeningProcess.freePort()
        child = try ChildProcess(
            "/usr/bin/prometheus",
            ["--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"],
            stdin: .devNull, stdout: .devNull, stderr: .devNull)
    }

    /// SIGTERM without waiting: a thread of its own reaps the server and removes its data.
    public func stop() {
        child.signal(SIGTERM)
        let (child, directory) = (child, directory)
        Thread.detachNewThread {
            _ = child.stop(grace: 5)
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

public import Foundation

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

    /// `targets`: `HOST:PORT` of exporters, scraped at `metricsPath` as job `job`; `ruleFiles`
    /// are evaluated every second; `instance` replaces the targets' instance label.
    public init(
        targets: [String], metricsPath: String = "/metrics", job: String = "runtime-exporter", ruleFiles: [URL] = [], instance: String? = nil
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        let relabel = instance.map { "\n    relabel_configs:\n      - target_label: instance\n        replacement: '\($0)'" } ?? ""
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [\(ruleFiles.map { "'\($0.path)'" }.joined(separator: ", "))]
            scrape_configs:
              - job_name: \(job)
                metrics_path: \(metricsPath)
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]\(relabel)
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

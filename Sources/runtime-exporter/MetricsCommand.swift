import ArgumentParser
import ExactJSON
import Exporter
import Foundation
import ExporterServices

/// Where definitions come from: the shipped set unless left out, plus the user's directories.
struct DefinitionOptions: ParsableArguments {
    @Option(name: .customLong("metrics-dir"), help: "A directory of metric definitions (YAML or JSON); repeatable.")
    var metricsDirectories: [String] = []

    @Flag(help: "Leave out the definitions that ship with runtime-exporter.")
    var noDefaultMetrics = false

    /// The definitions of the shipped set (unless left out here or by `defaults`), the
    /// configuration's directories and the command line's.
    func load(extraDirectories: [String] = [], defaults: Bool = true) throws -> [MetricDefinition] {
        var directories = (extraDirectories + metricsDirectories).map { URL(fileURLWithPath: $0) }
        if !noDefaultMetrics && defaults {
            guard let shipped = DefinitionLoader.shippedDirectory else { throw InputFailure(file: "metrics", message: "the shipped definitions are missing") }
            directories.insert(shipped, at: 0)
        }
        return try DefinitionLoader.load(directories: directories)
    }
}

/// `runtime-exporter metrics list`: the metric definitions in use.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Metric definitions.",
        subcommands: [MetricsListCommand.self]
    )
}

struct MetricsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the metric definitions in use.")

    @OptionGroup var definitions: DefinitionOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let loaded = try definitions.load()
        if json {
            print(JSON.array(loaded.map(\.json)).serialized(pretty: true))
            return
        }
        for line in MetricDefinition.table(loaded) { print(line) }
    }
}

import ArgumentParser
import Foundation

/// `runtime-exporter`: on-chain metrics of Substrate chains.
struct RuntimeExporterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime-exporter",
        abstract: "On-chain metrics of Substrate chains for Prometheus and PostgreSQL.",
        subcommands: [DecodeCommand.self, MetricsCommand.self, CheckConfigCommand.self]
    )
}

do {
    var command = try RuntimeExporterCommand.parseAsRoot()
    try command.run()
} catch let failure as InputFailure {
    // Bad input files: one line, exit code 2 (usage errors keep ArgumentParser's exit code 64).
    FileHandle.standardError.write(Data("runtime-exporter: error: \(failure)\n".utf8))
    exit(2)
} catch let failure as DefinitionFailure {
    FileHandle.standardError.write(Data("runtime-exporter: error: \(failure)\n".utf8))
    exit(2)
} catch {
    RuntimeExporterCommand.exit(withError: error)
}

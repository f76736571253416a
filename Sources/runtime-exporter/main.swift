import ArgumentParser
import Exporter
import Foundation
import WebSecurity
import ExporterServices

/// `runtime-exporter`: on-chain metrics of Substrate chains.
struct RuntimeExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime-exporter",
        abstract: "On-chain metrics of Substrate chains for Prometheus and PostgreSQL.",
        subcommands: [ServeCommand.self, DemoCommand.self, BackfillCommand.self, APICommand.self, DecodeCommand.self, MetricsCommand.self, CheckConfigCommand.self]
    )
}

/// Runs a parsed subcommand, awaiting the ones that are asynchronous (`serve`).
func dispatch(_ parsed: any ParsableCommand) async throws {
    if var command = parsed as? any AsyncParsableCommand {
        try await command.run()
    } else {
        var command = parsed
        try command.run()
    }
}

do {
    try await dispatch(try RuntimeExporterCommand.parseAsRoot())
} catch let failure where failure is InputFailure || failure is WebConfigurationError || failure is DefinitionError {
    // Bad input (files, options, a store or web configuration): one line, exit code 2 (usage
    // errors keep ArgumentParser's exit code 64).
    FileHandle.standardError.write(Data("runtime-exporter: error: \(failure)\n".utf8))
    exit(2)
} catch {
    RuntimeExporterCommand.exit(withError: error)
}

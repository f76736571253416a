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

/// The command line with the options of `serve`, `backfill` and `api` it does not give taken
/// from the environment (`RUNTIME_EXPORTER_…`).
func argumentsWithEnvironment() throws -> EnvironmentArguments.Resolution {
    let arguments = Array(CommandLine.arguments.dropFirst())
    let commands: [String: any ParsableCommand.Type] = ["serve": ServeCommand.self, "backfill": BackfillCommand.self, "api": APICommand.self]
    guard let name = arguments.first, let command = commands[name] else { return .init(arguments: arguments) }
    let options = try EnvironmentArguments.options(describedBy: command._dumpHelp())
    do throws(EnvironmentArguments.Failure) {
        var resolved = try EnvironmentArguments.resolve(Array(arguments.dropFirst()), options: options, environment: ProcessInfo.processInfo.environment)
        resolved.arguments.insert(name, at: 0)
        return resolved
    } catch {
        throw InputFailure(file: "the environment", message: error.description)
    }
}

var fromEnvironment: [String] = []
do {
    let resolved = try argumentsWithEnvironment()
    fromEnvironment = resolved.variables
    try await dispatch(try RuntimeExporterCommand.parseAsRoot(resolved.arguments))
} catch let failure where failure is InputFailure || failure is WebConfigurationError || failure is DefinitionError {
    // Bad input (files, options, a store or web configuration): one line, exit code 2 (usage
    // errors keep ArgumentParser's exit code 64).
    FileHandle.standardError.write(Data("runtime-exporter: error: \(failure)\n".utf8))
    exit(2)
} catch {
    // An option refused may have come from a variable rather than the command line: say which were used.
    if !fromEnvironment.isEmpty, !(error is CleanExit) {
        FileHandle.standardError.write(Data("runtime-exporter: options taken from \(fromEnvironment.joined(separator: ", "))\n".utf8))
    }
    RuntimeExporterCommand.exit(withError: error)
}

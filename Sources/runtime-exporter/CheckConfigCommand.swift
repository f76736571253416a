import ArgumentParser
import Exporter
import Foundation
import Substrate

/// `runtime-exporter check-config`: every start-up check of the definitions, without starting.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check metric definitions; exit non-zero on the first problem.",
        discussion: "With --metadata, also check them against those runtimes (state_getMetadata output) as a chain runs them now: definitions for a pallet the runtime lacks are reported as skipped, anything else it lacks is an error (with --past, skipped too)."
    )

    @OptionGroup var definitions: DefinitionOptions

    @Option(help: "Runtime metadata to check the definitions against; repeatable.")
    var metadata: [String] = []

    @Flag(help: "The metadata is of a past runtime: what it lacks skips a definition for its blocks instead of failing.")
    var past = false

    func run() throws {
        let loaded = try definitions.load()
        for file in metadata {
            let check = ChainCheck(metadata: try InputFiles.metadata(file))
            var applying = 0
            for definition in loaded {
                switch past ? check.historicalOutcome(definition) : try check.check(definition) {
                case .applies: applying += 1
                case let .skipped(reason): print("skipped: \(reason)")
                }
            }
            print("\(file): \(applying) of \(loaded.count) definitions apply")
        }
        print("\(loaded.count) definitions: ok")
    }
}

import Exporter
import Testing

/// Options from `RUNTIME_EXPORTER_…` variables: names, precedence of the command line, repeated
/// options and flags, and values no option takes.
@Suite struct EnvironmentArgumentsTests {
    static let options: [EnvironmentArguments.Option] = [
        .init(name: "rpc", takesValue: true, repeats: true),
        .init(name: "store", takesValue: true, repeats: false),
        .init(name: "web.listen-address", takesValue: true, repeats: false),
        .init(name: "no-default-metrics", takesValue: false, repeats: false),
    ]

    @Test func variablesAreTheOptionNamesInCapitals() {
        #expect(Self.options.map(\.variable) == [
            "RUNTIME_EXPORTER_RPC", "RUNTIME_EXPORTER_STORE", "RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS", "RUNTIME_EXPORTER_NO_DEFAULT_METRICS",
        ])
    }

    @Test func optionsNotGivenComeFromTheEnvironment() throws {
        let arguments = try EnvironmentArguments.resolve(["--store", "none"], options: Self.options, environment: [
            "RUNTIME_EXPORTER_RPC": " wss://a.example,wss://b.example\n wss://c.example ",
            "RUNTIME_EXPORTER_STORE": "sqlite:ignored.sqlite",
            "RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS": ":9700",
            "RUNTIME_EXPORTER_NO_DEFAULT_METRICS": "true",
            "RUNTIME_EXPORTER_UNKNOWN": "x",
            "PORT": "8000",
        ])
        // The command line's --store wins; each --rpc value (whitespace-separated) is one chain.
        #expect(arguments.arguments == [
            "--store", "none", "--rpc", "wss://a.example,wss://b.example", "--rpc", "wss://c.example",
            "--web.listen-address", ":9700", "--no-default-metrics",
        ])
        #expect(arguments.variables == ["RUNTIME_EXPORTER_RPC", "RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS", "RUNTIME_EXPORTER_NO_DEFAULT_METRICS"])
    }

    @Test func anOptionWrittenWithItsValueAttachedStillWins() throws {
        let arguments = try EnvironmentArguments.resolve(
            ["--web.listen-address=:9800"], options: Self.options, environment: ["RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS": ":9700"])
        #expect(arguments == .init(arguments: ["--web.listen-address=:9800"]))
    }

    @Test func emptyAndFalseValuesAddNothing() throws {
        let arguments = try EnvironmentArguments.resolve([], options: Self.options, environment: [
            "RUNTIME_EXPORTER_STORE": "  ", "RUNTIME_EXPORTER_NO_DEFAULT_METRICS": "false",
        ])
        #expect(arguments == .init(arguments: []))
    }

    @Test func aFlagTakesTrueOrFalseOnly() {
        #expect(throws: EnvironmentArguments.Failure.self) {
            try EnvironmentArguments.resolve([], options: Self.options, environment: ["RUNTIME_EXPORTER_NO_DEFAULT_METRICS": "maybe"])
        }
        do {
            _ = try EnvironmentArguments.resolve([], options: Self.options, environment: ["RUNTIME_EXPORTER_NO_DEFAULT_METRICS": "maybe"])
        } catch {
            #expect(error.description == "RUNTIME_EXPORTER_NO_DEFAULT_METRICS: expected true or false, not maybe")
        }
    }
}

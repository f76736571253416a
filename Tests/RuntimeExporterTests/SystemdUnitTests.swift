import ChainFixtures
import Exporter
import Foundation
import Testing

/// The shipped systemd unit, as systemd itself reads it: `systemd-analyze verify` accepts it
/// (pointed at the binary just built) without a word, its hardening rates "OK", and the
/// example configuration it starts with reads.
@Suite struct SystemdUnitTests {
    static let deploy = ChainData.packageRoot.appendingPathComponent("deploy/systemd")

    @Test func theUnitVerifiesAndIsHardened() async throws {
        let shipped = try String(contentsOf: Self.deploy.appendingPathComponent("runtime-exporter.service"), encoding: .utf8)
        #expect(shipped.contains("ExecStart=/usr/local/bin/runtime-exporter serve "))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let unit = directory.appendingPathComponent("runtime-exporter.service")
        try shipped.replacingOccurrences(of: "/usr/local/bin/runtime-exporter", with: Executable.url("runtime-exporter").path)
            .write(to: unit, atomically: true, encoding: .utf8)

        let verified = try await ChildProcess.run("/usr/bin/env", ["systemd-analyze", "verify", unit.path])
        #expect(verified.status == 0 && verified.stdout.isEmpty && verified.stderr.isEmpty, "\(verified.status): \(verified.stdout)\(verified.stderr)")

        let security = try await ChildProcess.run("/usr/bin/env", ["systemd-analyze", "security", "--offline=yes", "--no-pager", unit.path])
        let line = security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }.map(String.init) ?? ""
        let exposure = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        #expect(exposure.map { $0 <= 2.0 } == true, "\(security.stdout.suffix(600))")
        print("systemd unit: \(line.trimmingCharacters(in: .whitespaces))")
        #expect(shipped.contains("rates this unit \(exposure.map { String(format: "%.1f", $0) } ?? "?")"), "the unit's comment gives the rating")
    }

    @Test func theExampleConfigurationReads() throws {
        let file = Self.deploy.appendingPathComponent("exporter.yaml")
        let configuration = try ExporterConfiguration.parse(try String(contentsOf: file, encoding: .utf8), origin: file.path)
        #expect(configuration.chains.map(\.name) == ["polkadot", "polkadot-asset-hub"] && configuration.history?.from == 20_000_000)
        #expect(configuration.listenAddress == ":9616")
    }
}

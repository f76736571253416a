public import Foundation

/// Headless Chromium (Debian's `chromium`): a page's DOM after loading, and screenshots.
/// Each call gets a profile of its own, so that calls may run at once.
public enum Chromium {
    public static let path = "/usr/bin/chromium"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The serialized DOM once `url` has loaded.
    public static func dom(_ url: String) async throws -> String {
        try await run(url, ["--dump-dom"]).stdout
    }

    /// A PNG of `url` in a window of `width`×`height` CSS pixels, written to `file`.
    public static func screenshot(_ url: String, to file: URL, width: Int, height: Int) async throws {
        try? FileManager.default.removeItem(at: file)
        _ = try await run(url, ["--screenshot=\(file.path)", "--window-size=\(width),\(height)", "--hide-scrollbars"])
        guard FileManager.default.fileExists(atPath: file.path) else { throw Failure(description: "chromium wrote no screenshot of \(url)") }
    }

    private static func run(_ url: String, _ arguments: [String]) async throws -> ChildProcess.Result {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // As root Chromium runs only without its sandbox; no GPU and no /dev/shm in containers.
        let result = try await ChildProcess.run(path, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile.path)",
        ] + arguments + [url], limit: 90)
        guard result.status == 0 else { throw Failure(description: "chromium \(arguments.joined(separator: " ")) \(url) exited \(result.status): \(result.stderr.suffix(600))") }
        return result
    }
}

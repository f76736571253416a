import ChainFixtures
import Foundation
import Testing

/// The process runner under every devnode, referee and executable the tests start: a hang or a
/// leaked descriptor here stalls the whole test run, so its guarantees are checked directly.
@Suite(.timeLimit(.minutes(1))) struct ChildProcessTests {
    /// A child sees its three standard streams and nothing else of the test process, so a
    /// long-lived devnode can never hold another child's output pipe open.
    @Test func childrenInheritOnlyTheirStandardStreams() async throws {
        // An inheritable pipe, as any library in the process might open one.
        var stray: [Int32] = [0, 0]
        #expect(pipe(&stray) == 0)
        defer { close(stray[0]); close(stray[1]) }
        let result = try await ChildProcess.run("python3", ["-c", "import os; print(sorted(os.listdir('/proc/self/fd')))"])
        #expect(result.status == 0, "\(result.stderr)")
        // Python's own listdir descriptor may show as 3; nothing beyond it.
        #expect(["['0', '1', '2']\n", "['0', '1', '2', '3']\n"].contains(result.stdout), "\(result.stdout)")
    }

    @Test func aChildPastItsLimitIsKilledAndReported() async throws {
        let started = ContinuousClock.now
        await #expect { try await ChildProcess.run("sleep", ["30"], limit: 1) } throws: { error in
            "\(error)".contains("still ran after 1 s")
        }
        // Killed, not waited for: well before the 30 s sleep would end (on a busy machine the
        // kill and reaping take a few seconds).
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    /// Megabytes on both output streams and on the input at once: nothing blocks on a full pipe.
    @Test func largeInputAndOutputsFlowTogether() async throws {
        let input = String(repeating: "x", count: 3 << 20)
        let script = "import sys; data = sys.stdin.read(); sys.stderr.write('e' * len(data)); sys.stdout.write('o' * len(data))"
        let result = try await ChildProcess.run("python3", ["-c", script], input: Data(input.utf8))
        #expect(result.status == 0)
        #expect(result.stdout.count == 3 << 20 && result.stderr.count == 3 << 20)
    }

    @Test func exitCodesAndSignalsAreReported() async throws {
        #expect(try await ChildProcess.run("sh", ["-c", "exit 7"]).status == 7)
        #expect(try await ChildProcess.run("sh", ["-c", "kill -9 $$"]).status == 128 + 9)
    }
}

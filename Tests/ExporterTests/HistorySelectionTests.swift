@testable import Exporter
import Testing

/// Which shipped definitions history loads, and how often, from names, globs, pallets and
/// spacings, as a `history:` section or `backfill`'s flags give them.
@Suite struct HistorySelectionTests {
    @Test func globsMatchAsAShellDoes() {
        #expect(HistorySelection.matches("nomination_pool_*", "nomination_pool_members"))
        #expect(HistorySelection.matches("*_total", "extrinsics_total") && !HistorySelection.matches("*_total", "extrinsics_total_x"))
        #expect(HistorySelection.matches("staking_*_tokens", "staking_ledger_total_tokens"))
        #expect(HistorySelection.matches("a?c", "abc") && !HistorySelection.matches("a?c", "ac"))
        #expect(HistorySelection.matches("*", "") && HistorySelection.matches("**x*", "abxcd"))
        #expect(!HistorySelection.matches("balances", "balances_total_issuance_tokens"))
    }

    @Test func entriesChooseAndSpaceGaugesOnly() throws {
        let shipped = try DefinitionTests.shipped()
        let selection = HistorySelection(entries: [
            .init("nomination_pool_*", sampling: .everyBlocks(600)), .init("staking_ledger_total_tokens", sampling: .schedule(.daily)),
            .init("extrinsics_total", sampling: .everyBlocks(50)), .init("balances_total_issuance_tokens"),
        ], every: 10)
        let chosen = try selection.choose(from: shipped)
        let byName = Dictionary(uniqueKeysWithValues: chosen.map { ($0.name, $0) })
        let pools = shipped.filter { $0.name.hasPrefix("nomination_pool_") }
        #expect(pools.count >= 3 && Set(chosen.map(\.name)) == Set(pools.map(\.name) + ["staking_ledger_total_tokens", "extrinsics_total", "balances_total_issuance_tokens"]))
        for pool in pools where pool.kind == .gauge {
            #expect(byName[pool.name]?.sampling == .everyBlocks(600) && byName[pool.name]?.version == "\(pool.version)@every600")
        }
        #expect(byName["staking_ledger_total_tokens"]?.sampling == .schedule(.daily) && byName["staking_ledger_total_tokens"]?.version.hasSuffix("@daily") == true)
        // A counter counts what each block did: read at every block whatever is asked.
        let extrinsics = try #require(shipped.first { $0.name == "extrinsics_total" })
        #expect(byName["extrinsics_total"]?.sampling == extrinsics.sampling && byName["extrinsics_total"]?.version == extrinsics.version)
        // An entry without a spacing takes `every`.
        #expect(byName["balances_total_issuance_tokens"]?.sampling == .everyBlocks(10))
    }

    @Test func palletsChooseTheDefinitionsReadingThem() throws {
        let shipped = try DefinitionTests.shipped()
        let chosen = try HistorySelection(pallets: ["staking"]).choose(from: shipped)
        #expect(chosen.contains { $0.name == "staking_ledger_total_tokens" } && chosen.contains { $0.name == "staking_bonded_accounts" })
        #expect(!chosen.contains { $0.name == "balances_total_issuance_tokens" })
        #expect(chosen.allSatisfy { HistorySelection.reads($0, pallet: "Staking") })
        // A collector reads all the pallets it names: the pools' read NominationPools.
        let pools = try HistorySelection(pallets: ["NominationPools"]).choose(from: shipped)
        #expect(pools.contains { $0.name == "nomination_pool_members" } && pools.contains { $0.name == "nomination_pools_pools" })
        // With entries too, a definition must meet both.
        let both = try HistorySelection(entries: [.init("staking_*")], pallets: ["Staking"]).choose(from: shipped)
        #expect(!both.isEmpty && both.allSatisfy { $0.name.hasPrefix("staking_") })
        #expect(try HistorySelection().choose(from: shipped).count == shipped.count)
    }

    @Test func whatChoosesNothingIsNamed() throws {
        let shipped = try DefinitionTests.shipped()
        #expect(throws: HistorySelection.NothingChosen.self) { try HistorySelection(entries: [.init("nomination_pol_*")]).choose(from: shipped) }
        do {
            _ = try HistorySelection(pallets: ["Stakng"]).choose(from: shipped)
            Issue.record("a pallet no definition reads was accepted")
        } catch {
            #expect(error.description == "pallet Stakng matches no metric definition")
        }
    }
}

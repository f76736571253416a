import ChainFixtures
import ExactJSON
import Exporter
import Foundation
import Substrate
import Testing

/// Metric definitions as data: the shipped set loads, follows Prometheus conventions and fits
/// every corpus runtime; mistakes are one line naming file, line, entry and field.
@Suite struct DefinitionTests {
    static func shipped() throws -> [MetricDefinition] {
        try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
    }

    @Test func shippedDefinitionsLoadAndFollowConventions() throws {
        let definitions = try Self.shipped()
        #expect(definitions.count >= 25)
        #expect(Set(definitions.map(\.name)).count == definitions.count)
        for definition in definitions {
            #expect(definition.prometheusName.hasPrefix("runtime_"))
            #expect((definition.kind == .counter) == definition.name.hasSuffix("_total"), "\(definition.name)")
            if let unit = definition.unit { #expect(definition.name.contains("_\(unit)"), "\(definition.name)") }
        }
        let issuance = try #require(definitions.first { $0.name == "balances_total_issuance_tokens" })
        #expect(issuance.source == .storage(pallet: "Balances", item: "TotalIssuance", keys: [], field: nil, eachKey: nil))
        #expect(issuance.scale == .tokenDecimals && issuance.aggregation == .last && issuance.minInterval == 6)
        #expect(issuance.origin.hasSuffix("balances.yaml:2"))
    }

    /// Every shipped definition fits the newest relay-chain corpus runtimes (as a chain runs
    /// them now); on older ones and on Asset Hub, what they lack only skips the definition for
    /// their blocks (a parachain has no elections of its own, pre-migration Asset Hub no staking).
    @Test(arguments: ChainData.metadataFiles)
    func shippedDefinitionsFitEveryCorpusRuntime(path: String) throws {
        let metadata = try ChainData.metadata(path)
        let check = ChainCheck(metadata: metadata)
        let parachain = metadata.pallet(named: "ParachainSystem") != nil
        let current = !parachain && (metadata.runtimeVersion?.specVersion ?? 0) >= 1_005_000
        var applying = 0
        var parachainOnly = 0
        for definition in try Self.shipped() {
            let outcome = current ? try check.check(definition) : check.historicalOutcome(definition)
            switch outcome {
            case .applies: applying += 1
            case let .skipped(reason):
                // A relay chain now has all but what only parachains hold (staking-async on Asset Hub, XCMP).
                #expect(!current || Self.parachainOnly.contains { reason.contains($0) }, "\(path): \(reason)")
                parachainOnly += 1
            }
        }
        #expect(applying >= (current ? Self.shippedCount - parachainOnly : parachain ? 12 : 20), "\(path): \(applying)")
    }

    static var shippedCount: Int { (try? shipped().count) ?? 0 }

    /// Pallets of parachains only: staking-async runtimes' and the multi-block election collector
    /// reading them (and the relay chain's half of their messages, which runtimes before the
    /// migration lack), a parachain's own message passing and collators, and Asset Hub's assets.
    static let parachainOnly = ["MultiBlockElection", "StakingRcClient", "multi_block_election", "StakingAhClient", "XcmpQueue", "ParachainSystem", "Assets", "CollatorSelection", "ForeignAssets", "AssetConversion"]

    /// The post-migration Asset Hub runtimes, where Polkadot's and Kusama's staking now lives:
    /// every staking, election, pool, delegated-staking and voter-list definition applies, as
    /// the runtime runs now, save the relay chain's half of their messages; and no storage key
    /// read at every block is of `Session` (there, the session's validators are collators).
    @Test(arguments: ["metadata/statemint_2003001_v16.scale", "metadata/statemine_2003000_v16.scale", "metadata/statemine_1007001_v15.scale"])
    func stakingDefinitionsFitAssetHubAfterTheMigration(path: String) throws {
        let metadata = try ChainData.metadata(path)
        let check = ChainCheck(metadata: metadata)
        let staking = try Self.shipped().filter { definition in
            ["staking_", "election_", "nomination_pool", "delegated_staking_", "voter_list_"].contains { definition.name.hasPrefix($0) }
        }
        #expect(staking.count >= 50)
        for definition in staking where definition.name != "staking_validator_sets_received_total" {
            #expect(try check.check(definition) == .applies, "\(path): \(definition.name)")
        }
        for definition in staking {
            #expect(!check.choosingSource(definition).source.pallets.contains("Session"), "\(definition.name)")
        }
    }

    /// A renamed event field: `amount|1` reads the named field in new runtimes and the second
    /// unnamed one in old ones (Staking.Rewarded before it had names).
    @Test func fieldAlternativesBridgeRuntimeVersions() throws {
        let rewards = try #require(try Self.shipped().first { $0.name == "staking_rewards_tokens_total" })
        for path in ["metadata/polkadot_9110_v14.scale", "metadata/polkadot_2000000_v15.scale"] {
            let check = ChainCheck(metadata: try ChainData.metadata(path))
            #expect(try check.check(rewards) == .applies, "\(path)")
        }
    }

    @Test(arguments: [
        ("- name: a\n  help: h\n  type: gauge\n  sourc: {header: number}\n", "t.yaml:4: entry a: field sourc: unknown field"),
        ("- name: a\n  help: h\n  type: gauges\n  source: {header: number}\n", "t.yaml:3: entry a: field type: gauges is not one of gauge, counter, histogram"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number}\n  min_plan: gold\n",
         "t.yaml:5: entry a: field min_plan: gold is not one of free, basic, pro, business_pro, business_max, custom"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number}\n  docs: [ftp://x]\n", "t.yaml:1: entry a: field docs: ftp://x is not an http(s) link"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number}\n  has_incomplete_data: maybe\n", "t.yaml:5: entry a: field has_incomplete_data: expected true or false"),
        ("- name: fees\n  help: h\n  type: counter\n  source: {header: number}\n", "t.yaml:1: entry fees: field name: a counter's name ends in _total"),
        ("- name: a_total\n  help: h\n  type: gauge\n  source: {header: number}\n", "t.yaml:1: entry a_total: field name: only counters end in _total"),
        ("- name: size\n  help: h\n  type: gauge\n  unit: bytes\n  source: {header: length}\n", "t.yaml:1: entry size: field name: must end in _bytes to carry its unit"),
        ("- name: a\n  help: h\n  type: gauge\n  labels: [who]\n  source: {header: number}\n", "t.yaml:1: entry a: field labels: the source cannot fill who"),
        ("- name: a\n  type: gauge\n  source: {header: number}\n", "t.yaml:1: entry a: field help: missing"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number, storage: A.B}\n", "t.yaml:4: entry a: field source: give exactly one of"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {storage: Balances}\n", "t.yaml:4: entry a: field source.storage: expected Pallet.Name"),
        ("- name: a_total\n  help: h\n  type: counter\n  source: {events: Balances.Transfer, aggregate: sum}\n", "t.yaml:1: entry a_total: field source.field: a sum needs the field to add up"),
        ("- name: a\n  help: h\n  type: gauge\n  min_interval: 5 minutes\n  source: {header: number}\n", "t.yaml:4: entry a: field min_interval: expected a duration"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number}\n- name: a\n  help: h\n  type: gauge\n  source: {header: number}\n", "t.yaml:5: entry a: field name: defined again (first at t.yaml:1)"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: nothing}\n", "t.yaml:4: entry a: field source.collector: no collector nothing; there are runtime_version,"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: xcm_transfers, value: fees}\n", "t.yaml:4: entry a: field source.value: collector xcm_transfers has no value fees; it has tokens, transfers"),
        ("- name: a\n  help: h\n  type: gauge\n  labels: [pool]\n  source: {collector: xcm_transfers}\n", "t.yaml:1: entry a: field labels: the source cannot fill pool (it fills: destination)"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {storage: Paras.Parachains, aggregate: count}\n", "t.yaml:1: entry a: field source.field: an aggregate of a storage value needs the field"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {header: number, value: x}\n", "t.yaml:4: entry a: field source.value: not an option of a header source"),
        ("- name: a\n  help: h\n  type: gauge\n  source: []\n", "t.yaml:4: entry a: field source: an empty list of sources"),
        ("- name: a\n  help: h\n  type: gauge\n  labels: [pool]\n  source: [{collector: nomination_pools}, {header: number}]\n", "t.yaml:1: entry a: field labels: source 2 cannot fill pool"),
        ("- name: a\n  help: h\n  type: gauge\n  requires: [Staking.Ledger]\n  source: {header: number}\n", "t.yaml:1: entry a: field requires: Staking.Ledger is not a pallet name"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: xcm_transfers, names: {}}\n", "t.yaml:4: entry a: field source.names: not an option of collector xcm_transfers"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: parachain_names, table: {}}\n", "t.yaml:4: entry a: field source.table: not an option of collector parachain_names (it takes names)"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: parachain_names, names: [1000]}\n", "t.yaml:4: entry a: field source.names: expected {relay chain: {para id: name}}"),
        ("- name: a\n  help: h\n  type: gauge\n  source: {collector: parachain_names, names: {polkadot: {hub: Asset Hub}}}\n", "t.yaml:4: entry a: field source.names: polkadot: hub is not a para id"),
        ("name: a\n", "t.yaml:1: expected a list of metric definitions"),
        ("- name: [a\n", "t.yaml: not valid YAML or JSON"),
    ])
    func mistakesAreOneLineNamingTheirPlace(text: String, expected: String) {
        do {
            _ = try DefinitionLoader.parse(text, origin: "t.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    /// JSON is accepted as well as YAML.
    @Test func jsonDefinitionsReadLikeYAML() throws {
        let json = #"[{"name": "a_blocks", "help": "h", "type": "gauge", "unit": "blocks", "source": {"header": "number"}, "every": 10}]"#
        let definition = try #require(try DefinitionLoader.parse(json, origin: "t.json").first)
        #expect(definition.sampling == .everyBlocks(10) && definition.unit == "blocks" && definition.source == .header(.number))
    }

    /// Against a runtime: accounts by SS58 address, field paths, and unknown items named.
    @Test func chainCheckReadsKeysAndFieldsAndNamesUnknownItems() throws {
        let check = ChainCheck(metadata: try ChainData.metadata("metadata/polkadot_2000000_v15.scale"))
        let account = SS58.encode([UInt8](repeating: 7, count: 32), prefix: 0)
        func outcome(_ source: String, labels: String = "[]") throws -> String {
            let text = "- name: m\n  help: h\n  type: gauge\n  labels: \(labels)\n  source: \(source)\n"
            let definition = try #require(try DefinitionLoader.parse(text, origin: "t.yaml").first)
            do {
                return "\(try check.check(definition))"
            } catch {
                return error.description
            }
        }
        #expect(try outcome("{storage: System.Account, keys: [\"\(account)\"], field: data.free}") == "applies")
        #expect(try outcome("{storage: System.Account, each_key: {label: account, values: [\"\(account)\"]}, field: data.free}", labels: "[account]") == "applies")
        #expect(try outcome("{storage: Staking.ActiveEra, field: index}") == "applies")
        #expect(try outcome("{storage: Foo.Bar}").hasPrefix("skipped(\"m: polkadot 2000000 has no pallet Foo"))
        #expect(try outcome("{storage: Balances.TotalIssuanc}") == "t.yaml:1: entry m: field source.storage: no storage item Balances.TotalIssuanc in polkadot 2000000")
        #expect(try outcome("{storage: System.Account, keys: [\"0x1234\"], field: data.free}")
            == "t.yaml:1: entry m: field source.keys.0: expected 32 bytes, got 2 in polkadot 2000000")
        #expect(try outcome("{storage: System.Account, field: data.free}").contains("takes 1 key(s), the definition gives 0"))
        #expect(try outcome("{storage: System.Account, keys: [\"\(account)\"], field: data}").contains("data is not a number"))
        #expect(try outcome("{storage: System.Account, keys: [\"\(account)\"], field: data.fre}").contains("the value has no field data.fre"))
        #expect(try outcome("{events: Balances.Transferred}").contains("no event Balances.Transferred"))
        #expect(try outcome("{events: Balances.Transfer, labels: {to: dest}}", labels: "[to]").contains("Balances.Transfer has no field dest"))
        #expect(try outcome("{extrinsics: Balances.transfer_all_the_things}").contains("no call Balances.transfer_all_the_things"))
        #expect(try outcome("{constant: Balances.ExistentialDeposit}") == "applies")
        #expect(try outcome("{storage_map: Balances.TotalIssuance}").contains("is a plain value, not a map"))
    }
}

import ChainFixtures
import ExactJSON
import Foundation
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// Staking where Polkadot runs it now, on Asset Hub: `serve` following a relay devnode and an
/// Asset Hub devnode at once, the Asset Hub's staking, election, pool and delegated-staking
/// metrics compared with the devnode's truth through two eras and a full election round,
/// substrate-interface reading the same chain as a referee, and history across an upgrade
/// between two Asset Hub runtimes giving the rows following gave.
@Suite(.timeLimit(.minutes(4))) struct AssetHubStakingTests {
    static let chain = "statemint"

    @Test func stakingOnAssetHubEqualsTheChainThroughErasAndAnElection() async throws {
        let relay = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.5"])
        defer { relay.stop() }
        let hub = try await DevnodeProcess.launch(["--chain", "asset-hub", "--history", "12", "--block-time", "0.25", "--finality-lag", "1", "--finality-step", "3"])
        defer { hub.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", relay.webSocketURL, "--rpc", hub.webSocketURL, "--store", "none"])
        defer { exporter.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: hub.httpURL), timeout: .seconds(20))

        // Scrapes a few blocks apart through more than two eras of ten blocks, and on (up to six
        // eras) until scrapes saw four phases of an election round: under load, finality moves
        // further between two scrapes.
        var snapshots = [MetricsSnapshot]()
        var truths = [JSON]()
        var phases = Set<String>()
        var next: UInt64 = 14
        while true {
            let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: Self.chain, atLeast: next)
            let truth = try await client.call("devnode_truth", [.string(try #require(try await client.chainGetBlockHash(snapshot.block)))])
            try Self.checkGauges(snapshot, truth: truth)
            snapshots.append(snapshot)
            truths.append(truth)
            phases.insert(truth["multi_block_election"]?["phase"]?.stringValue ?? "?")
            let covered = snapshot.block - snapshots[0].block
            if covered >= 24 && phases.count >= 4 || covered >= 60 { break }
            next = snapshot.block + 2
        }
        #expect(phases.count >= 4, "phases seen: \(phases.sorted())")
        let eras = truths.compactMap { $0["staking"]?["era"]?.uint64Value }
        #expect((eras.max() ?? 0) - (eras.min() ?? 0) >= 2, "eras \(eras)")

        // Counters grow by exactly what the devnode did between the first and last scrape.
        let (first, last) = (snapshots[0], snapshots[snapshots.count - 1])
        let (before, after) = (truths[0], truths[truths.count - 1])
        func grew(_ series: String) -> Double {
            (last.series[series].flatMap(Double.init) ?? 0) - (first.series[series].flatMap(Double.init) ?? 0)
        }
        func truthGrew(_ path: [String]) -> Double {
            func at(_ truth: JSON) -> Double { Double(path.reduce(Optional(truth)) { $0?[$1] }?.uint64Value ?? 0) }
            return at(after) - at(before)
        }
        let labels = "chain=\"\(Self.chain)\""
        #expect(grew("runtime_election_phase_transitions_total{\(labels)}") == truthGrew(["multi_block_election", "transitions"]))
        #expect(grew("runtime_staking_session_reports_received_total{\(labels)}") == truthGrew(["staking_async", "session_reports"]))
        for kind in ["signed", "unsigned"] {
            #expect(grew("runtime_election_submissions_total{\(labels),kind=\"\(kind)\"}") == truthGrew(["election", "\(kind)_submissions"]), "\(kind)")
            #expect(truthGrew(["election", "\(kind)_submissions"]) >= 1, "no \(kind) submission in the blocks scraped")
        }
        for event in ["Registered", "Stored", "Rewarded"] {
            #expect(grew("runtime_election_signed_submission_events_total{\(labels),event=\"\(event)\"}") == truthGrew(["multi_block_election", "signed_events", event]), "\(event)")
        }
        for event in ["Verified", "Queued"] {
            #expect(grew("runtime_election_verification_events_total{\(labels),event=\"\(event)\"}") == truthGrew(["multi_block_election", "verification_events", event]), "\(event)")
        }
        #expect(truthGrew(["multi_block_election", "transitions"]) >= 8)
        // XCM messages from the relay chain and a sibling, those answered, received downward.
        #expect(try ServeTests.checkMessageQueue(from: first, to: last, truths: (before, after), chain: Self.chain) >= 10)
        #expect(grew("runtime_xcmp_messages_sent_total{\(labels)}") == truthGrew(["xcm_queue", "xcmp_sent"]))
        #expect(grew("runtime_xcm_downward_messages_received_total{\(labels)}") == truthGrew(["xcm_queue", "downward_received"]))
        #expect(truthGrew(["xcm_queue", "downward_received"]) >= 1)
        // OpenGov and the treasury, which live on Asset Hub now.
        let governance = try ServeTests.checkGovernance(from: first, to: last, truths: (before, after), chain: Self.chain)
        #expect(governance.referenda >= 10 && governance.treasury >= 1, "referenda events \(governance.referenda), treasury movements \(governance.treasury)")
        #expect(last.series["runtime_treasury_rollover_tokens{\(labels)}"] != nil, "no spend period ended in the blocks scraped")
        // Offences from the relay chain, the slashes they led to, and pool funds through delegated staking.
        #expect(grew("runtime_staking_offences_received_total{\(labels)}") == truthGrew(["staking_async", "offences"]))
        #expect(grew("runtime_staking_offences_reported_total{\(labels)}") == truthGrew(["staking_async", "offences"]))
        #expect(grew("runtime_staking_slashes_total{\(labels)}") == truthGrew(["staking_async", "slashes"]))
        #expect(truthGrew(["staking_async", "slashes"]) >= 1, "no slash in the blocks scraped")
        func tokensGrew(_ series: String) -> UInt128? {
            let planck = { (snapshot: MetricsSnapshot) in MetricsSnapshot.planck(snapshot.series[series] ?? "0", decimals: 10) }
            guard let end = planck(last), let start = planck(first), end >= start else { return nil }
            return end - start
        }
        func truthTokensGrew(_ path: [String]) -> UInt128? {
            func at(_ truth: JSON) -> UInt128? { path.reduce(Optional(truth)) { $0?[$1] }?.stringValue.flatMap { UInt128($0) } }
            guard let end = at(after), let start = at(before), end >= start else { return nil }
            return end - start
        }
        for (series, path) in [
            ("runtime_staking_slashed_tokens_total", ["staking_async", "slashed"]),
            ("runtime_delegated_staking_delegations_tokens_total", ["delegated_staking", "delegations"]),
            ("runtime_delegated_staking_released_tokens_total", ["delegated_staking", "released"]),
        ] {
            #expect(tokensGrew("\(series){\(labels)}") == truthTokensGrew(path), "\(series)")
        }
        #expect((truthTokensGrew(["delegated_staking", "delegations"]) ?? 0) > 0, "no delegation in the blocks scraped")

        // Asset Hub's own XCM: teleports to the relay chain (calls and `execute` programs), reserve transfers to siblings.
        let xcm = try ServeTests.checkXCM(from: first, to: last, truths: (before, after), chain: Self.chain)
        #expect(xcm >= 2, "\(xcm) XCM transfers in the blocks scraped")

        // Asset transfers, as calls and as events.
        #expect(grew("runtime_extrinsics_total{call=\"transfer\",\(labels),pallet=\"Assets\",result=\"success\",signed=\"true\"}") == truthGrew(["assets", "1984", "transfer_calls"]))
        #expect(grew("runtime_events_total{\(labels),event=\"Transferred\",pallet=\"Assets\"}") == truthGrew(["assets", "1984", "transfers"]))
        #expect(truthGrew(["assets", "1984", "transfers"]) >= 3)
        // The listed asset's own metrics: transfers and amounts by their increase, in whole units of 6 decimals.
        #expect(grew("runtime_assets_transfers_total{asset_id=\"1984\",\(labels)}") == truthGrew(["assets", "1984", "transfers"]))
        for metric in ["transferred", "issued", "burned"] {
            let amount = ServeTests.truthGrew((before, after), ["assets", "1984", metric])
            #expect(last.grew("runtime_assets_\(metric)_total{asset_id=\"1984\",\(labels)}", since: first, decimals: 6) == amount, "\(metric)")
            #expect(amount > 0, "no asset \(metric) in the blocks scraped")
        }

        // KSM moved, issued and burned; swaps per listed pair, an unlisted asset never a label.
        let foreign = "asset=\"2/GlobalConsensus(Kusama)\",\(labels)"
        #expect(grew("runtime_foreign_assets_transfers_total{\(foreign)}") == truthGrew(["foreign_assets", "assets", "2/GlobalConsensus(Kusama)", "transfers"]))
        for metric in ["transferred", "issued", "burned"] {
            let amount = ServeTests.truthGrew((before, after), ["foreign_assets", "assets", "2/GlobalConsensus(Kusama)", metric])
            #expect(last.grew("runtime_foreign_assets_\(metric)_total{\(foreign)}", since: first, decimals: 12) == amount, "KSM \(metric)")
            #expect(amount > 0, "no KSM \(metric) in the blocks scraped")
        }
        guard case let .object(pairs)? = after["foreign_assets"]?["swaps"] else { Issue.record("devnode_truth has no swaps"); return }
        var swapped: UInt128 = 0
        for pair in pairs.map(\.key) {
            let ends = pair.components(separatedBy: "→")
            let series = "{asset_in=\"\(ends[0])\",asset_out=\"\(ends[1])\",\(labels)}"
            let listed = !pair.contains("GeneralIndex(30)")
            for (metric, field) in [("swaps_total", "count"), ("amount_in_total", "amount_in"), ("amount_out_total", "amount_out")] {
                let expected = listed ? ServeTests.truthGrew((before, after), ["foreign_assets", "swaps", pair, field]) : 0
                #expect(last.grew("runtime_asset_conversion_\(metric)\(series)", since: first) == expected, "\(metric) \(pair)")
            }
            if listed { swapped += ServeTests.truthGrew((before, after), ["foreign_assets", "swaps", pair, "count"]) }
        }
        #expect(swapped >= 3, "\(swapped) swaps of listed pairs in the blocks scraped")
        #expect(!last.text.contains("GeneralIndex(30)"), "an unlisted asset became a label value")

        // The relay chain is followed alongside, its classic staking read as before.
        #expect(last.series["runtime_staking_active_validators{chain=\"polkadot\"}"] == "2")
        try await Self.refereeAgrees(hub, snapshot: last)
    }

    /// Every per-block gauge of staking, the election, pools and delegated staking at the
    /// scraped block equals the devnode's truth there; one the truth lacks is not exported.
    static func checkGauges(_ snapshot: MetricsSnapshot, truth: JSON) throws {
        let at = "at block \(snapshot.block)"
        func tokens(_ value: JSON?) -> String? { value?.stringValue.flatMap { UInt128($0) }.map { TokenAmount(planck: $0, decimals: 10).description } }
        func number(_ value: JSON?) -> String? { value?.uint64Value.map { String($0) } }
        let staking = try #require(truth["staking"])
        let stakingAsync = try #require(truth["staking_async"])
        let election = try #require(truth["multi_block_election"])
        let delegated = try #require(truth["delegated_staking"])
        let collation = try #require(truth["collation"])
        let expected: [(String, String?)] = [
            // Collation: the relay parent, collators and the session's validators (the collators).
            ("runtime_parachain_relay_parent_number", number(collation["relay_parent"])),
            ("runtime_collators_invulnerable", number(collation["invulnerables"])),
            ("runtime_collator_candidates", number(collation["candidates"])),
            ("runtime_collator_candidates_bonded_tokens", tokens(collation["candidates_bonded"])),
            ("runtime_collators_desired_candidates", number(collation["desired_candidates"])),
            ("runtime_session_validators", number(collation["session_validators"])),
            ("runtime_staking_active_era", number(staking["era"])),
            ("runtime_staking_era_total_stake_tokens", tokens(staking["total"])),
            ("runtime_staking_era_own_stake_tokens", tokens(staking["own"])),
            ("runtime_staking_era_nominator_stake_tokens", tokens(staking["others"])),
            ("runtime_staking_active_validators", number(staking["active_validators"])),
            ("runtime_staking_active_nominator_backings", number(staking["nominator_backings"])),
            ("runtime_staking_era_reward_points", number(stakingAsync["era_points"])),
            ("runtime_staking_era_rewarded_validators", number(stakingAsync["era_points_validators"])),
            ("runtime_staking_previous_era_validator_reward_tokens", tokens(stakingAsync["previous_era_reward"])),
            ("runtime_election_round", number(election["round"])),
            ("runtime_election_snapshot_pages", number(election["snapshot_pages"])),
            ("runtime_election_snapshot_voters", number(election["snapshot_voters"])),
            ("runtime_election_snapshot_targets", number(election["snapshot_targets"])),
            ("runtime_election_desired_targets", number(election["desired_targets"])),
            ("runtime_election_queued_solution_minimal_stake_tokens", tokens(election["queued"]?["minimal_stake"])),
            ("runtime_election_queued_solution_sum_stake_tokens", tokens(election["queued"]?["sum_stake"])),
            ("runtime_election_queued_solution_sum_stake_squared", election["queued"]?["sum_stake_squared"]?.stringValue),
            ("runtime_delegated_staking_agents", number(delegated["agents"])),
            ("runtime_delegated_staking_delegators", number(delegated["delegators"])),
        ]
        for (metric, value) in expected {
            // An Off phase has no snapshot, desired targets or queued score: those series are absent.
            #expect(snapshot.values[metric] == value, "\(metric) \(at)")
        }
        // The listed asset the devnode moves (1984, 6 decimals); 1337 does not exist there, so has no series.
        let asset = try #require(truth["assets"]?["1984"])
        let supply = try #require(asset["supply"]?.stringValue.flatMap { UInt128($0) })
        #expect(snapshot.series["runtime_assets_supply{asset_id=\"1984\",chain=\"\(chain)\"}"] == TokenAmount(planck: supply, decimals: 6).description, "supply \(at)")
        #expect(snapshot.series["runtime_assets_holders{asset_id=\"1984\",chain=\"\(chain)\"}"] == number(asset["holders"]), "holders \(at)")
        #expect(snapshot.series["runtime_assets_supply{asset_id=\"1337\",chain=\"\(chain)\"}"] == nil)
        // KSM, a foreign asset listed by its location (12 decimals).
        let kusama = try #require(truth["foreign_assets"]?["assets"]?["2/GlobalConsensus(Kusama)"])
        let kusamaSupply = try #require(kusama["supply"]?.stringValue.flatMap { UInt128($0) })
        let foreign = "asset=\"2/GlobalConsensus(Kusama)\",chain=\"\(chain)\""
        #expect(snapshot.series["runtime_foreign_assets_supply{\(foreign)}"] == TokenAmount(planck: kusamaSupply, decimals: 12).description, "KSM supply \(at)")
        #expect(snapshot.series["runtime_foreign_assets_holders{\(foreign)}"] == number(kusama["holders"]), "KSM holders \(at)")
        let phase = try #require(election["phase"]?.stringValue)
        let phaseSeries = snapshot.series.keys.filter { $0.hasPrefix("runtime_election_phase{chain=\"\(chain)\"") }
        #expect(phaseSeries == ["runtime_election_phase{chain=\"\(chain)\",phase=\"\(phase)\"}"], "phase \(at)")
        guard case let .object(pools)? = truth["pools"] else { Issue.record("devnode_truth has no pools"); return }
        for pool in pools {
            // A pool stakes through DelegatedStaking here: its balance is its agent's delegated total.
            #expect(snapshot.series["runtime_nomination_pool_balance_tokens{chain=\"\(chain)\",pool=\"\(pool.key)\"}"] == tokens(pool.value["balance"]), "pool \(pool.key) \(at)")
        }
    }

    /// substrate-interface, an independent Substrate client, reads the Asset Hub devnode's block,
    /// events and staking storage at the scraped block and agrees with the exporter.
    static func refereeAgrees(_ hub: DevnodeProcess, snapshot: MetricsSnapshot) async throws {
        let script = """
            import json, sys
            from substrateinterface import SubstrateInterface
            s = SubstrateInterface(url=sys.argv[1])
            h = s.get_block_hash(int(sys.argv[2]))
            block = s.get_block(block_hash=h)
            era = s.query("Staking", "ActiveEra", block_hash=h).value["index"]
            own = total = 0
            validators = 0
            for _, exposure in s.query_map("Staking", "ErasStakersOverview", [era], block_hash=h, page_size=100):
                own += exposure.value["own"]; total += exposure.value["total"]; validators += 1
            points = s.query("Staking", "ErasRewardPoints", [era], block_hash=h).value
            phase = s.query("MultiBlockElection", "CurrentPhase", block_hash=h).value
            print(json.dumps({
                "first_call": block["extrinsics"][0].value["call"]["call_function"],
                "events": len(s.get_events(block_hash=h)),
                "own": str(own), "others": str(total - own), "validators": validators, "points": points["total"],
                "round": s.query("MultiBlockElection", "Round", block_hash=h).value,
                "phase": phase if isinstance(phase, str) else list(phase.keys())[0],
                "agents": s.query("DelegatedStaking", "CounterForAgents", block_hash=h).value,
                "asset_supply": str(s.query("Assets", "Asset", [1984], block_hash=h).value["supply"]),
                "asset_holders": sum(1 for _ in s.query_map("Assets", "Account", [1984], block_hash=h, page_size=100)),
                "asset_transfers": sum(1 for e in s.get_events(block_hash=h) if e.value["module_id"] == "Assets" and e.value["event_id"] == "Transferred"),
            }))
            """
        let output = try await PythonReferee.run(script, arguments: [hub.webSocketURL, String(snapshot.block)])
        let referee = try JSON.parse(output)
        let at = "at block \(snapshot.block)"
        #expect(referee["first_call"]?.stringValue == "set_validation_data", "a collator's block starts with the validation data \(at)")
        #expect((referee["events"]?.uint64Value ?? 0) > 0)
        for (metric, field) in [("runtime_staking_era_own_stake_tokens", "own"), ("runtime_staking_era_nominator_stake_tokens", "others")] {
            #expect(snapshot.values[metric] == referee[field]?.stringValue.flatMap { UInt128($0) }.map { TokenAmount(planck: $0, decimals: 10).description }, "\(metric) \(at)")
        }
        for (metric, field) in [
            ("runtime_staking_active_validators", "validators"), ("runtime_staking_era_reward_points", "points"),
            ("runtime_election_round", "round"), ("runtime_delegated_staking_agents", "agents"),
        ] {
            #expect(snapshot.values[metric] == referee[field]?.uint64Value.map { String($0) }, "\(metric) \(at)")
        }
        // Asset Hub's assets as substrate-interface reads them are the devnode's.
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: hub.httpURL), timeout: .seconds(20))
        let truth = try await client.call("devnode_truth", [.string(try #require(try await client.chainGetBlockHash(snapshot.block)))])
        let asset = try #require(truth["assets"]?["1984"])
        #expect(referee["asset_supply"]?.stringValue == asset["supply"]?.stringValue, "asset supply \(at)")
        #expect(referee["asset_holders"]?.uint64Value == asset["holders"]?.uint64Value, "asset holders \(at)")
        let phase = try #require(referee["phase"]?.stringValue)
        #expect(snapshot.series["runtime_election_phase{chain=\"\(chain)\",phase=\"\(phase)\"}"] == "1", "phase \(phase) \(at)")
    }

    /// History of an Asset Hub across an upgrade from one Asset Hub runtime to another (Kusama
    /// Asset Hub 1007001, V15, to 2003000, V16): both sides decoded, and the rows of staking,
    /// election, pool and delegated-staking metrics equal to those following stored.
    @Test func historyAcrossAnAssetHubUpgradeGivesTheRowsFollowingGave() async throws {
        let genesis = ChainData.url("metadata/statemine_1007001_v15.scale").path
        let upgrade = ChainData.url("metadata/statemine_2003000_v16.scale").path
        let node = try await DevnodeProcess.launch([
            "--metadata", genesis, "--upgrade-at", "24:\(upgrade)", "--history", "12", "--block-time", "0.25", "--finality-lag", "1",
        ])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asset-hub-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = try await StoreUnderTest.make(.sqlite, in: directory, name: "live")
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--store", live.argument])
        _ = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "statemine", atLeast: 34)
        await exporter.server.stopAndWait()
        let liveBlocks = try #require(try await live.dump(metrics: ["system_block_number"])["samples"]?.arrayValue?.compactMap { $0.arrayValue?[2].uint64Value })
        let range = try #require(liveBlocks.first.map { $0 + 1 })...(try #require(liveBlocks.last))
        #expect(range.contains(24), "following crossed the upgrade: \(range)")

        let loaded = try await StoreUnderTest.make(.sqlite, in: directory, name: "loaded")
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", String(range.lowerBound), "--to", String(range.upperBound),
            "--store", loaded.argument, "--chunk", "8",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let metrics = [
            "staking_era_total_stake_tokens", "staking_era_own_stake_tokens", "staking_active_validators", "staking_era_reward_points",
            "staking_previous_era_validator_reward_tokens", "staking_sessions_rotated_total", "staking_rewards_tokens_total",
            "election_round", "election_phase", "election_snapshot_voters", "election_queued_solution_sum_stake_tokens",
            "election_signed_submission_events_total", "election_verification_events_total", "nomination_pool_balance_tokens",
            "delegated_staking_agents", "system_runtime_info",
        ]
        let followed = try await live.dump(metrics: metrics, blocks: range)
        let history = try await loaded.dump(metrics: metrics, blocks: range)
        let rows = followed["samples"]?.arrayValue ?? []
        for metric in metrics {
            #expect(rows.contains { $0.arrayValue?.first?.stringValue == metric }, "following stored \(metric)")
        }
        // Both runtimes' blocks are there.
        let specs = Set(rows.filter { $0.arrayValue?.first?.stringValue == "system_runtime_info" }.compactMap { row in
            row.arrayValue?[1].stringValue.flatMap { try? JSON.parse($0)["spec_version"]?.stringValue }
        })
        #expect(specs == ["1007001", "2003000"], "\(specs)")
        #expect(history["samples"] == followed["samples"], "history and following disagree")
    }
}

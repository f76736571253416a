import ExactJSON
import Testing

extension ServeTests {
    /// What OpenGov and the treasury did between two scrapes, against the devnode's truth:
    /// referenda events per track and event, votes and delegations grew by as much; referenda
    /// submitted and the treasury's balance equal the truth at each scrape. Returns the
    /// referenda events and treasury movements seen (deposits, spends, payouts, burns).
    static func checkGovernance(from first: MetricsSnapshot, to second: MetricsSnapshot, truths: (JSON, JSON), chain: String) throws -> (referenda: UInt128, treasury: UInt128) {
        guard case let .object(tracks)? = truths.1["governance"]?["events"], truths.1["treasury"] != nil else {
            Issue.record("devnode_truth has no governance or treasury")
            return (0, 0)
        }
        func grew(_ name: String, decimals: Int = 0) -> UInt128 { second.grew(name, since: first, decimals: decimals) }
        func truthGrew(_ path: [String]) -> UInt128 { Self.truthGrew(truths, path) }
        let between = "between blocks \(first.block) and \(second.block)"
        var referenda: UInt128 = 0
        #expect(tracks.count == 2)
        for track in tracks {
            guard case let .object(events) = track.value else { continue }
            for event in events.map(\.key) {
                let name = "runtime_referenda_events_total{chain=\"\(chain)\",event=\"\(event)\",track=\"\(track.key)\"}"
                #expect(grew(name) == truthGrew(["governance", "events", track.key, event]), "\(name) \(between)")
                referenda += truthGrew(["governance", "events", track.key, event])
            }
        }
        for (metric, field) in [("votes", "votes"), ("votes_removed", "votes_removed"), ("delegations", "delegations"), ("undelegations", "undelegations")] {
            let name = "runtime_conviction_\(metric)_total{chain=\"\(chain)\"}"
            #expect(grew(name) == truthGrew(["governance", field]), "\(name) \(between)")
        }
        var treasury: UInt128 = 0
        for (metric, field, decimals) in [
            ("deposits_tokens", "deposits", 10), ("spends_approved", "spends_approved", 0), ("spends_approved_tokens", "spends_approved_amount", 10),
            ("asset_spends_approved", "asset_spends_approved", 0), ("awarded_tokens", "awarded", 10), ("payouts", "paid", 0), ("burnt_tokens", "burnt", 10),
        ] {
            let name = "runtime_treasury_\(metric)_total{chain=\"\(chain)\"}"
            #expect(grew(name, decimals: decimals) == truthGrew(["treasury", field]), "\(name) \(between)")
            treasury += truthGrew(["treasury", field])
        }
        for (snapshot, truth) in [(first, truths.0), (second, truths.1)] {
            #expect(snapshot.series["runtime_referenda_submitted{chain=\"\(chain)\"}"] == truth["governance"]?["submitted"]?.uint64Value.map { String($0) }, "at block \(snapshot.block)")
            let balance = try #require(truth["treasury"]?["balance"]?.stringValue.flatMap { UInt128($0) })
            #expect(snapshot.series["runtime_treasury_balance_tokens{chain=\"\(chain)\"}"].flatMap { MetricsSnapshot.planck($0, decimals: 10) } == balance, "treasury at block \(snapshot.block)")
            // The last rollover, once a spend period ended while the exporter followed.
            if let rollover = snapshot.series["runtime_treasury_rollover_tokens{chain=\"\(chain)\"}"] {
                #expect(MetricsSnapshot.planck(rollover, decimals: 10) == truth["treasury"]?["rollover"]?.stringValue.flatMap { UInt128($0) }, "rollover at block \(snapshot.block)")
            }
        }
        return (referenda, treasury)
    }

    /// Referenda ongoing, deciding and confirming per track, and the capital behind votes and
    /// delegations per conviction, read on a schedule: equal to the truth at the block of their read.
    static func checkScheduledGovernance(_ snapshot: MetricsSnapshot, truths: (referenda: JSON, voting: JSON), chain: String) {
        let governance = truths.referenda["governance"]
        for status in ["ongoing", "deciding", "confirming"] {
            guard case let .object(tracks)? = governance?[status] else { Issue.record("devnode_truth has no governance \(status)"); continue }
            for track in tracks {
                let name = "runtime_referenda_\(status){chain=\"\(chain)\",track=\"\(track.key)\"}"
                #expect(snapshot.series[name] == track.value.uint64Value.map { String($0) }, "\(name)")
            }
            // Every other track of the runtime reads 0.
            let others = snapshot.series.filter { series in
                series.key.hasPrefix("runtime_referenda_\(status){chain=\"\(chain)\"") && !tracks.contains { series.key.contains("track=\"\($0.key)\"") }
            }
            #expect(others.count >= 10 && others.values.allSatisfy { $0 == "0" }, "\(status) on other tracks: \(others)")
        }
        for (metric, field) in [("votes", "votes_capital"), ("delegations", "delegated_capital")] {
            guard case let .object(byConviction)? = truths.voting["governance"]?[field] else { Issue.record("devnode_truth has no \(field)"); continue }
            #expect(byConviction.count == 7)
            for conviction in byConviction {
                let name = "runtime_conviction_voting_\(metric)_tokens{chain=\"\(chain)\",conviction=\"\(conviction.key)\"}"
                #expect(snapshot.series[name].flatMap { MetricsSnapshot.planck($0, decimals: 10) } == conviction.value.stringValue.flatMap { UInt128($0) }, "\(name)")
            }
        }
    }
}

import ExactJSON
import SCALE

/// `devnode_truth(hash)`: what the devnode itself did up to a block, straight from the state it
/// built the chain from (not read back from storage), for tests to compare an exporter with.
/// Amounts are planck, as decimal text.
enum DevnodeTruth {
    static func json(_ block: DevChain.Block, runtime: DevRuntime) -> JSON {
        let state = block.state
        let xcm = state.xcmSent.sorted { $0.key < $1.key }.map { destination, sent in
            JSON.Member(String(destination), .object(["transfers": .string(String(sent.transfers)), "tokens": .string(String(sent.tokens))]))
        }
        let pools = state.pools.pools.sorted { $0.key < $1.key }.map { id, pool in
            let unbonding = state.pools.unbonding(id).values.reduce(0, +)
            return JSON.Member(String(id), .object([
                "members": .string(String(pool.members)), "points": .string(String(pool.points)),
                "balance": .string(String(state.poolBalance(id))),
                "unbonding": .string(String(unbonding)), "pending_rewards": .string(String(pool.rewards - pool.commissionPending)),
            ]))
        }
        let exposures = state.staking.exposures.values
        let own = exposures.reduce(UInt128(0)) { $0 + $1.own }
        let total = exposures.reduce(UInt128(0)) { $0 + $1.total }
        return .object([
            "number": .number(block.number), "hash": .string(block.hash), "xcm": .object(xcm), "pools": .object(pools),
            "staking": .object([
                "era": .number(state.staking.activeEra), "total": .string(String(state.staking.erasTotalStake[state.staking.activeEra] ?? 0)),
                "own": .string(String(own)), "others": .string(String(total - own)), "active_validators": .number(state.staking.validators.count),
                "nominator_backings": .number(exposures.reduce(0) { $0 + Int($1.nominators) }),
            ]),
            "staking_async": runtime.isStakingAsync ? stakingAsync(state) : .null,
            "multi_block_election": runtime.isStakingAsync ? multiBlock(state.multiBlock) : .null,
            "delegated_staking": runtime.isStakingAsync ? .object([
                "agents": .number(state.pools.pools.count), "delegators": .number(state.pools.members.count),
                "delegated": .string(String(state.pools.pools.keys.reduce(UInt128(0)) { $0 + state.poolBalance($1) })),
                "delegations": .string(String(state.delegatedStaking.delegated)), "released": .string(String(state.delegatedStaking.released)),
            ]) : .null,
            "issuance": .string(String(state.issuance)),
            "parachains": runtime.includesParachains ? parachains(state.parachains) : .null,
            "xcm_queue": runtime.processesMessages ? messageQueue(state.messageQueue) : .null,
            "assets": runtime.hasAssets ? .object([JSON.Member(String(DevRuntime.assetID), ledger(state.assets))]) : .null,
            "governance": runtime.hasGovernance ? governance(state.governance, tracks: runtime.governanceTracks) : .null,
            "treasury": runtime.hasTreasury ? treasury(state, runtime: runtime) : .null,
            "collation": runtime.isParachain ? collation(block.number, runtime: runtime) : .null,
            "foreign_assets": runtime.hasForeignAssets ? foreignAssets(state) : .null,
            "election": election(state.election),
            "voter_list": voterList(state, thresholds: runtime.bagThresholds),
            "ledgers": .object([
                "bonded_accounts": .number(state.staking.bonded.count),
                "total": .string(String(state.staking.bonded.values.reduce(0, +) + state.pools.unbondingTotal)),
                "unbonding": .string(String(state.pools.unbondingTotal)),
            ]),
        ])
    }

    private static func stakingAsync(_ state: DevRuntime.State) -> JSON {
        let staking = state.staking
        let previous = staking.activeEra > 0 ? staking.validatorRewards[staking.activeEra - 1] : nil
        return .object([
            "era_points": .number(staking.points.values.reduce(0, +)), "era_points_validators": .number(staking.points.count),
            "previous_era_reward": previous.map { .string(String($0)) } ?? .null,
            "session_reports": .number(state.sessionReports), "offences": .number(state.offences),
            "slashes": .number(state.slashes.count), "slashed": .string(String(state.slashes.tokens)),
        ])
    }

    private static func multiBlock(_ election: MultiBlockState) -> JSON {
        let complete = MultiBlockState.snapshotComplete.contains(election.phase)
        func counts(_ events: [String: UInt64]) -> JSON {
            .object(events.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .number($0.value)) })
        }
        return .object([
            "round": .number(election.round), "phase": .string(election.phase),
            "snapshot_pages": .number(election.voterPages.count),
            "snapshot_voters": complete ? .number(election.voterPages.values.reduce(0) { $0 + $1.count }) : .null,
            "snapshot_targets": complete ? .number(election.targets.count) : .null,
            "desired_targets": election.desiredTargets.map { .number($0) } ?? .null,
            "queued": election.queued.map {
                .object(["minimal_stake": .string(String($0.minimalStake)), "sum_stake": .string(String($0.sumStake)), "sum_stake_squared": .string(String($0.sumStakeSquared))])
            } ?? .null,
            "signed_events": counts(election.signedEvents), "verification_events": counts(election.verificationEvents),
            "transitions": .number(election.transitions),
        ])
    }

    private static func election(_ election: ElectionState) -> JSON {
        func submission(_ last: (block: UInt64, length: Int, weight: UInt64)?) -> JSON {
            last.map { .object(["block": .number($0.block), "length": .number($0.length), "weight": .number($0.weight)]) } ?? .null
        }
        return .object([
            "snapshot": election.snapshot.map { .object(["voters": .number($0.voters), "targets": .number($0.targets)]) } ?? .null,
            "queued": election.queued.map { .object(["minimal_stake": .string(String($0.minimalStake)), "sum_stake": .string(String($0.sumStake))]) } ?? .null,
            "last_signed": submission(election.lastSigned), "last_unsigned": submission(election.lastUnsigned),
            "signed_submissions": .number(election.signedSubmissions), "unsigned_submissions": .number(election.unsignedSubmissions),
            "round": .number(election.round), "phase": .string(election.phase),
        ])
    }

    /// Per parachain: candidates backed, included and timed out, upward messages; on-demand
    /// orders and the spot prices paid, per parachain ordered for.
    private static func parachains(_ parachains: ParachainsState) -> JSON {
        .object([
            "active": .number(DevRuntime.parachainIDs.count), "cores": .number(DevRuntime.parachainIDs.count),
            "backing_validators": .number(DevRuntime.parachainIDs.count * DevRuntime.backingGroupSize),
            "candidates": .object(parachains.candidates.sorted { $0.key < $1.key }.map { para, counts in
                JSON.Member(String(para), .object([
                    "backed": .number(counts.backed), "included": .number(counts.included), "timed_out": .number(counts.timedOut),
                    "upward_messages": .number(counts.upwardMessages),
                ]))
            }),
            "on_demand": .object(parachains.onDemand.sorted { $0.key < $1.key }.map { para, orders in
                JSON.Member(String(para), .object(["orders": .number(orders.orders), "spent": .string(String(orders.spent))]))
            }),
        ])
    }

    /// Referenda: submitted, lifecycle events by track name and event, ongoing, deciding and
    /// confirming by track name; votes and delegations made, and the capital behind the votes
    /// held and the delegations, by conviction.
    private static func governance(_ governance: GovernanceState, tracks: [(id: UInt16, name: String)]) -> JSON {
        func byTrack(_ count: (UInt16) -> Int) -> JSON {
            .object(tracks.map { JSON.Member($0.name, .number(count($0.id))) })
        }
        var votes = [String: UInt128](), delegations = [String: UInt128]()
        for vote in governance.votes.values.flatMap({ $0.values.flatMap { $0 } }) { votes[DevRuntime.convictions[vote.conviction], default: 0] += vote.balance }
        for delegation in governance.delegations.values.flatMap(\.values) {
            delegations[DevRuntime.convictions[delegation.conviction], default: 0] += delegation.balance
        }
        func amounts(_ byConviction: [String: UInt128]) -> JSON {
            .object(DevRuntime.convictions.map { JSON.Member($0, .string(String(byConviction[$0, default: 0]))) })
        }
        let ongoing = governance.ongoing.values
        return .object([
            "submitted": .number(governance.count),
            "events": .object(tracks.map { track in
                JSON.Member(track.name, .object((governance.events[track.id] ?? [:]).sorted { $0.key < $1.key }.map { JSON.Member($0.key, .number($0.value)) }))
            }),
            "ongoing": byTrack { id in ongoing.filter { $0.track == id }.count },
            "deciding": byTrack { id in ongoing.filter { $0.track == id && $0.decidingSince != nil }.count },
            "confirming": byTrack { id in ongoing.filter { $0.track == id && $0.confirmingSince != nil }.count },
            "votes": .number(governance.voted), "votes_removed": .number(governance.votesRemoved),
            "delegations": .number(governance.delegated), "undelegations": .number(governance.undelegated),
            "votes_capital": amounts(votes), "delegated_capital": amounts(delegations),
        ])
    }

    /// KSM on Asset Hub by its label text, and swaps by the label texts of the assets paid in and
    /// received (`1/Here→0/PalletInstance(50)/GeneralIndex(1984)`), amounts in their smallest units.
    private static func foreignAssets(_ state: DevRuntime.State) -> JSON {
        .object([
            "assets": .object([JSON.Member(DevRuntime.kusamaLabel, ledger(state.foreignAssets))]),
            "swaps": .object(state.swaps.sorted { $0.key < $1.key }.map { pair, swaps in
                JSON.Member(pair, .object(["count": .number(swaps.count), "amount_in": .string(String(swaps.amountIn)), "amount_out": .string(String(swaps.amountOut))]))
            }),
        ])
    }

    /// An asset's supply and holders, and what moved it (amounts in its smallest unit).
    private static func ledger(_ ledger: AssetLedger) -> JSON {
        .object([
            "supply": .string(String(ledger.supply)), "holders": .number(ledger.balances.count),
            "transfers": .number(ledger.transfers), "transfer_calls": .number(ledger.transferCalls), "transferred": .string(String(ledger.transferred)),
            "issued": .string(String(ledger.issued)), "burned": .string(String(ledger.burned)),
        ])
    }

    /// A parachain's relay parent and collators, as the block stores them.
    private static func collation(_ number: UInt64, runtime: DevRuntime) -> JSON {
        let candidates = runtime.collatorCandidates(at: number)
        return .object([
            "relay_parent": .number(DevRuntime.relayParent(of: number)), "invulnerables": .number(runtime.invulnerables.count),
            "candidates": .number(candidates.count), "candidates_bonded": .string(String(candidates.reduce(0) { $0 + $1.deposit })),
            "desired_candidates": .number(DevRuntime.desiredCandidates), "session_validators": .number(runtime.invulnerables.count + candidates.count),
        ])
    }

    /// The treasury's balance and what went through it, amounts in planck.
    private static func treasury(_ state: DevRuntime.State, runtime: DevRuntime) -> JSON {
        let treasury = state.governance.treasury
        return .object([
            "balance": .string(String(state.free[DevRuntime.treasury, default: 0])), "deposits": .string(String(treasury.deposits)),
            "spends_approved": .number(treasury.spendsApproved), "spends_approved_amount": .string(String(treasury.spendsApprovedAmount)),
            "asset_spends_approved": .number(treasury.assetSpendsApproved), "awarded": .string(String(treasury.awarded)),
            "paid": .number(treasury.paid), "burnt": .string(String(treasury.burnt)),
            "rollover": treasury.rollover.map { .string(String($0)) } ?? .null,
        ])
    }

    /// XCM messages processed by origin and outcome (`true`/`false`), failed and overweight by
    /// origin, XCMP messages sent, downward messages received.
    private static func messageQueue(_ queue: MessageQueueState) -> JSON {
        func counts(_ byOrigin: [String: UInt64]) -> JSON {
            .object(byOrigin.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .number($0.value)) })
        }
        return .object([
            "processed": .object(queue.processed.sorted { $0.key < $1.key }.map { JSON.Member($0.key, counts($0.value)) }),
            "failed": counts(queue.failed), "overweight": counts(queue.overweight),
            "xcmp_sent": .number(queue.xcmpSent), "downward_received": .number(queue.downwardReceived),
        ])
    }

    private static func voterList(_ state: DevRuntime.State, thresholds: [UInt64]) -> JSON {
        var nodes = [UInt64: Int]()
        var misplaced = 0
        for (voter, bag) in state.voterBags {
            nodes[bag, default: 0] += 1
            if DevRuntime.bag(for: DevRuntime.score(state.staking.bonded[voter, default: 0]), thresholds: thresholds) != bag { misplaced += 1 }
        }
        let bags = thresholds.count + (thresholds.last == UInt64.max ? 0 : 1)
        return .object([
            "bags_active": .number(nodes.count), "bags_empty": .number(bags - nodes.count), "needing_rebag": .number(misplaced),
            "nodes": .object(nodes.sorted { $0.key < $1.key }.map { JSON.Member(String($0.key), .number($0.value)) }),
        ])
    }
}

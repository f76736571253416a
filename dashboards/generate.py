#!/usr/bin/env python3
"""Writes the Grafana dashboards in this directory from the panel lists below.

    python3 dashboards/generate.py           # rewrite the JSON files
    python3 dashboards/generate.py --check   # exit 1 if a JSON file differs from what it would write

Prometheus dashboards take the data source from the `datasource` variable and the chain from
`chain`; history dashboards query the PostgreSQL store (the SQL of the README's "SQL over the
store") through the `history` data source variable. Only standard Grafana macros are used:
$__timeFilter, $__timeGroupAlias, $__interval, $__range, $__rate_interval.
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}
POSTGRES = {"type": "grafana-postgresql-datasource", "uid": "${history}"}
C = 'chain="$chain"'
# Names a per-parachain series (by para_id) from the parachain_info table.
NAMED = f" * on (para_id) group_left (name) max by (para_id, name) (runtime_parachain_info{{{C}}})"


def prom_variables():
    return [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "current": {}, "hide": 0},
        {
            "name": "chain", "label": "Chain", "type": "query", "datasource": PROMETHEUS,
            "definition": "label_values(runtime_system_block_number, chain)",
            "query": {"query": "label_values(runtime_system_block_number, chain)", "refId": "chain"},
            "refresh": 2, "sort": 1, "includeAll": False, "multi": False, "current": {}, "hide": 0,
        },
    ]


def parachain_variables():
    """A parachain (a chain with a relay parent) and the relay chain it is compared with (a chain with parachains)."""
    datasource, chain = prom_variables()
    chain = dict(chain, definition="label_values(runtime_parachain_relay_parent_number, chain)",
                 query={"query": "label_values(runtime_parachain_relay_parent_number, chain)", "refId": "chain"})
    relay = dict(chain, name="relay", label="Relay chain", definition="label_values(runtime_parachains_active, chain)",
                 query={"query": "label_values(runtime_parachains_active, chain)", "refId": "relay"})
    return [datasource, chain, relay]


def sql_variables():
    return [
        {"name": "history", "label": "History store", "type": "datasource", "query": "grafana-postgresql-datasource", "current": {}, "hide": 0},
        {
            "name": "chain", "label": "Chain", "type": "query", "datasource": POSTGRES,
            "definition": "SELECT DISTINCT chain FROM series ORDER BY 1",
            "query": "SELECT DISTINCT chain FROM series ORDER BY 1",
            "refresh": 2, "sort": 1, "includeAll": False, "multi": False, "current": {}, "hide": 0,
        },
    ]


def prom(title, *exprs, unit="short", kind="timeseries", width=12, height=8, description=None):
    """A panel of PromQL expressions, each (expr, legend)."""
    targets = [{"refId": chr(65 + i), "expr": e, "legendFormat": legend, "datasource": PROMETHEUS} for i, (e, legend) in enumerate(exprs)]
    panel = {"type": kind, "title": title, "datasource": PROMETHEUS, "targets": targets,
             "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "w": width, "h": height}
    if kind == "table":
        # The latest value of each series, one row each.
        for target in targets:
            target.update({"format": "table", "instant": True})
    if kind == "stat":
        panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "colorMode": "none", "graphMode": "area", "textMode": "value_and_name" if any(l for _, l in exprs) else "value"}
    if description:
        panel["description"] = description
    return panel


def sql(title, query, unit="short", kind="timeseries", width=12, height=8, fmt="time_series", description=None):
    panel = {"type": kind, "title": title, "datasource": POSTGRES,
             "targets": [{"refId": "A", "datasource": POSTGRES, "rawQuery": True, "editorMode": "code", "format": fmt, "rawSql": query.strip()}],
             "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "w": width, "h": height}
    if description:
        panel["description"] = description
    return panel


def dashboard(uid, title, description, variables, panels, time_from="now-6h"):
    x = y = row_height = 0
    laid = []
    for number, panel in enumerate(panels, start=1):
        width, height = panel.pop("w"), panel.pop("h")
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        panel["id"] = number
        panel["gridPos"] = {"x": x, "y": y, "w": width, "h": height}
        laid.append(panel)
        x += width
        row_height = max(row_height, height)
    return {
        "uid": uid, "title": title, "description": description, "tags": ["runtime-exporter", "substrate"],
        "editable": True, "graphTooltip": 1, "timezone": "utc", "schemaVersion": 39, "version": 1,
        "refresh": "30s" if variables is prom_variables else "", "time": {"from": time_from, "to": "now"},
        "templating": {"list": variables()}, "annotations": {"list": []}, "links": [
            {"title": "runtime-exporter", "type": "dashboards", "tags": ["runtime-exporter"], "asDropdown": True, "includeVars": True, "keepTime": True}
        ],
        "panels": laid,
    }


RATE = "[$__rate_interval]"

# A metric's samples in the store, bucketed: the README's "SQL over the store".
def bucketed(aggregate, metric, label=None, extra=""):
    series = f"s.labels->>'{label}' AS metric, " if label else ""
    group = "1, 2" if label else "1"
    return f"""
SELECT $__timeGroupAlias(x.time, $__interval), {series}{aggregate}(x.value) AS value
FROM samples x JOIN series s ON s.id = x.series_id
WHERE s.metric = '{metric}' AND s.chain = '$chain' AND $__timeFilter(x.time){extra}
GROUP BY {group}
ORDER BY 1"""


DASHBOARDS = {
    "chain-overview": dashboard(
        "rtexp-chain-overview", "Substrate chain overview",
        "Blocks, block time, weight and length per class, runtime version and upgrades (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Finalized block", (f"runtime_system_block_number{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Best block", (f"runtime_system_best_block_number{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Runtime", (f"runtime_system_runtime_info{{{C}}}", "{{spec_name}} {{spec_version}}"), kind="stat", width=6, height=4),
            prom("Runtime upgrades in range", (f"increase(runtime_system_runtime_upgrades_total{{{C}}}[$__range])", ""), kind="stat", width=6, height=4),
            prom("Blocks per minute", (f"rate(runtime_system_block_time_seconds_count{{{C}}}{RATE}) * 60", "blocks/min")),
            prom("Block time", (f"rate(runtime_system_block_time_seconds_sum{{{C}}}{RATE}) / rate(runtime_system_block_time_seconds_count{{{C}}}{RATE})", "mean"),
                 (f"histogram_quantile(0.95, sum by (le) (rate(runtime_system_block_time_seconds_bucket{{{C}}}{RATE})))", "p95"), unit="s"),
            prom("Block weight per class (ref_time)", (f"runtime_system_block_weight_seconds{{{C}}}", "{{class}}"), unit="s"),
            prom("Block length", (f"runtime_system_block_length_bytes{{{C}}}", "length"), unit="bytes"),
            prom("Runtime version", (f"runtime_system_runtime_info{{{C}}}", "{{spec_name}} {{spec_version}}"), kind="state-timeline"),
            prom("Runtime upgrades", (f"runtime_system_runtime_upgrades_total{{{C}}}", "upgrades seen")),
            prom("Largest storage items", (f"topk(10, runtime_system_storage_size_bytes{{{C}}})", "{{pallet}}.{{item}}"), unit="bytes", width=24),
        ]),
    "balances-fees": dashboard(
        "rtexp-balances-fees", "Substrate balances and fees",
        "Total issuance, fees, tips, the fee multiplier and transfers (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Total issuance", (f"runtime_balances_total_issuance_tokens{{{C}}}", ""), kind="stat", width=8, height=4),
            prom("Fees in range", (f"increase(runtime_transaction_payment_fees_tokens_total{{{C}}}[$__range])", ""), kind="stat", width=8, height=4),
            prom("Existential deposit", (f"runtime_balances_existential_deposit_tokens{{{C}}}", ""), kind="stat", width=8, height=4),
            prom("Total issuance", (f"runtime_balances_total_issuance_tokens{{{C}}}", "issuance")),
            prom("Issuance change per hour", (f"deriv(runtime_balances_total_issuance_tokens{{{C}}}[5m]) * 3600", "tokens/hour")),
            prom("Fees and tips per minute", (f"rate(runtime_transaction_payment_fees_tokens_total{{{C}}}{RATE}) * 60", "fees (tips included)"),
                 (f"rate(runtime_transaction_payment_tips_tokens_total{{{C}}}{RATE}) * 60", "tips")),
            prom("Next fee multiplier", (f"runtime_transaction_payment_next_fee_multiplier_ratio{{{C}}}", "multiplier")),
            prom("Transfers per minute", (f'sum(rate(runtime_events_total{{{C}, pallet="Balances", event="Transfer"}}{RATE})) * 60', "Balances.Transfer")),
            prom("Balances events per minute", (f'sum by (event) (rate(runtime_events_total{{{C}, pallet="Balances"}}{RATE})) * 60', "{{event}}")),
        ]),
    "staking-pools": dashboard(
        "rtexp-staking-pools", "Substrate staking, elections and pools",
        "Eras, stake, reward points and rewards, slashes, the election phase by phase (multi-block or single), "
        "nomination pools and delegated staking. Since the Asset Hub migration, point it at Asset Hub (statemint, statemine) "
        "for Polkadot's and Kusama's staking (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Active era", (f"runtime_staking_active_era{{{C}}}", ""), kind="stat", width=4, height=4),
            prom("Active validators", (f"runtime_staking_active_validators{{{C}}}", ""), kind="stat", width=4, height=4),
            prom("Election phase", (f"runtime_election_phase{{{C}}} == 1", "{{phase}}"), kind="stat", width=4, height=4),
            prom("Election round", (f"runtime_election_round{{{C}}}", ""), kind="stat", width=4, height=4),
            prom("Pools", (f"runtime_nomination_pools_pools{{{C}}}", ""), kind="stat", width=4, height=4),
            prom("Value locked in pools", (f"runtime_nomination_pools_value_locked_tokens{{{C}}}", ""), kind="stat", width=4, height=4),
            prom("Era stake", (f"runtime_staking_era_total_stake_tokens{{{C}}}", "total"), (f"runtime_staking_era_own_stake_tokens{{{C}}}", "validators' own"),
                 (f"runtime_staking_era_nominator_stake_tokens{{{C}}}", "nominators'")),
            prom("Intentions", (f"runtime_staking_validator_intentions{{{C}}}", "validators"), (f"runtime_staking_nominator_intentions{{{C}}}", "nominators"),
                 (f"runtime_staking_active_nominator_backings{{{C}}}", "active nominator backings")),
            prom("Era reward points", (f"runtime_staking_era_reward_points{{{C}}}", "points"), (f"runtime_staking_era_rewarded_validators{{{C}}}", "validators with points")),
            prom("Rewards", (f"rate(runtime_staking_rewards_tokens_total{{{C}}}{RATE}) * 3600", "paid per hour"),
                 (f"runtime_staking_previous_era_validator_reward_tokens{{{C}}}", "validators' reward of the previous era"),
                 (f"increase(runtime_staking_era_payout_tokens_total{{{C}}}[$__range])", "era payouts in range")),
            prom("Slashes and offences in range", (f"increase(runtime_staking_slashes_total{{{C}}}[$__range])", "slashes"),
                 (f"increase(runtime_staking_slashed_tokens_total{{{C}}}[$__range])", "tokens slashed"),
                 (f"increase(runtime_staking_offences_reported_total{{{C}}}[$__range])", "offences reported"),
                 description="Slashes applied (Staking.Slashed) and offences reported to staking (Staking.OffenceReported, staking-async runtimes)."),
            prom("Bonding flows per hour", (f"rate(runtime_staking_bonded_tokens_total{{{C}}}{RATE}) * 3600", "bonded"),
                 (f"rate(runtime_staking_unbonded_tokens_total{{{C}}}{RATE}) * 3600", "unbonded"),
                 (f"rate(runtime_staking_withdrawn_tokens_total{{{C}}}{RATE}) * 3600", "withdrawn")),
            prom("Eras and sessions in range", (f"increase(runtime_staking_eras_paid_total{{{C}}}[$__range])", "eras paid"),
                 (f"increase(runtime_staking_sessions_rotated_total{{{C}}}[$__range])", "sessions rotated"),
                 (f"increase(runtime_staking_session_reports_received_total{{{C}}}[$__range])", "session reports from the relay chain"),
                 description="Staking-async runtimes: sessions end on the relay chain, which reports each to Asset Hub (StakingRcClient.SessionReportReceived)."),
            prom("Ledgers", (f"runtime_staking_ledger_total_tokens{{{C}}}", "ledgers' total"), (f"runtime_staking_ledger_unbonding_tokens{{{C}}}", "unbonding"),
                 (f"runtime_staking_bonded_accounts{{{C}}}", "bonded accounts")),
            prom("Election phase", (f"runtime_election_phase{{{C}}} == 1", "{{phase}}"), kind="state-timeline", width=24, height=5,
                 description="One row per phase the election was in; a phase that lasts too long raises SubstrateElectionStuck."),
            prom("Election snapshot", (f"runtime_election_snapshot_voters{{{C}}}", "voters"), (f"runtime_election_snapshot_targets{{{C}}}", "targets"),
                 (f"runtime_election_desired_targets{{{C}}}", "desired targets"), (f"runtime_election_snapshot_pages{{{C}}}", "voter pages")),
            prom("Queued solution score", (f"runtime_election_queued_solution_minimal_stake_tokens{{{C}}}", "minimal stake"),
                 (f"runtime_election_queued_solution_sum_stake_tokens{{{C}}}", "sum of stake")),
            prom("Election submissions per hour", (f"sum by (kind) (rate(runtime_election_submissions_total{{{C}}}{RATE})) * 3600", "{{kind}}")),
            prom("Signed solutions and verification in range", (f"sum by (event) (increase(runtime_election_signed_submission_events_total{{{C}}}[$__range]))", "signed {{event}}"),
                 (f"sum by (event) (increase(runtime_election_verification_events_total{{{C}}}[$__range]))", "verifier {{event}}"), kind="bargauge"),
            prom("Voter list", (f"runtime_voter_list_active_bags{{{C}}}", "active bags"), (f"runtime_voter_list_empty_bags{{{C}}}", "empty bags"),
                 (f"runtime_voter_list_nodes_needing_rebag{{{C}}}", "nodes needing rebag")),
            prom("Delegated staking", (f"runtime_delegated_staking_agents{{{C}}}", "agents"), (f"runtime_delegated_staking_delegators{{{C}}}", "delegators")),
            prom("Delegated stake", (f"runtime_delegated_staking_delegated_tokens{{{C}}}", "delegated to agents"),
                 (f"increase(runtime_delegated_staking_delegations_tokens_total{{{C}}}[$__range])", "delegated in range"),
                 (f"increase(runtime_delegated_staking_released_tokens_total{{{C}}}[$__range])", "released in range")),
            prom("Pool members", (f"runtime_nomination_pools_members{{{C}}}", "all pools"), (f"topk(10, runtime_nomination_pool_members{{{C}}})", "pool {{pool}}")),
            prom("Largest pools by balance", (f"topk(10, runtime_nomination_pool_balance_tokens{{{C}}})", "pool {{pool}}")),
            prom("Pools' pending rewards and unbonding", (f"sum(runtime_nomination_pool_pending_rewards_tokens{{{C}}})", "pending rewards"),
                 (f"sum(runtime_nomination_pool_unbonding_tokens{{{C}}})", "unbonding"), width=24),
        ]),
    "xcm": dashboard(
        "rtexp-xcm", "Substrate XCM transfers",
        "Cross-chain transfers out of the chain by destination, and XCM events (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Transfers in range", (f"sum(increase(runtime_xcm_transfers_total{{{C}}}[$__range]))", ""), kind="stat", width=12, height=4),
            prom("Tokens sent in range", (f"sum(increase(runtime_xcm_transferred_tokens_total{{{C}}}[$__range]))", ""), kind="stat", width=12, height=4),
            prom("Transfers per hour by destination", (f"sum by (destination) (rate(runtime_xcm_transfers_total{{{C}}}{RATE})) * 3600", "to {{destination}}")),
            prom("Tokens sent per hour by destination", (f"sum by (destination) (rate(runtime_xcm_transferred_tokens_total{{{C}}}{RATE})) * 3600", "to {{destination}}")),
            prom("XCM messages processed per minute by origin", (f"sum by (origin) (rate(runtime_xcm_messages_processed_total{{{C}}}{RATE})) * 60", "{{origin}}"),
                 description="Messages the message queue processed: from the relay chain (Parent), sibling parachains (Sibling(id)), or, on a relay chain, parachains' upward messages (Ump(Para(id)))."),
            prom("XCM messages failing to execute per hour by origin", (f'sum by (origin) (rate(runtime_xcm_messages_processed_total{{{C}, success="false"}}{RATE})) * 3600', "{{origin}}")),
            prom("XCM events per minute", (f'sum by (pallet, event) (rate(runtime_events_total{{{C}, pallet=~"XcmPallet|PolkadotXcm|XTokens|XcmpQueue|DmpQueue|MessageQueue"}}{RATE})) * 60', "{{pallet}}.{{event}}"), width=24),
        ]),
    "parachains": dashboard(
        "rtexp-parachains", "Substrate parachains on the relay chain",
        "Parachain blocks backed, included and timed out per parachain (named from the parachain_info table), upward messages, on-demand coretime orders (runtime-exporter, Prometheus, relay chain).",
        prom_variables, [
            prom("Parachains active", (f"runtime_parachains_active{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Cores", (f"runtime_parachain_cores{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Validators backing parachains", (f"runtime_parachain_backing_validators{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Parachains included in range", (f"count(sum by (para_id) (increase(runtime_parachain_candidates_included_total{{{C}}}[$__range])) > 0)", ""), kind="stat", width=6, height=4),
            prom("Candidates timed out in range", (f"sum(increase(runtime_parachain_candidates_timed_out_total{{{C}}}[$__range]))", ""), kind="stat", width=8, height=4),
            prom("On-demand orders in range", (f"sum(increase(runtime_on_demand_orders_total{{{C}}}[$__range]))", ""), kind="stat", width=8, height=4),
            prom("Paid for on-demand cores in range", (f"sum(increase(runtime_on_demand_spent_tokens_total{{{C}}}[$__range]))", ""), kind="stat", width=8, height=4),
            prom("Blocks included per minute by parachain", (f"sum by (para_id) (rate(runtime_parachain_candidates_included_total{{{C}}}{RATE})) * 60{NAMED}", "{{name}}")),
            prom("Candidates backed per minute by parachain", (f"sum by (para_id) (rate(runtime_parachain_candidates_backed_total{{{C}}}{RATE})) * 60{NAMED}", "{{name}}")),
            prom("Share of backed candidates included", (
                f'(sum by (para_id) (rate(runtime_parachain_candidates_included_total{{{C}}}{RATE})) / sum by (para_id) ('
                f'label_replace(rate(runtime_parachain_candidates_included_total{{{C}}}{RATE}), "outcome", "included", "", "") or '
                f'label_replace(rate(runtime_parachain_candidates_timed_out_total{{{C}}}{RATE}), "outcome", "timed_out", "", ""))){NAMED}',
                "{{name}}"), unit="percentunit",
                description="Included against included plus timed out: a candidate whose data did not become available in time is dropped, and the parachain loses that block."),
            prom("Candidates timed out per hour by parachain", (f"sum by (para_id) (rate(runtime_parachain_candidates_timed_out_total{{{C}}}{RATE})) * 3600{NAMED}", "{{name}}")),
            prom("Upward messages per minute by parachain", (f"sum by (para_id) (rate(runtime_parachain_upward_messages_total{{{C}}}{RATE})) * 60{NAMED}", "{{name}}")),
            prom("On-demand orders per hour by parachain", (f"sum by (para_id) (rate(runtime_on_demand_orders_total{{{C}}}{RATE})) * 3600", "{{para_id}}"),
                 (f"sum by (para_id) (rate(runtime_on_demand_spent_tokens_total{{{C}}}{RATE})) * 3600", "{{para_id}} tokens paid"),
                 description="On-demand cores serve parachains without a core of their own, which the live parachains' names do not cover: by para id."),
            prom("Parachains", (f"max by (para_id, name) (runtime_parachain_info{{{C}}})", "{{para_id}} {{name}}"), kind="table", width=24,
                 description="The live parachains and their names (the parachain_info definition's table; a definition of your own by that name replaces it)."),
        ]),
    "parachain": dashboard(
        "rtexp-parachain", "Substrate parachain collation",
        "A parachain's own view: the relay chain block its blocks build on and how far behind the relay chain's finalized block it is, its collators and their bonds (runtime-exporter, Prometheus; follow the relay chain too for the lag).",
        parachain_variables, [
            prom("Relay parent", (f"runtime_parachain_relay_parent_number{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Relay parent lag", (f'max(runtime_system_block_number{{chain="$relay"}}) - max(runtime_parachain_relay_parent_number{{{C}}})', ""), kind="stat", width=6, height=4,
                 description="Relay chain blocks between the one the parachain's last finalized block built on and the relay chain's last finalized block."),
            prom("Collators in session", (f"runtime_session_validators{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Candidates bonded", (f"runtime_collator_candidates_bonded_tokens{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Relay parent lag", (f'max(runtime_system_block_number{{chain="$relay"}}) - max(runtime_parachain_relay_parent_number{{{C}}})', "blocks behind $relay")),
            prom("Blocks per minute", (f"rate(runtime_system_block_number{{{C}}}{RATE}) * 60", "parachain"),
                 (f'rate(runtime_parachain_relay_parent_number{{{C}}}{RATE}) * 60', "relay parents advanced"),
                 description="With asynchronous backing a parachain makes a block for each relay chain block."),
            prom("Collators", (f"runtime_collators_invulnerable{{{C}}}", "invulnerable"), (f"runtime_collator_candidates{{{C}}}", "candidates"),
                 (f"runtime_collators_desired_candidates{{{C}}}", "candidates wanted"), (f"runtime_session_validators{{{C}}}", "in session")),
            prom("Tokens bonded by candidates", (f"runtime_collator_candidates_bonded_tokens{{{C}}}", "bonded")),
        ]),
    "assets": dashboard(
        "rtexp-assets", "Substrate assets",
        "The assets listed in the definitions (USDT and USDC, and KSM among foreign assets, on Asset Hub): supply, holders, transfers, amounts issued and burned; swaps between listed assets (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Supply by asset", (f"runtime_assets_supply{{{C}}}", "{{asset_id}}")),
            prom("Holders by asset", (f"runtime_assets_holders{{{C}}}", "{{asset_id}}")),
            prom("Transfers per minute by asset", (f"sum by (asset_id) (rate(runtime_assets_transfers_total{{{C}}}{RATE})) * 60", "{{asset_id}}")),
            prom("Amount transferred per hour by asset", (f"sum by (asset_id) (rate(runtime_assets_transferred_total{{{C}}}{RATE})) * 3600", "{{asset_id}}")),
            prom("Issued and burned per hour by asset", (f"sum by (asset_id) (rate(runtime_assets_issued_total{{{C}}}{RATE})) * 3600", "{{asset_id}} issued"),
                 (f"sum by (asset_id) (rate(runtime_assets_burned_total{{{C}}}{RATE})) * 3600", "{{asset_id}} burned"), width=24,
                 description="Issued: brought in (teleports and reserve transfers from other chains); burned: sent away or paid as fees."),
            prom("Foreign assets: supply", (f"runtime_foreign_assets_supply{{{C}}}", "{{asset}}"),
                 description="Assets of other chains listed by XCM location (2/GlobalConsensus(Kusama) is KSM), in whole units."),
            prom("Foreign assets: holders", (f"runtime_foreign_assets_holders{{{C}}}", "{{asset}}")),
            prom("Foreign assets: transfers per minute", (f"sum by (asset) (rate(runtime_foreign_assets_transfers_total{{{C}}}{RATE})) * 60", "{{asset}}")),
            prom("Foreign assets: issued and burned per hour", (f"sum by (asset) (rate(runtime_foreign_assets_issued_total{{{C}}}{RATE})) * 3600", "{{asset}} issued"),
                 (f"sum by (asset) (rate(runtime_foreign_assets_burned_total{{{C}}}{RATE})) * 3600", "{{asset}} burned"),
                 description="Issued: arrived from its own chain (over a bridge, for another consensus system's); burned: sent back."),
            prom("Swaps per hour by pair", (f"sum by (asset_in, asset_out) (rate(runtime_asset_conversion_swaps_total{{{C}}}{RATE})) * 3600", "{{asset_in}} → {{asset_out}}"), width=24,
                 description="Swaps through Asset Hub's pools between listed assets (1/Here is the relay chain's token), fee payments in another asset included."),
        ]),
    "governance": dashboard(
        "rtexp-governance", "Substrate OpenGov and treasury",
        "Referenda by track and outcome, ongoing and deciding referenda, votes and delegations by conviction, the treasury's balance, income and spending (runtime-exporter, Prometheus; Asset Hub since the migration).",
        prom_variables, [
            prom("Referenda submitted", (f"runtime_referenda_submitted{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Referenda ongoing", (f"sum(runtime_referenda_ongoing{{{C}}})", ""), kind="stat", width=6, height=4),
            prom("Referenda deciding", (f"sum(runtime_referenda_deciding{{{C}}})", ""), kind="stat", width=6, height=4),
            prom("Treasury balance", (f"runtime_treasury_balance_tokens{{{C}}}", ""), kind="stat", width=6, height=4),
            prom("Referenda ongoing by track", (f"sum by (track) (runtime_referenda_ongoing{{{C}}})", "{{track}}"),
                 description="Ongoing: submitted and not ended, whether preparing, queued or deciding. Read every 50 blocks."),
            prom("Referenda deciding and confirming by track", (f"sum by (track) (runtime_referenda_deciding{{{C}}})", "{{track}} deciding"),
                 (f"sum by (track) (runtime_referenda_confirming{{{C}}})", "{{track}} confirming")),
            prom("Referenda submitted per hour by track", (f'sum by (track) (rate(runtime_referenda_events_total{{{C}, event="Submitted"}}{RATE})) * 3600', "{{track}}")),
            prom("Referenda ended per hour by track and outcome",
                 (f'sum by (track, event) (rate(runtime_referenda_events_total{{{C}, event=~"Approved|Rejected|Cancelled|TimedOut|Killed"}}{RATE})) * 3600', "{{track}} {{event}}"),
                 description="Approved, rejected, cancelled, timed out (never decided) or killed."),
            prom("Confirmations started and aborted per hour", (f'sum by (event) (rate(runtime_referenda_events_total{{{C}, event=~"ConfirmStarted|ConfirmAborted"}}{RATE})) * 3600', "{{event}}"),
                 description="A referendum whose support or approval falls during its confirmation period aborts it and returns to deciding."),
            prom("Votes and delegations per hour", (f"rate(runtime_conviction_votes_total{{{C}}}{RATE}) * 3600", "votes"),
                 (f"rate(runtime_conviction_votes_removed_total{{{C}}}{RATE}) * 3600", "votes removed"),
                 (f"rate(runtime_conviction_delegations_total{{{C}}}{RATE}) * 3600", "delegations"),
                 (f"rate(runtime_conviction_undelegations_total{{{C}}}{RATE}) * 3600", "undelegations")),
            prom("Capital voted by conviction", (f"runtime_conviction_voting_votes_tokens{{{C}}}", "{{conviction}}"),
                 description="The balance behind each vote held (not removed), by conviction; split and abstaining votes as None. Read hourly."),
            prom("Capital delegated by conviction", (f"runtime_conviction_voting_delegations_tokens{{{C}}}", "{{conviction}}")),
            prom("Treasury balance", (f"runtime_treasury_balance_tokens{{{C}}}", "free balance"),
                 (f"runtime_treasury_rollover_tokens{{{C}}}", "carried into this spend period")),
            prom("Treasury income and spending per day",
                 (f"rate(runtime_treasury_deposits_tokens_total{{{C}}}{RATE}) * 86400", "deposited"),
                 (f"rate(runtime_treasury_spends_approved_tokens_total{{{C}}}{RATE}) * 86400", "approved to spend"),
                 (f"rate(runtime_treasury_awarded_tokens_total{{{C}}}{RATE}) * 86400", "paid out"),
                 (f"rate(runtime_treasury_burnt_tokens_total{{{C}}}{RATE}) * 86400", "burnt"),
                 description="In native tokens. Spends of other assets (stablecoins, paid by XCM) are counted in the next panel, not added here."),
            prom("Treasury spends per day", (f"rate(runtime_treasury_spends_approved_total{{{C}}}{RATE}) * 86400", "native approved"),
                 (f"rate(runtime_treasury_asset_spends_approved_total{{{C}}}{RATE}) * 86400", "asset approved"),
                 (f"rate(runtime_treasury_payouts_total{{{C}}}{RATE}) * 86400", "asset paid"), width=24),
        ]),
    "calls-events": dashboard(
        "rtexp-calls-events", "Substrate calls and events",
        "Calls (nested ones included) and events per pallet, failed calls (runtime-exporter, Prometheus).",
        prom_variables, [
            prom("Calls per minute by pallet", (f"sum by (pallet) (rate(runtime_extrinsics_total{{{C}}}{RATE})) * 60", "{{pallet}}")),
            prom("Events per minute by pallet", (f"sum by (pallet) (rate(runtime_events_total{{{C}}}{RATE})) * 60", "{{pallet}}")),
            prom("Signed and unsigned calls per minute", (f"sum by (signed) (rate(runtime_extrinsics_total{{{C}}}{RATE})) * 60", "signed={{signed}}")),
            prom("Failed calls per minute", (f'sum by (pallet, call) (rate(runtime_extrinsics_total{{{C}, result!="success"}}{RATE})) * 60', "{{pallet}}.{{call}}")),
            prom("Top calls in range", (f"topk(20, sum by (pallet, call) (increase(runtime_extrinsics_total{{{C}}}[$__range])))", "{{pallet}}.{{call}}"), kind="bargauge"),
            prom("Top events in range", (f"topk(20, sum by (pallet, event) (increase(runtime_events_total{{{C}}}[$__range])))", "{{pallet}}.{{event}}"), kind="bargauge"),
        ]),
    "exporter": dashboard(
        "rtexp-exporter", "runtime-exporter",
        "The exporter itself: endpoints up, lag, RPC latency and errors per endpoint and method, errors by stage, history loading.",
        prom_variables, [
            prom("Endpoints up", (f"runtime_exporter_up{{{C}}}", "{{endpoint}}"), kind="stat", width=8, height=4),
            prom("Lag", (f"runtime_exporter_lag_blocks{{{C}}}", ""), kind="stat", width=8, height=4),
            prom("History left", (f"runtime_exporter_history_remaining_blocks{{{C}}}", ""), kind="stat", width=8, height=4),
            prom("Finalized and processed", (f"runtime_exporter_finalized_block{{{C}}}", "finalized"), (f"runtime_exporter_processed_block{{{C}}}", "processed")),
            prom("Age of the newest block processed", (f"time() - runtime_timestamp_seconds{{{C}}}", "age"), unit="s",
                 description="How far behind the chain the metrics are, by the block's own timestamp; a slow node shows here, not in the lag."),
            prom("Blocks processed per minute", (f"rate(runtime_exporter_blocks_processed_total{{{C}}}{RATE}) * 60", "live"),
                 (f"rate(runtime_exporter_history_blocks_loaded_total{{{C}}}{RATE}) * 60", "history")),
            prom("RPC latency p95 by endpoint and method", (f"histogram_quantile(0.95, sum by (le, endpoint, method) (rate(runtime_exporter_rpc_request_duration_seconds_bucket{{{C}}}{RATE})))", "{{endpoint}} {{method}}"), unit="s"),
            prom("RPC requests per second by method", (f"sum by (method) (rate(runtime_exporter_rpc_request_duration_seconds_count{{{C}}}{RATE}))", "{{method}}"), unit="reqps"),
            prom("RPC errors per minute", (f"sum by (endpoint, kind) (rate(runtime_exporter_rpc_errors_total{{{C}}}{RATE})) * 60", "{{endpoint}} {{kind}}")),
            prom("Errors per minute by stage", (f"sum by (stage) (rate(runtime_exporter_errors_total{{{C}}}{RATE})) * 60", "{{stage}}")),
            prom("Head processing p95", (f"histogram_quantile(0.95, sum by (le) (rate(runtime_exporter_head_processing_seconds_bucket{{{C}}}{RATE})))", "notification to metrics"), unit="s"),
            prom("Collector time per block p95", (f"histogram_quantile(0.95, sum by (le, collector) (rate(runtime_exporter_collector_duration_seconds_bucket{{{C}}}{RATE})))", "{{collector}}"), unit="s"),
            prom("History loaded", (f"1 - runtime_exporter_history_remaining_blocks{{{C}}} / runtime_exporter_history_range_blocks{{{C}}}", "share of the range"), unit="percentunit"),
            prom("History chunks failed", (f"runtime_exporter_history_failed_chunks{{{C}}}", "failed chunks")),
        ]),
    "history-chain": dashboard(
        "rtexp-history-chain", "Substrate history: chain and fees",
        "Issuance, fees, blocks and runtime versions from the history store (PostgreSQL), any range backfilled.",
        sql_variables, [
            sql("Total issuance", bucketed("max", "balances_total_issuance_tokens")),
            sql("Fees per interval", bucketed("sum", "transaction_payment_fees_tokens_total")),
            sql("Tips per interval", bucketed("sum", "transaction_payment_tips_tokens_total")),
            sql("Block time (mean)", bucketed("avg", "system_block_time_seconds"), unit="s"),
            sql("Block weight per class (mean ref_time)", bucketed("avg", "system_block_weight_seconds", label="class"), unit="s"),
            sql("Block length (mean)", bucketed("avg", "system_block_length_bytes"), unit="bytes"),
            sql("Runtime versions", """
SELECT min(x.time) AS "first seen", min(x.block) AS "first block", max(x.block) AS "last block",
       s.labels->>'spec_name' AS "spec name", s.labels->>'spec_version' AS "spec version"
FROM samples x JOIN series s ON s.id = x.series_id
WHERE s.metric = 'system_runtime_info' AND s.chain = '$chain' AND $__timeFilter(x.time)
GROUP BY s.labels
ORDER BY 1""", kind="table", fmt="table"),
            sql("History loaded (backfill_ranges)", """
SELECT metric, version, status, count(*) AS chunks, min(first_block) AS "from", max(last_block) AS "to", max(updated_at) AS "last update"
FROM backfill_ranges
WHERE chain = '$chain'
GROUP BY metric, version, status
ORDER BY metric, version, status""", kind="table", fmt="table"),
        ], time_from="now-7d"),
    "history-activity": dashboard(
        "rtexp-history-activity", "Substrate history: calls, events, XCM and staking",
        "Activity per pallet, XCM transfers and stake from the history store (PostgreSQL), any range backfilled.",
        sql_variables, [
            sql("Calls per interval by pallet", bucketed("sum", "extrinsics_total", label="pallet")),
            sql("Events per interval by pallet", bucketed("sum", "events_total", label="pallet")),
            sql("Failed calls per interval", bucketed("sum", "extrinsics_total", label="pallet", extra="\n  AND s.labels->>'result' <> 'success'"), description="Calls whose outcome was not success."),
            sql("Transfers per interval", bucketed("sum", "events_total", extra="\n  AND s.labels->>'pallet' = 'Balances' AND s.labels->>'event' = 'Transfer'")),
            sql("XCM transfers per interval by destination", bucketed("sum", "xcm_transfers_total", label="destination")),
            sql("XCM tokens sent per interval by destination", bucketed("sum", "xcm_transferred_tokens_total", label="destination")),
            sql("Parachain blocks included per interval by parachain", bucketed("sum", "parachain_candidates_included_total", label="para_id")),
            sql("Era total stake", bucketed("max", "staking_era_total_stake_tokens")),
            sql("Value locked in nomination pools", bucketed("max", "nomination_pools_value_locked_tokens")),
        ], time_from="now-7d"),
}


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, board in DASHBOARDS.items():
        path = HERE / f"{name}.json"
        text = json.dumps(board, indent=2, ensure_ascii=False) + "\n"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    if stale:
        print("out of date (run python3 dashboards/generate.py):", ", ".join(stale))
        sys.exit(1)


if __name__ == "__main__":
    main()

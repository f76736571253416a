public import ExactJSON

/// One metric, declared as data (a YAML or JSON entry): what it is called, what it measures, where
/// its value comes from and how the query API aggregates it. The Prometheus name is the
/// definition's `name` with the `runtime_` prefix.
public struct MetricDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case gauge, counter, histogram }
    public enum Aggregation: String, Sendable, CaseIterable { case last, sum, avg, min, max, first, count, median }
    public enum DataType: String, Sendable, CaseIterable { case timeseries, histogram }
    public enum Access: String, Sendable, CaseIterable { case free, restricted }
    /// The least plan an API key needs for the metric (Sanbase's plans, cheapest first).
    public enum Plan: String, Sendable, CaseIterable { case free, basic, pro, businessPro = "business_pro", businessMax = "business_max", custom }
    public enum Scale: String, Sendable, CaseIterable {
        case none
        /// Divide by 10^decimals of the chain's native token.
        case tokenDecimals = "token_decimals"
        /// Divide by 10^9 (Perbill) or 10^18 (FixedU128) to get a ratio.
        case perbill, fixedU128 = "fixed_u128"
        /// Divide by 10^12: picoseconds (weight's ref_time) to seconds.
        case pico
        /// Divide by 10^6: amounts of assets with 6 decimals (USDT, USDC) in whole units.
        case micro
    }

    /// When the metric is sampled while loading history: every N blocks, or on a schedule for
    /// expensive ones. Live, every definition is evaluated on every finalized block it applies to.
    public enum Sampling: Sendable, Equatable {
        case everyBlocks(Int)
        case schedule(Schedule)
    }

    public enum Schedule: String, Sendable, CaseIterable { case hourly, daily, era }

    public var name: String
    public var help: String
    public var kind: Kind
    public var unit: String?
    public var source: MetricSource
    /// Sources tried in order for a runtime that lacks a pallet `source` reads (a metric
    /// that moved pallets: `ElectionProviderMultiPhase` to `MultiBlockElection`). Written in YAML
    /// as a list of sources.
    public var fallbacks: [MetricSource] = []
    /// Pallets a runtime must have, beyond those the source reads, for the definition to apply:
    /// `MultiBlockElection` for events only staking-async runtimes' `Staking` emits.
    public var requires: [String] = []
    public var labels: [String]
    public var scale: Scale
    public var sampling: Sampling
    public var aggregation: Aggregation
    /// Seconds; the query API never buckets finer than this.
    public var minInterval: Int
    public var dataType: DataType
    public var version: String
    public var access: Access
    /// Sanbase's registry fields: a name for people (nil: the API makes one of `name`), whether
    /// the newest point is incomplete (a daily read's day is not over), links to
    /// documentation, and the least plan of a key.
    public var humanReadableName: String?
    public var hasIncompleteData = false
    public var docs: [String] = []
    public var minPlan: Plan = .free
    /// Where the entry was read (`metrics/balances.yaml:3`).
    public var origin: String
    /// A runtime the chain runs that lacks what the definition reads is a configuration error
    /// (following stops with it) instead of skipping the definition for that runtime.
    public var strict: Bool = false

    public var prometheusName: String { "runtime_" + name }

    /// `source`, then the fallbacks.
    public var sources: [MetricSource] { [source] + fallbacks }

    /// Every source in one line, in the order they are tried.
    public var sourcesSummary: String { sources.map(\.summary).joined(separator: " | ") }

    /// The definition reading `chosen` instead, its only source.
    public func reading(_ chosen: MetricSource) -> MetricDefinition {
        var copy = self
        copy.source = chosen
        copy.fallbacks = []
        return copy
    }
}

/// Where a metric's value comes from. Every kind but `collector` needs no Swift code.
public enum MetricSource: Sendable, Equatable {
    /// A storage value: a plain item, or one map entry with the given keys (in explorers' JSON
    /// shapes, SS58 addresses for accounts, or `{account_of: Pallet.PalletId}` for a pallet's
    /// account); `field` is a path into the value (`data.free`).
    /// Field paths everywhere may give alternatives for runtimes that named things differently,
    /// `amount|1`, where a number is the position of an unnamed field.
    /// With `eachKey`, one series per listed first key, labelled `eachKey.label`. With
    /// `aggregate`, the count of the values (of any type) or the sum of the integers at `field`,
    /// which may go through lists (`*`: `Paras.Parachains` and `*` counts the parachains,
    /// `CollatorSelection.Invulnerables` and `*` the accounts); without, the one integer there.
    case storage(pallet: String, item: String, keys: [JSON], field: String?, eachKey: EachKey?, aggregate: Aggregate? = nil)
    /// Every entry of a storage map: their count, or the sum of a field over them.
    case storageMap(pallet: String, item: String, aggregate: Aggregate, field: String?)
    /// Events of the block matching any of `events` (`Pallet.Event`, `Pallet.*`; none: all): their count
    /// or the sum of a field; labels read from event fields (`label: field.path`), or `pallet`
    /// and `event` themselves. With `only`, just the events whose fields (by path) read as one
    /// of the listed values (`asset_id: [1984, 1337]`), so a label takes no value unlisted.
    case events(events: [EventPattern], aggregate: Aggregate, field: String?, labelFields: [String: String], only: [String: Set<String>] = [:])
    /// Extrinsics of the block, nested calls of batches, proxies and multisigs included when
    /// `nested`; labels from `pallet`, `call`, `signed`, `result`.
    case extrinsics(filter: [EventPattern], nested: Bool)
    /// A runtime constant (`Balances.ExistentialDeposit`), optionally a field of it.
    case constant(pallet: String, name: String, field: String?)
    /// A value of the block itself.
    case header(HeaderValue)
    /// One value of a Swift collector under `Sources/Exporter/Collectors/`, with the options
    /// the collector takes (`names:`, a table of parachain names), as JSON.
    case collector(name: String, value: String, options: JSON = .null)

    public enum Aggregate: String, Sendable, CaseIterable { case count, sum }

    public enum HeaderValue: String, Sendable, CaseIterable {
        case number, timestamp
        /// Seconds since the previous block.
        case blockTime = "block_time"
        /// Encoded length of the block's extrinsics, in bytes.
        case length
        /// `System.BlockWeight` per dispatch class (label `class`).
        case weight
        /// The node's best (newest, not yet final) block number, from its new-heads stream
        /// rather than from the blocks processed.
        case bestNumber = "best_number"
    }

    public struct EachKey: Sendable, Equatable {
        public var label: String
        public var values: [JSON]
    }

    /// `Pallet.Name`, or `Pallet.*` for all of a pallet's.
    public struct EventPattern: Sendable, Equatable, CustomStringConvertible {
        public var pallet: String
        public var name: String?
        public var description: String { "\(pallet).\(name ?? "*")" }
    }

    /// The pallets this source reads from (a chain without one of them skips the definition).
    public var pallets: [String] {
        switch self {
        case let .storage(pallet, _, keys, _, _, _): [pallet] + keys.compactMap { PalletAccount.constantName($0)?.pallet }
        case let .storageMap(pallet, _, _, _), let .constant(pallet, _, _): [pallet]
        case let .events(events, _, _, _, _): events.map(\.pallet)
        case let .extrinsics(filter, _): filter.map(\.pallet)
        case .header: []
        case let .collector(name, _, _): CollectorCatalog.spec(named: name)?.pallets ?? []
        }
    }

    /// Labels the definition's source names itself (event label fields, `each_key`).
    public var declaredLabels: Set<String> {
        switch self {
        case let .storage(_, _, _, _, eachKey, _): Set(eachKey.map { [$0.label] } ?? [])
        case let .events(_, _, _, labelFields, _): Set(labelFields.keys)
        default: []
        }
    }

    /// The labels this source can fill.
    public var availableLabels: Set<String> {
        switch self {
        case let .storage(_, _, _, _, eachKey, _): Set(eachKey.map { [$0.label] } ?? [])
        case .storageMap, .constant: []
        case let .collector(name, value, _): CollectorCatalog.spec(named: name)?.values[value] ?? []
        case let .events(_, _, _, labelFields, _): Set(labelFields.keys)
        case .extrinsics: ["pallet", "call", "signed", "result"]
        case let .header(value): value == .weight ? ["class"] : []
        }
    }
}

extension MetricSource {
    /// One line saying where the value comes from (`storage Balances.TotalIssuance`).
    public var summary: String {
        switch self {
        case let .storage(pallet, item, keys, field, eachKey, aggregate):
            let keyText = keys.isEmpty ? "" : "[" + keys.map { $0.serialized() }.joined(separator: ", ") + "]"
            let each = eachKey.map { " for each \($0.label) (\($0.values.count))" } ?? ""
            return "storage \(pallet).\(item)\(keyText)\(aggregate.map { " " + $0.rawValue } ?? "")\(field.map { " ." + $0 } ?? "")\(each)"
        case let .storageMap(pallet, item, aggregate, field):
            return "storage_map \(pallet).\(item) \(aggregate.rawValue)\(field.map { " ." + $0 } ?? "")"
        case let .events(events, aggregate, field, _, only):
            let listed = only.sorted { $0.key < $1.key }.map { " where \($0.key) in \($0.value.sorted().joined(separator: ","))" }.joined()
            return "events \(events.isEmpty ? "all" : events.map(\.description).joined(separator: ",")) \(aggregate.rawValue)\(field.map { " ." + $0 } ?? "")\(listed)"
        case let .extrinsics(filter, nested):
            return "extrinsics \(filter.isEmpty ? "all" : filter.map(\.description).joined(separator: ","))\(nested ? " (nested calls too)" : "")"
        case let .constant(pallet, name, field):
            return "constant \(pallet).\(name)\(field.map { " ." + $0 } ?? "")"
        case let .header(value):
            return "header \(value.rawValue)"
        case let .collector(name, value, _):
            return "collector \(name).\(value)"
        }
    }
}

extension MetricDefinition {
    /// The definition as JSON, for `metrics list --json` and the metadata the store and API keep.
    public var json: JSON {
        let sampling: JSON.Member = switch self.sampling {
        case let .everyBlocks(blocks): JSON.Member("every", .number(blocks))
        case let .schedule(schedule): JSON.Member("schedule", .string(schedule.rawValue))
        }
        return .object([
            JSON.Member("name", .string(name)), JSON.Member("prometheus_name", .string(prometheusName)),
            JSON.Member("help", .string(help)), JSON.Member("type", .string(kind.rawValue)),
            JSON.Member("unit", unit.map(JSON.string) ?? .null), JSON.Member("source", .string(sourcesSummary)),
            JSON.Member("labels", .array(labels.map(JSON.string))), JSON.Member("scale", .string(scale.rawValue)), sampling,
            JSON.Member("aggregation", .string(aggregation.rawValue)), JSON.Member("min_interval", .number(minInterval)),
            JSON.Member("data_type", .string(dataType.rawValue)), JSON.Member("version", .string(version)),
            JSON.Member("access", .string(access.rawValue)), JSON.Member("min_plan", .string(minPlan.rawValue)),
            JSON.Member("human_readable_name", humanReadableName.map(JSON.string) ?? .null), JSON.Member("has_incomplete_data", .bool(hasIncompleteData)),
            JSON.Member("docs", .array(docs.map(JSON.string))), JSON.Member("defined_at", .string(origin)),
        ])
    }
}

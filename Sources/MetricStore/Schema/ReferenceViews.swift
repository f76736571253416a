/// Views with the tables and columns of polkadot-runtime-prom-exporter's TimescaleDB schema,
/// over this store's samples, so that SQL written for it (its "All time data" dashboard,
/// operators' own reports) reads this store. Values are in the reference's units: whole tokens
/// (rounded down), weights in picoseconds, the fee multiplier times 100, counts per block;
/// pallet (`section`) and call (`method`) names in its lowerCamel (`xcmPallet`,
/// `limitedReserveTransferAssets`). On SQLite `time` is ISO 8601 text in UTC.
enum ReferenceViews {
    struct View: Sendable {
        let name: String
        /// The metric read (its name in the store, without `runtime_`).
        let metric: String
        /// Columns between `time`/`chain` and the value: (name, expression over labels).
        let columns: [(name: String, value: Value)]
        let valueColumn: String
        let value: Value
        /// Samples of one block added up across the labels the view does not show.
        let summed: Bool

        init(_ name: String, _ metric: String, columns: [(name: String, value: Value)] = [], _ valueColumn: String, _ value: Value, summed: Bool = false) {
            self.name = name
            self.metric = metric
            self.columns = columns
            self.valueColumn = valueColumn
            self.value = value
            self.summed = summed
        }
    }

    /// What a column holds, rendered per dialect.
    indirect enum Value: Sendable {
        case sample
        case label(String)
        /// Rounded down to an integer.
        case whole(Value)
        case times(Value, Double)
        /// UpperCamel to lowerCamel (`XcmPallet` → `xcmPallet`).
        case lowerFirst(Value)
        /// snake_case to lowerCamel (`transfer_keep_alive` → `transferKeepAlive`).
        case camel(Value)
        case isTrue(Value)
    }

    static let all: [View] = [
        View("pallets_methods_calls", "extrinsics_total", columns: [
            ("section", .lowerFirst(.label("pallet"))), ("method", .camel(.label("call"))), ("is_signed", .isTrue(.label("signed"))),
        ], "calls", .whole(.sample), summed: true),
        View("runtime_extrinsics_count", "extrinsics_total", columns: [("type", .label("signed"))], "extrinsincscount", .whole(.sample), summed: true),
        View("runtime_total_issuance", "balances_total_issuance_tokens", "issuance", .whole(.sample)),
        View("runtime_timestamp_seconds", "timestamp_seconds", "timestamp", .whole(.sample)),
        View("runtime_weight_to_fee_multiplier", "transaction_payment_next_fee_multiplier_ratio", "weightmultiplier", .whole(.times(.sample, 100))),
        View("runtime_xcm_transfers", "xcm_transferred_tokens_total", columns: [("tochain", .label("destination"))], "transferamount", .sample),
        View("chain_finalized_number", "system_block_number", "finalizednumber", .whole(.sample)),
        View("runtime_weight", "system_block_weight_seconds", columns: [("weightclass", .label("class"))], "weight", .whole(.times(.sample, 1e12))),
        View("runtime_block_length_bytes", "system_block_length_bytes", "blocklength", .whole(.sample)),
        View("runtime_spec_version", "system_runtime_info", columns: [("specname", .label("spec_name"))], "version", .whole(.label("spec_version"))),
        View("runtime_nominator_count", "staking_nominator_intentions", "nominatorcount", .whole(.sample)),
        View("runtime_validator_count", "staking_validator_intentions", "validatorcount", .whole(.sample)),
        View("runtime_nom_pools_members", "nomination_pool_members", columns: [("pool", .whole(.label("pool")))], "members", .whole(.sample)),
        View("runtime_nom_pools_total_points", "nomination_pool_points", columns: [("pool", .whole(.label("pool")))], "totalpoints", .whole(.sample)),
        View("runtime_nom_pools_total_balance", "nomination_pool_balance_tokens", columns: [("pool", .whole(.label("pool")))], "totalbalance", .whole(.sample)),
        View("runtime_nom_pools_unbonding_balance", "nomination_pool_unbonding_tokens", columns: [("pool", .whole(.label("pool")))], "unbondingbalance", .whole(.sample)),
        View("runtime_nom_pools_pending_rewards", "nomination_pool_pending_rewards_tokens", columns: [("pool", .whole(.label("pool")))], "pendingrewards", .whole(.sample)),
        View("runtime_nom_pools_count", "nomination_pools_pools", "poolscount", .whole(.sample)),
        View("runtime_nom_pools_members_count", "nomination_pools_members", "memberscount", .whole(.sample)),
    ]
}

extension SQLDialect {
    /// Statements that (re)create every reference view.
    var referenceViews: [String] {
        ReferenceViews.all.flatMap { view in ["DROP VIEW IF EXISTS \(view.name)", "CREATE VIEW \(view.name) AS \(select(view))"] }
    }

    private func select(_ view: ReferenceViews.View) -> String {
        let time = switch self {
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ', s.time / 1000.0, 'unixepoch')"
        case .postgres: "s.time"
        }
        // Columns turned into lowerCamel are read as they are stored here and converted by the layers below.
        let camel = view.columns.filter { if case .camel = $0.value { true } else { false } }.map(\.name)
        let columns = view.columns.map { "\(render($0.value)) AS \($0.name)" }
        let value = render(view.value, sample: view.summed ? "sum(s.value)" : "s.value")
        let selected = (["\(time) AS time", "r.chain AS chain"] + columns + ["\(value) AS \(view.valueColumn)"]).joined(separator: ", ")
        let grouping = view.summed ? " GROUP BY s.time, r.chain" + view.columns.map { ", \(render($0.value))" }.joined() : ""
        var query = "SELECT \(selected) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = '\(view.metric)'\(grouping)"
        guard !camel.isEmpty else { return query }
        // Each "_x" becomes "X", a few letters per layer: one expression of 26 nested replaces
        // is deeper than SQLite's parser allows.
        let names = ["time", "chain"] + view.columns.map(\.name) + [view.valueColumn]
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        for (layer, start) in stride(from: 0, to: letters.count, by: 6).enumerated() {
            let batch = letters[start..<min(start + 6, letters.count)]
            let step = names.map { name in
                guard camel.contains(name) else { return name }
                return batch.reduce(name) { text, letter in "replace(\(text), '_\(letter)', '\(letter.uppercased())')" } + " AS \(name)"
            }
            query = "SELECT \(step.joined(separator: ", ")) FROM (\(query)) AS step\(layer)"
        }
        let last = names.map { name in camel.contains(name) ? "\(lowerFirst(name)) AS \(name)" : name }
        return "SELECT \(last.joined(separator: ", ")) FROM (\(query)) AS camel"
    }

    /// `text` with its first letter in lower case (`XcmPallet` → `xcmPallet`), the same in both databases.
    private func lowerFirst(_ text: String) -> String {
        "(lower(substr(\(text), 1, 1)) || substr(\(text), 2))"
    }

    /// `value` in this dialect; `sample` is the sample's value (or its sum over a group).
    private func render(_ value: ReferenceViews.Value, sample: String = "s.value") -> String {
        switch value {
        case .sample:
            return sample
        case let .label(name):
            return switch self {
            case .sqlite: "json_extract(r.labels, '$.\(name)')"
            case .postgres: "(r.labels ->> '\(name)')"
            }
        case let .whole(inner):
            // SQLite's cast truncates toward zero: the floor of the non-negative values here.
            return switch self {
            case .sqlite: "CAST(\(render(inner, sample: sample)) AS INTEGER)"
            case .postgres: "CAST(floor(CAST(\(render(inner, sample: sample)) AS double precision)) AS bigint)"
            }
        case let .times(inner, factor):
            return "(\(render(inner, sample: sample)) * \(factor))"
        case let .lowerFirst(inner):
            return lowerFirst(render(inner))
        case let .camel(inner):
            // The name as stored: the layers of the view's query (`select`) convert it.
            return render(inner, sample: sample)
        case let .isTrue(inner):
            return "(\(render(inner)) = 'true')"
        }
    }
}

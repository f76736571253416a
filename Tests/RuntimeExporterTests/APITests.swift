import ChainFixtures
import ExactJSON
import Foundation
import Testing

/// `runtime-exporter api` over a store that `backfill` filled from a devnode, asked over HTTP by
/// another client (Python's urllib); its answers checked against the stored rows read by yet
/// another (Python's sqlite3, `psql`).
@Suite(.serialized) struct APITests {
    /// Status and parsed body of a GET.
    static func get(_ url: String, apiKey: String? = nil) async throws -> (status: Int, body: JSON) {
        let output = try await PythonReferee.run("""
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1])
            if sys.argv[2]: request.add_header("Authorization", sys.argv[2])
            try:
                response = urllib.request.urlopen(request, timeout=30)
                print(response.status); print(response.read().decode())
            except urllib.error.HTTPError as error:
                print(error.code); print(error.read().decode())
            """, arguments: [url, apiKey.map { "Apikey \($0)" } ?? ""])
        let lines = output.split(separator: "\n", maxSplits: 1)
        return (Int(lines.first ?? "") ?? 0, try JSON.parse(String(lines.count > 1 ? lines[1] : "")))
    }

    /// A GraphQL query posted as JSON; the parsed answer.
    static func graphQL(_ url: String, _ query: String, apiKey: String? = nil) async throws -> JSON {
        let output = try await PythonReferee.run("""
            import json, sys, urllib.request
            request = urllib.request.Request(sys.argv[1], data=json.dumps({"query": sys.argv[2]}).encode(), headers={"Content-Type": "application/json"})
            if sys.argv[3]: request.add_header("Authorization", sys.argv[3])
            print(urllib.request.urlopen(request, timeout=30).read().decode())
            """, arguments: [url, query, apiKey.map { "Apikey \($0)" } ?? ""])
        return try JSON.parse(output)
    }

    /// The sum of the stored values of a metric whose labels hold `labels`, over all blocks.
    static func storedSum(_ dump: JSON, metric: String, labels: [String: String] = [:]) throws -> Double {
        var total = 0.0
        for row in dump["samples"]?.arrayValue ?? [] {
            guard let fields = row.arrayValue, fields.first?.stringValue == metric else { continue }
            let stored = try JSON.parse(fields[1].stringValue ?? "{}")
            guard labels.allSatisfy({ stored[$0.key]?.stringValue == $0.value }) else { continue }
            total += Double(fields[4].stringValue ?? "") ?? .nan
        }
        return total
    }

    @Test(arguments: StoreUnderTest.Backend.allCases) func restAnswersWhatTheStoreHolds(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A restricted copy of a shipped metric, for the key checks.
        let definitions = directory.appendingPathComponent("metrics")
        try FileManager.default.createDirectory(at: definitions, withIntermediateDirectories: true)
        try """
            - name: restricted_issuance_tokens
              help: Total issuance, for key holders only.
              type: gauge
              unit: tokens
              source: { storage: Balances.TotalIssuance }
              scale: token_decimals
              access: restricted
            - name: pro_issuance_tokens
              help: Total issuance, for keys of the PRO plan and above.
              type: gauge
              unit: tokens
              source: { storage: Balances.TotalIssuance }
              scale: token_decimals
              min_plan: pro
              human_readable_name: Total issuance (PRO)
              has_incomplete_data: true
              docs: [https://docs.rs/pallet-balances]
            """.write(to: definitions.appendingPathComponent("restricted.yaml"), atomically: true, encoding: .utf8)
        let keyFile = directory.appendingPathComponent("keys")
        // A key without a plan opens every metric; the others open those up to their plan.
        try "# keys\nsecret-key-1\nbasic-key basic\npro-key PRO\n".write(to: keyFile, atomically: true, encoding: .utf8)

        let store = try await StoreUnderTest.make(backend, in: directory, name: "api")
        let loaded = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--store", store.argument, "--metrics-dir", definitions.path,
        ])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        // Started off the test's thread: waiting for its port would hold a thread of the shared pool.
        let api = try await OffPool.run {
            try ListeningProcess("runtime-exporter") {
                ["api", "--store", store.argument, "--web.listen-address", "127.0.0.1:\($0)", "--api-keys-file", keyFile.path, "--max-points", "5000"]
            }
        }
        defer { api.stop() }
        let base = "http://127.0.0.1:\(api.port)/api/v1"
        let dump = try await store.dump()

        #expect(try await Self.get("\(base)/slugs").body == .object([JSON.Member("slugs", .array([.string("polkadot")]))]))
        let listed = try await Self.get("\(base)/metrics")
        let names = listed.body["metrics"]?.arrayValue?.compactMap { $0["metric"]?.stringValue } ?? []
        #expect(listed.status == 200 && names.contains("extrinsics_total") && names.contains("restricted_issuance_tokens"))
        let one = try await Self.get("\(base)/metrics/events_total")
        #expect(one.body["labels"] == .array([.string("pallet"), .string("event")]) && one.body["availableSlugs"] == .array([.string("polkadot")]))
        #expect(one.body["slugs"]?.arrayValue?.first?["availableSince"]?.stringValue?.hasSuffix("Z") == true)

        // Sums over the whole chain (one bucket of a year) equal the stored rows' sums.
        let range = "chain=polkadot&from=utc_now-365d&to=utc_now%2B1d&interval=365d&aggregation=sum&includeIncompleteData=true"
        let extrinsics = try await Self.get("\(base)/metrics/extrinsics_total/timeseries?\(range)")
        let extrinsicValues = extrinsics.body["data"]?.arrayValue?.compactMap { $0["value"]?.number } ?? []
        let storedExtrinsics = try Self.storedSum(dump, metric: "extrinsics_total")
        #expect(extrinsics.status == 200 && extrinsicValues.reduce(0, +) == storedExtrinsics, "\(extrinsics.body.serialized())")
        #expect(storedExtrinsics > 40)
        // Every other parameter selects by label.
        let transfers = try await Self.get("\(base)/metrics/events_total/timeseries?\(range)&pallet=Balances&event=Transfer")
        let transferValues = transfers.body["data"]?.arrayValue?.compactMap { $0["value"]?.number } ?? []
        let storedTransfers = try Self.storedSum(dump, metric: "events_total", labels: ["pallet": "Balances", "event": "Transfer"])
        #expect(storedTransfers > 0 && transferValues.reduce(0, +) == storedTransfers, "\(transfers.body.serialized())")
        #expect(transfers.body["labels"] == .object([JSON.Member("event", .string("Transfer")), JSON.Member("pallet", .string("Balances"))]))

        // Histograms: calls per pallet ranked, equal to the stored rows' sums per pallet.
        var callsByPallet = [String: Double]()
        for row in dump["samples"]?.arrayValue ?? [] {
            guard let fields = row.arrayValue, fields.first?.stringValue == "extrinsics_total",
                  let pallet = try JSON.parse(fields[1].stringValue ?? "{}")["pallet"]?.stringValue else { continue }
            callsByPallet[pallet, default: 0] += Double(fields[4].stringValue ?? "") ?? .nan
        }
        let topPallets = callsByPallet.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        #expect(callsByPallet.count >= 4)
        let histogram = try await Self.get("\(base)/metrics/extrinsics_total/histogram?chain=polkadot&label=pallet&limit=3&to=utc_now%2B1d")
        #expect(histogram.status == 200 && histogram.body["labels"] == .array(topPallets.map { .string($0.key) }), "\(histogram.body.serialized())")
        #expect(histogram.body["values"]?.arrayValue?.compactMap(\.number) == topPallets.map(\.value))
        let noLabel = try await Self.get("\(base)/metrics/balances_total_issuance_tokens/histogram?chain=polkadot")
        #expect(noLabel.status == 400 && noLabel.body["error"]?.stringValue == "argument label: balances_total_issuance_tokens has no labels to rank")

        // Errors: status and the words that say what is wrong.
        let errors: [(String, Int, String)] = [
            ("metrics/nonsense", 404, "unknown metric \"nonsense\""),
            ("metrics/nonsense/timeseries?chain=polkadot", 404, "unknown metric \"nonsense\""),
            ("metrics/extrinsics_total/timeseries?chain=kusama", 404, "unknown slug \"kusama\""),
            ("metrics/extrinsics_total/timeseries?from=utc_now-1d", 400, "argument chain: missing"),
            ("metrics/extrinsics_total/timeseries?chain=polkadot&interval=fortnight", 400, "argument interval: \"fortnight\" is not an interval"),
            ("metrics/extrinsics_total/timeseries?chain=polkadot&aggregation=mode", 400, "argument aggregation: unknown aggregation \"mode\""),
            ("metrics/extrinsics_total/timeseries?chain=polkadot&from=soon", 400, "argument from: \"soon\" is not a date"),
            ("metrics/extrinsics_total/timeseries?chain=polkadot&pallett=Balances", 400, "argument selector: extrinsics_total has no label \"pallett\""),
            ("metrics/extrinsics_total/timeseries?chain=polkadot&from=utc_now-30d&interval=1m", 400, "the query asks for 43200 points, more than the 5000 allowed"),
        ]
        for (path, status, message) in errors {
            let answer = try await Self.get("\(base)/\(path)")
            #expect(answer.status == status && answer.body["error"]?.stringValue?.hasPrefix(message) == true, "\(path): \(answer.status) \(answer.body.serialized())")
        }

        // A restricted metric: refused without the key or with a wrong one, answered with it.
        let restricted = "\(base)/metrics/restricted_issuance_tokens/timeseries?\(range)"
        for key in [nil, "wrong-key", "secret-key-1x"] {
            let refused = try await Self.get(restricted, apiKey: key)
            #expect(refused.status == 401 && refused.body["error"]?.stringValue?.contains("restricted") == true, "\(key ?? "no key")")
        }
        let allowed = try await Self.get(restricted, apiKey: "secret-key-1")
        #expect(allowed.status == 200 && allowed.body["data"]?.arrayValue?.count == 1, "\(allowed.body.serialized())")
        // A metric of the PRO plan: a BASIC key is refused (403, the plans named), a PRO key and
        // a key without a plan are answered; its metadata carries Sanbase's registry fields.
        let pro = "\(base)/metrics/pro_issuance_tokens/timeseries?\(range)"
        let noKey = try await Self.get(pro), basic = try await Self.get(pro, apiKey: "basic-key")
        #expect(noKey.status == 401 && basic.status == 403, "\(noKey.status) \(basic.status)")
        #expect(basic.body["error"]?.stringValue == "metric \"pro_issuance_tokens\" needs an API key of plan PRO or above; this key's plan is BASIC")
        for key in ["pro-key", "secret-key-1"] {
            let answered = try await Self.get(pro, apiKey: key)
            #expect(answered.status == 200 && answered.body["data"]?.arrayValue?.count == 1, "\(key): \(answered.body.serialized())")
        }
        let proMetadata = try await Self.get("\(base)/metrics/pro_issuance_tokens").body
        #expect(proMetadata["minPlan"]?.stringValue == "PRO" && proMetadata["isRestricted"] == .bool(true))
        #expect(proMetadata["humanReadableName"]?.stringValue == "Total issuance (PRO)" && proMetadata["hasIncompleteData"] == .bool(true))
        #expect(proMetadata["docs"] == .array([.object([JSON.Member("link", .string("https://docs.rs/pallet-balances"))])]))
        let freeMetadata = try await Self.get("\(base)/metrics/events_total").body
        #expect(freeMetadata["minPlan"]?.stringValue == "FREE" && freeMetadata["hasIncompleteData"] == .bool(false) && freeMetadata["humanReadableName"]?.stringValue == "Events total")

        // The same through GraphQL: per-point data, OHLC, several slugs, one aggregate, dates.
        let graphQL = "http://127.0.0.1:\(api.port)/graphql"
        let window = #"from: "utc_now-365d", to: "utc_now+1d", includeIncompleteData: true"#
        let answer = try await Self.graphQL(graphQL, """
            { getMetric(metric: "extrinsics_total") {
                points: timeseriesData(slug: "polkadot", \(window), interval: "365d", aggregation: SUM) { datetime value }
                ohlc: timeseriesData(slug: "polkadot", \(window), interval: "365d", aggregation: OHLC) { datetime valueOhlc { open high low close } }
                perSlug: timeseriesDataPerSlug(selector: {slugs: ["polkadot"]}, \(window), interval: "365d", aggregation: SUM) { datetime data { slug value } }
                total: aggregatedTimeseriesData(slug: "polkadot", from: "utc_now-365d", to: "utc_now+1d", aggregation: SUM)
                availableSince(slug: "polkadot") lastDatetimeComputedAt(slug: "polkadot") availableSlugs
            }
              getAvailableSlugs }
            """)
        let data = answer["data"]?["getMetric"]
        #expect(answer["errors"] == nil, "\(answer.serialized())")
        #expect(data?["points"]?.arrayValue?.compactMap { $0["value"]?.number }.reduce(0, +) == storedExtrinsics)
        #expect(data?["perSlug"]?.arrayValue?.compactMap { $0["data"]?.arrayValue?.first?["value"]?.number }.reduce(0, +) == storedExtrinsics)
        #expect(data?["total"]?.number == storedExtrinsics)
        let candle = data?["ohlc"]?.arrayValue?.first?["valueOhlc"]
        #expect(candle?["high"]?.number ?? 0 >= candle?["low"]?.number ?? 1 && candle?["open"]?.number != nil && candle?["close"]?.number != nil)
        #expect(data?["availableSince"]?.stringValue == one.body["slugs"]?.arrayValue?.first?["availableSince"]?.stringValue)
        #expect(data?["availableSlugs"] == .array([.string("polkadot")]) && answer["data"]?["getAvailableSlugs"] == .array([.string("polkadot")]))
        // Errors come back as GraphQL errors that say what is wrong.
        var graphQLErrors: [(String, String)] = [
            (#"{ getMetric(metric: "nonsense") { availableSlugs } }"#, "unknown metric \"nonsense\""),
            (#"{ getMetric(metric: "extrinsics_total") { timeseriesDataJson(slug: "polkadot", from: "x", to: "utc_now") } }"#, "argument from: \"x\" is not a date"),
            (#"{ getMetric(metric: "extrinsics_total") { timeseriesDataJson(from: "utc_now-1d", to: "utc_now") } }"#, "argument slug: missing"),
            (#"{ getMetric(metric: "restricted_issuance_tokens") { timeseriesDataJson(slug: "polkadot", from: "utc_now-1d", to: "utc_now") } }"#, "metric \"restricted_issuance_tokens\" is restricted"),
            (#"{ getMetric(metric: "extrinsics_total") { timeseriesDataJson(slug: "polkadot", from: "utc_now-1d", to: "utc_now", aggregation: MODE) } }"#, "Value \"MODE\" does not exist in \"Aggregation\" enum"),
        ]
        let manySeries = (0...20).map { #"s\#($0): aggregatedTimeseriesData(slug: "polkadot", from: "utc_now-1d", to: "utc_now")"# }.joined(separator: " ")
        let manySlugs = (0...20).map { "\"chain\($0)\"" }.joined(separator: ", ")
        graphQLErrors += [
            ("{ getMetric(metric: \"extrinsics_total\") { \(manySeries) } }", "the query asks for more than 20 series at once"),
            (#"{ getMetric(metric: "extrinsics_total") { timeseriesDataPerSlugJson(selector: {slugs: [\#(manySlugs)]}, from: "utc_now-1d", to: "utc_now") } }"#,
             "argument selector: 21 slugs in one query, more than the 20 allowed"),
        ]
        for (query, message) in graphQLErrors {
            let failed = try await Self.graphQL(graphQL, query)
            let text = failed["errors"]?.arrayValue?.first?["message"]?.stringValue ?? ""
            #expect(text.contains(message), "\(query): \(failed.serialized())")
        }
        let opened = try await Self.graphQL(graphQL, #"{ getMetric(metric: "restricted_issuance_tokens") { timeseriesDataJson(slug: "polkadot", \#(window), interval: "365d") } }"#, apiKey: "secret-key-1")
        #expect(opened["errors"] == nil && opened["data"]?["getMetric"]?["timeseriesDataJson"]?.arrayValue?.count == 1, "\(opened.serialized())")
        // The histogram through GraphQL, as Sanbase's clients ask for it.
        let ranked = try await Self.graphQL(graphQL, #"""
            { getMetric(metric: "extrinsics_total") { histogramData(slug: "polkadot", to: "utc_now+1d", label: "pallet", limit: 3) { labels values { ... on FloatList { data } } } } }
            """#)
        #expect(ranked["data"]?["getMetric"]?["histogramData"]?["labels"] == .array(topPallets.map { .string($0.key) }), "\(ranked.serialized())")
        #expect(ranked["data"]?["getMetric"]?["histogramData"]?["values"]?["data"]?.arrayValue?.compactMap(\.number) == topPallets.map(\.value))
        // Plans through GraphQL: `isAccessible` says what this request's key opens.
        let proQuery = #"{ getMetric(metric: "pro_issuance_tokens") { metadata { isAccessible minPlan hasIncompleteData docs { link } } timeseriesDataJson(slug: "polkadot", \#(window), interval: "365d") } }"#
        let basicAnswer = try await Self.graphQL(graphQL, proQuery, apiKey: "basic-key")
        #expect(basicAnswer["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("needs an API key of plan PRO or above") == true, "\(basicAnswer.serialized())")
        let proAnswer = try await Self.graphQL(graphQL, proQuery, apiKey: "pro-key")
        #expect(proAnswer["errors"] == nil && proAnswer["data"]?["getMetric"]?["timeseriesDataJson"]?.arrayValue?.count == 1, "\(proAnswer.serialized())")
        #expect(proAnswer["data"]?["getMetric"]?["metadata"] == .object([
            JSON.Member("isAccessible", .bool(true)), JSON.Member("minPlan", .string("PRO")), JSON.Member("hasIncompleteData", .bool(true)),
            JSON.Member("docs", .array([.object([JSON.Member("link", .string("https://docs.rs/pallet-balances"))])])),
        ]), "\(proAnswer.serialized())")
        let basicMetadata = try await Self.graphQL(graphQL, #"{ getMetric(metric: "pro_issuance_tokens") { metadata { isAccessible } } }"#, apiKey: "basic-key")
        #expect(basicMetadata["data"]?["getMetric"]?["metadata"]?["isAccessible"] == .bool(false))

        // The OpenAPI document parses and describes every route.
        let document = try await Self.get("\(base)/openapi.json").body
        #expect(document["openapi"]?.stringValue == "3.1.0")
        var paths = [String]()
        if case let .object(members)? = document["paths"] { paths = members.map(\.key).sorted() }
        #expect(paths == ["/api/v1/metrics", "/api/v1/metrics/{name}", "/api/v1/metrics/{name}/histogram", "/api/v1/metrics/{name}/timeseries", "/api/v1/openapi.json", "/api/v1/slugs"])
    }
}

extension APITests {
    /// Santiment's own Python client against our GraphQL endpoint, unchanged: `SANBASE_GQL_HOST`
    /// pointed at it. Its DataFrames are checked against the stored rows.
    @Test(arguments: StoreUnderTest.Backend.allCases) func sanpyReadsTheGraphQLAPIUnchanged(_ backend: StoreUnderTest.Backend) async throws {
        // A chain from 2023-11-14T22:13:20Z, six seconds a block: every bucket asked for is over.
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000"])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sanpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await StoreUnderTest.make(backend, in: directory, name: "sanpy")
        let loaded = try await Executable.run("runtime-exporter", ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--store", store.argument])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let api = try await OffPool.run { try ListeningProcess("runtime-exporter") { ["api", "--store", store.argument, "--web.listen-address", "127.0.0.1:\($0)"] } }
        defer { api.stop() }

        let output = try await PythonReferee.run("""
            import json, os, sys
            os.environ["SANBASE_GQL_HOST"] = sys.argv[1]
            import san
            def points(frame):
                return [[index.isoformat(), float(value)] for index, value in frame["value"].items()]
            result = {
                "extrinsics": points(san.get("extrinsics_total/polkadot", from_date="2023-11-14", to_date="2023-11-15", interval="1d", aggregation="SUM")),
                "transfers": points(san.get("events_total", selector={"slug": "polkadot", "pallet": "Balances", "event": "Transfer"},
                                            from_date="2023-11-14", to_date="2023-11-15", interval="1h", aggregation="SUM")),
                "issuance": points(san.get("balances_total_issuance_tokens", slug="polkadot", from_date="2023-11-14T22:00:00Z",
                                           to_date="2023-11-14T23:00:00Z", interval="5m", aggregation="LAST")),
                "metrics": san.available_metrics(),
                # sanpy has no histogram call of its own: its GraphQL one, as Sanbase's docs show.
                "histogram": san.graphql.execute_gql('''{ getMetric(metric: "extrinsics_total") {
                    histogramData(slug: "polkadot", from: "2023-11-14T00:00:00Z", to: "2023-11-15T00:00:00Z", label: "pallet", limit: 50) {
                        labels values { ... on FloatList { data } } } } }''')["getMetric"]["histogramData"],
                "metadata": san.metadata("events_total", arr=["metric", "defaultAggregation", "minInterval", "availableSelectors", "availableSlugs", "isRestricted",
                                                              "humanReadableName", "hasIncompleteData", "minPlan", "isAccessible",
                                                              "docs {{ link }}"]),  # sanpy formats the query: braces doubled
            }
            print(json.dumps(result))
            """, arguments: ["http://127.0.0.1:\(api.port)/graphql"])
        let answer = try JSON.parse(output)
        let dump = try await store.dump()
        func total(_ key: String) -> Double { (answer[key]?.arrayValue ?? []).compactMap { $0.arrayValue?.last?.number }.reduce(0, +) }

        // One day: every extrinsic stored; hours: every transfer.
        #expect(answer["extrinsics"]?.arrayValue?.count == 1)
        #expect(answer["extrinsics"]?.arrayValue?.first?.arrayValue?.first?.stringValue == "2023-11-14T00:00:00+00:00")
        #expect(total("extrinsics") == (try Self.storedSum(dump, metric: "extrinsics_total")))
        let transfers = try Self.storedSum(dump, metric: "events_total", labels: ["pallet": "Balances", "event": "Transfer"])
        #expect(transfers > 0 && total("transfers") == transfers)
        // Five-minute buckets of the issuance, the last value of each: the stored value of the
        // last block in that bucket.
        let issuance = (dump["samples"]?.arrayValue ?? []).compactMap(\.arrayValue).filter { $0.first?.stringValue == "balances_total_issuance_tokens" }
        var lastByBucket = [Int64: Double]()
        for row in issuance {
            guard let time = row[3].uint64Value.map({ Int64($0) }), let value = row[4].stringValue.flatMap(Double.init) else { continue }
            lastByBucket[time / 300_000 * 300_000] = value  // rows are in block order: the last one stays
        }
        let expected = lastByBucket.keys.sorted().map { lastByBucket[$0]! }
        #expect(!expected.isEmpty && (answer["issuance"]?.arrayValue ?? []).compactMap { $0.arrayValue?.last?.number } == expected)

        // The histogram: every pallet's calls over the day, largest first, as stored.
        var callsByPallet = [String: Double]()
        for row in dump["samples"]?.arrayValue ?? [] {
            guard let fields = row.arrayValue, fields.first?.stringValue == "extrinsics_total",
                  let pallet = try JSON.parse(fields[1].stringValue ?? "{}")["pallet"]?.stringValue else { continue }
            callsByPallet[pallet, default: 0] += Double(fields[4].stringValue ?? "") ?? .nan
        }
        let ranked = callsByPallet.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        #expect(ranked.count >= 4 && answer["histogram"]?["labels"] == .array(ranked.map { .string($0.key) }), "\(answer["histogram"]?.serialized() ?? "")")
        #expect(answer["histogram"]?["values"]?["data"]?.arrayValue?.compactMap(\.number) == ranked.map(\.value))
        let metrics = Set(answer["metrics"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(metrics.isSuperset(of: ["events_total", "extrinsics_total", "balances_total_issuance_tokens"]))
        #expect(answer["metadata"]?["metric"]?.stringValue == "events_total")
        #expect(answer["metadata"]?["defaultAggregation"]?.stringValue == "SUM")
        #expect(answer["metadata"]?["availableSelectors"] == .array([.string("SLUG"), .string("PALLET"), .string("EVENT")]))
        #expect(answer["metadata"]?["availableSlugs"] == .array([.string("polkadot")]) && answer["metadata"]?["isRestricted"] == .bool(false))
        #expect(answer["metadata"]?["humanReadableName"]?.stringValue == "Events total" && answer["metadata"]?["hasIncompleteData"] == .bool(false))
        #expect(answer["metadata"]?["minPlan"]?.stringValue == "FREE" && answer["metadata"]?["isAccessible"] == .bool(true) && answer["metadata"]?["docs"] == .array([]))
    }
}

extension JSON {
    /// A number's value.
    fileprivate var number: Double? {
        if case let .number(text) = self { Double(text) } else { nil }
    }
}

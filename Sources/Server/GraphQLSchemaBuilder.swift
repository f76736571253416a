import ExactJSON
import Foundation
import GraphQL
import OrderedCollections
import MetricStore

/// The GraphQL types and resolvers of `GraphQLAPI`. Resolvers read their arguments as JSON and
/// answer through `MetricQueries`, as the REST routes do.
struct GraphQLSchemaBuilder {
    let queries: MetricQueries
    /// Label names: the selector's fields besides `slug` and `slugs`.
    let labels: [String]

    typealias Context = GraphQLAPI.RequestContext

    func schema() throws -> GraphQLSchema {
        let json = try GraphQLScalarType(
            name: "Json", description: "Any JSON value.",
            serialize: { value in (value as? Map) ?? .null })
        let labelValue = try GraphQLScalarType(
            name: "LabelValue", description: "A label's value, written as a string or an integer.",
            serialize: { value in (value as? Map) ?? .null },
            parseValue: { map in
                if let text = map.string { return .string(text) }
                if let number = map.int { return .string(String(number)) }
                throw GraphQLError(message: "a label value is a string or an integer")
            },
            parseLiteral: { literal in
                if let text = literal as? StringValue { return .string(text.value) }
                if let number = literal as? IntValue { return .string(number.value) }
                throw GraphQLError(message: "a label value is a string or an integer")
            })
        var aggregationValues = GraphQLEnumValueMap()
        // Each value stands for itself (the library checks resolved values against the names too).
        for aggregation in Aggregation.allCases {
            aggregationValues[aggregation.rawValue.uppercased()] = GraphQLEnumValue(value: .string(aggregation.rawValue.uppercased()))
        }
        aggregationValues["OHLC"] = GraphQLEnumValue(value: .string("OHLC"), description: "Open, high, low and close of each bucket (timeseriesData only).")
        let aggregation = try GraphQLEnumType(name: "Aggregation", values: aggregationValues)
        var selectorFields: InputObjectFieldMap = [
            "slug": InputObjectField(type: GraphQLString, description: "The chain."),
            "slugs": InputObjectField(type: GraphQLList(GraphQLString), description: "Several chains (per-slug queries)."),
        ]
        for label in labels { selectorFields[label] = InputObjectField(type: labelValue, description: "Only series with this \(label).") }
        let selector = try GraphQLInputObjectType(name: "MetricTargetSelectorInputObject", fields: selectorFields)

        let ohlc = try GraphQLObjectType(name: "OhlcValue", fields: [
            "open": GraphQLField(type: GraphQLFloat), "high": GraphQLField(type: GraphQLFloat),
            "low": GraphQLField(type: GraphQLFloat), "close": GraphQLField(type: GraphQLFloat),
        ])
        let point = try GraphQLObjectType(name: "TimeseriesDataPoint", fields: [
            "datetime": GraphQLField(type: GraphQLNonNull(GraphQLString)), "value": GraphQLField(type: GraphQLFloat),
            "valueOhlc": GraphQLField(type: ohlc),
        ])
        let slugValue = try GraphQLObjectType(name: "SlugValue", fields: [
            "slug": GraphQLField(type: GraphQLNonNull(GraphQLString)), "value": GraphQLField(type: GraphQLFloat),
        ])
        let perSlugPoint = try GraphQLObjectType(name: "TimeseriesDataPerSlugPoint", fields: [
            "datetime": GraphQLField(type: GraphQLNonNull(GraphQLString)), "data": GraphQLField(type: GraphQLList(slugValue)),
        ])
        let documentation = try GraphQLObjectType(name: "MetricDocumentation", fields: ["link": GraphQLField(type: GraphQLNonNull(GraphQLString))])
        let metadata = try GraphQLObjectType(name: "MetricMetadata", fields: [
            "metric": GraphQLField(type: GraphQLNonNull(GraphQLString)), "humanReadableName": GraphQLField(type: GraphQLString),
            "help": GraphQLField(type: GraphQLString), "unit": GraphQLField(type: GraphQLString), "version": GraphQLField(type: GraphQLString),
            "minInterval": GraphQLField(type: GraphQLString), "defaultAggregation": GraphQLField(type: aggregation),
            "availableAggregations": GraphQLField(type: GraphQLList(aggregation)), "availableSelectors": GraphQLField(type: GraphQLList(GraphQLString)),
            "availableSlugs": GraphQLField(type: GraphQLList(GraphQLString)), "dataType": GraphQLField(type: GraphQLString),
            "isAccessible": GraphQLField(type: GraphQLBoolean), "isRestricted": GraphQLField(type: GraphQLBoolean),
            "hasIncompleteData": GraphQLField(type: GraphQLNonNull(GraphQLBoolean)), "docs": GraphQLField(type: GraphQLList(documentation)),
            "minPlan": GraphQLField(type: GraphQLString),
        ])

        let range: GraphQLArgumentConfigMap = [
            "from": GraphQLArgument(type: GraphQLNonNull(GraphQLString)), "to": GraphQLArgument(type: GraphQLNonNull(GraphQLString)),
            "interval": GraphQLArgument(type: GraphQLString), "aggregation": GraphQLArgument(type: aggregation),
            "includeIncompleteData": GraphQLArgument(type: GraphQLBoolean), "transform": GraphQLArgument(type: json),
        ]
        let oneSlug = range.merging(["slug": GraphQLArgument(type: GraphQLString), "selector": GraphQLArgument(type: selector)]) { first, _ in first }
        let manySlugs = range.merging(["selector": GraphQLArgument(type: selector)]) { first, _ in first }
        let slugArgument: GraphQLArgumentConfigMap = ["slug": GraphQLArgument(type: GraphQLNonNull(GraphQLString))]
        let resolvers = Resolvers(queries: queries)
        let floatList = try GraphQLObjectType(name: "FloatList", fields: ["data": GraphQLField(type: GraphQLList(GraphQLFloat))])
        let histogram = try GraphQLObjectType(name: "HistogramData", fields: [
            "labels": GraphQLField(type: GraphQLList(GraphQLString)), "values": GraphQLField(type: floatList),
        ])
        let histogramArguments: GraphQLArgumentConfigMap = [
            "slug": GraphQLArgument(type: GraphQLString), "selector": GraphQLArgument(type: selector), "from": GraphQLArgument(type: GraphQLString),
            "to": GraphQLArgument(type: GraphQLNonNull(GraphQLString)), "label": GraphQLArgument(type: GraphQLString),
            "aggregation": GraphQLArgument(type: aggregation), "limit": GraphQLArgument(type: GraphQLInt),
        ]

        let metric = try GraphQLObjectType(name: "Metric", fields: [
            "timeseriesData": GraphQLField(type: GraphQLList(point), args: oneSlug) { source, args, context, _ in
                try await resolvers.points(source, args, context, json: false)
            },
            "timeseriesDataJson": GraphQLField(type: json, args: oneSlug) { source, args, context, _ in
                try await resolvers.points(source, args, context, json: true)
            },
            "timeseriesDataPerSlug": GraphQLField(type: GraphQLList(perSlugPoint), args: manySlugs) { source, args, context, _ in
                try await resolvers.perSlug(source, args, context, json: false)
            },
            "timeseriesDataPerSlugJson": GraphQLField(type: json, args: manySlugs) { source, args, context, _ in
                try await resolvers.perSlug(source, args, context, json: true)
            },
            "histogramData": GraphQLField(type: histogram, args: histogramArguments) { source, args, context, _ in
                try await resolvers.histogram(source, args, context)
            },
            "aggregatedTimeseriesData": GraphQLField(
                type: GraphQLFloat,
                args: oneSlug.filter { $0.key != "interval" && $0.key != "includeIncompleteData" }
            ) { source, args, context, _ in
                try await resolvers.aggregated(source, args, context)
            },
            "metadata": GraphQLField(type: metadata) { source, _, context, _ in try await resolvers.metadata(source, context) },
            "availableSince": GraphQLField(type: GraphQLString, args: slugArgument) { source, args, _, _ in
                try await resolvers.sampleTime(source, args, first: true)
            },
            "lastDatetimeComputedAt": GraphQLField(type: GraphQLString, args: slugArgument) { source, args, _, _ in
                try await resolvers.sampleTime(source, args, first: false)
            },
            "availableSlugs": GraphQLField(type: GraphQLList(GraphQLString)) { source, _, _, _ in
                try await resolvers.queries.chains(metric: Resolvers.metric(source).name)
            },
        ])
        let query = try GraphQLObjectType(name: "Query", fields: [
            "getMetric": GraphQLField(
                type: metric, args: ["metric": GraphQLArgument(type: GraphQLNonNull(GraphQLString)), "version": GraphQLArgument(type: GraphQLString)]
            ) { _, args, _, _ in
                try await resolvers.getMetric(args)
            },
            "getAvailableMetrics": GraphQLField(type: GraphQLList(GraphQLString), args: ["slug": GraphQLArgument(type: GraphQLString)]) { _, args, _, _ in
                try await resolvers.availableMetrics(args)
            },
            "getAvailableSlugs": GraphQLField(type: GraphQLList(GraphQLString)) { _, _, _, _ in
                try await resolvers.queries.chains()
            },
        ])
        return try GraphQLSchema(query: query)
    }
}

/// What the fields do.
struct Resolvers: Sendable {
    let queries: MetricQueries

    /// The `Metric` object a `getMetric` resolves to.
    struct MetricObject: Sendable {
        let metric: MetricQueries.Metric
    }

    static func metric(_ source: any Sendable) throws -> MetricQueries.Metric {
        guard let object = source as? MetricObject else { throw GraphQLError(message: "not a metric") }
        return object.metric
    }

    static func context(_ context: any Sendable) -> GraphQLAPI.RequestContext {
        (context as? GraphQLAPI.RequestContext) ?? .init(plan: nil, nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// The arguments as JSON (enum values as their names' values, label values as strings).
    static func arguments(_ args: Map) -> JSON {
        guard let data = try? JSONEncoder().encode(args), let json = try? JSON.parse(String(decoding: data, as: UTF8.self)) else { return .object([]) }
        return json
    }

    func getMetric(_ args: Map) async throws -> MetricObject {
        let arguments = Self.arguments(args)
        let metric = try await queries.metric(named: arguments["metric"]?.stringValue ?? "")
        if let version = arguments["version"]?.stringValue, version != metric.version {
            throw GraphQLError(message: "metric \"\(metric.name)\" has version \(metric.version), not \(version)")
        }
        return MetricObject(metric: metric)
    }

    func availableMetrics(_ args: Map) async throws -> [String] {
        let chain = Self.arguments(args)["slug"]?.stringValue
        let byMetric = try await queries.store.chainsByMetric()
        return try await queries.metrics().map(\.name).filter { chain == nil || byMetric[$0]?.contains(chain!) == true }
    }

    /// The planned query of one chain (`slug`, or the selector's `slug`) and its labels.
    func plan(_ metric: MetricQueries.Metric, _ arguments: JSON, chain: String?, interval: String?, context: GraphQLAPI.RequestContext) async throws -> TimeseriesQuery {
        try metric.checkAccess(with: context.plan)
        guard let chain = chain ?? arguments["slug"]?.stringValue ?? arguments["selector"]?["slug"]?.stringValue else {
            throw QueryError.badArgument("slug", "missing: give slug or selector: {slug: …}")
        }
        var labels = [String: String]()
        if case let .object(members)? = arguments["selector"] {
            for member in members where member.key != "slug" && member.key != "slugs" {
                labels[member.key] = member.value.stringValue
            }
        }
        let aggregation = arguments["aggregation"]?.stringValue?.lowercased()
        return try await queries.plan(
            metric: metric.name, chain: chain, labels: labels, from: arguments["from"]?.stringValue ?? "", to: arguments["to"]?.stringValue ?? "",
            interval: interval, aggregation: aggregation == "ohlc" ? nil : aggregation, nowMilliseconds: context.nowMilliseconds)
    }

    func points(_ source: any Sendable, _ args: Map, _ context: any Sendable, json: Bool) async throws -> (any Sendable)? {
        let metric = try Self.metric(source), arguments = Self.arguments(args), context = Self.context(context)
        var query = try await plan(metric, arguments, chain: nil, interval: arguments["interval"]?.stringValue, context: context)
        let incomplete = arguments["includeIncompleteData"] == .bool(true)
        if arguments["aggregation"]?.stringValue?.lowercased() == "ohlc" {
            guard !json else { throw QueryError.badArgument("aggregation", "OHLC is answered by timeseriesData only") }
            var columns = [[Int64: Double]]()
            for aggregation in [Aggregation.first, .max, .min, .last] {
                query.aggregation = aggregation
                let points = try await queries.timeseries(query, includeIncompleteData: incomplete, nowMilliseconds: context.nowMilliseconds)
                columns.append(Dictionary(points.map { ($0.time, $0.value) }, uniquingKeysWith: { first, _ in first }))
            }
            return columns[0].keys.sorted().map { time -> [String: any Sendable] in
                let ohlc: [String: any Sendable] = ["open": columns[0][time], "high": columns[1][time], "low": columns[2][time], "close": columns[3][time]]
                return ["datetime": QueryTime.iso8601(time), "valueOhlc": ohlc]
            }
        }
        let points = try await queries.timeseries(query, includeIncompleteData: incomplete, nowMilliseconds: context.nowMilliseconds)
        if json {
            return Map.array(points.map { ["datetime": .string(QueryTime.iso8601($0.time)), "value": Self.number($0.value)] })
        }
        return points.map { point -> [String: any Sendable] in ["datetime": QueryTime.iso8601(point.time), "value": point.value] }
    }

    func perSlug(_ source: any Sendable, _ args: Map, _ context: any Sendable, json: Bool) async throws -> (any Sendable)? {
        let metric = try Self.metric(source), arguments = Self.arguments(args), context = Self.context(context)
        guard let slugs = arguments["selector"]?["slugs"]?.arrayValue?.compactMap(\.stringValue), !slugs.isEmpty else {
            throw QueryError.badArgument("selector", "missing: give selector: {slugs: [\"polkadot\", \"kusama\"]}")
        }
        // Each slug is a query of its own: bounded, like the points of one answer.
        guard slugs.count <= Self.maximumSlugs else {
            throw QueryError.badArgument("selector", "\(slugs.count) slugs in one query, more than the \(Self.maximumSlugs) allowed: split it")
        }
        var byTime = [Int64: [(String, Double)]]()
        for slug in slugs {
            let query = try await plan(metric, arguments, chain: slug, interval: arguments["interval"]?.stringValue, context: context)
            let incomplete = arguments["includeIncompleteData"] == .bool(true)
            for point in try await queries.timeseries(query, includeIncompleteData: incomplete, nowMilliseconds: context.nowMilliseconds) {
                byTime[point.time, default: []].append((slug, point.value))
            }
        }
        let times = byTime.keys.sorted()
        if json {
            return Map.array(times.map { time in
                ["datetime": .string(QueryTime.iso8601(time)), "data": .array(byTime[time]!.map { ["slug": .string($0.0), "value": Self.number($0.1)] })]
            })
        }
        return times.map { time -> [String: any Sendable] in
            ["datetime": QueryTime.iso8601(time), "data": byTime[time]!.map { pair -> [String: any Sendable] in ["slug": pair.0, "value": pair.1] }]
        }
    }

    func aggregated(_ source: any Sendable, _ args: Map, _ context: any Sendable) async throws -> Double? {
        let metric = try Self.metric(source), arguments = Self.arguments(args), context = Self.context(context)
        var query = try await plan(metric, arguments, chain: nil, interval: nil, context: context)
        query.interval = .whole
        return try await queries.timeseries(query, includeIncompleteData: true, nowMilliseconds: context.nowMilliseconds).first?.value
    }

    /// One label's values ranked over the range (`MetricQueries.histogram`); from the first
    /// sample when `from` is not given, as Sanbase's all-time histograms.
    func histogram(_ source: any Sendable, _ args: Map, _ context: any Sendable) async throws -> [String: any Sendable] {
        let metric = try Self.metric(source), context = Self.context(context)
        var arguments = Self.arguments(args)
        if arguments["from"] == nil, case var .object(members) = arguments {
            members.append(JSON.Member("from", .string(MetricQueries.allTime)))
            arguments = .object(members)
        }
        let query = try await plan(metric, arguments, chain: nil, interval: nil, context: context)
        let limit = arguments["limit"]?.uint64Value.map { Int(clamping: $0) } ?? 20
        let ranked = try await queries.histogram(query, label: arguments["label"]?.stringValue, limit: limit)
        return ["labels": ranked.map(\.label), "values": ["data": ranked.map { Self.number($0.value) }] as [String: any Sendable]]
    }

    /// Sanbase's `metadata`; `isAccessible` says whether this request's key opens the metric.
    func metadata(_ source: any Sendable, _ context: any Sendable) async throws -> [String: any Sendable] {
        let metric = try Self.metric(source), context = Self.context(context)
        return [
            "metric": metric.name, "humanReadableName": metric.humanReadableName, "help": metric.help, "unit": metric.unit ?? "",
            "version": metric.version, "minInterval": QueryInterval.fixed(milliseconds: max(metric.minimumInterval, 1) * 1000).description,
            "defaultAggregation": metric.defaultAggregation.rawValue.uppercased(),
            "availableAggregations": Aggregation.allCases.map { $0.rawValue.uppercased() } + ["OHLC"],
            "availableSelectors": ["SLUG"] + metric.labels.map { $0.uppercased() },
            "availableSlugs": try await queries.chains(metric: metric.name), "dataType": metric.dataType.uppercased(),
            "isAccessible": metric.isAccessible(with: context.plan), "isRestricted": metric.isRestricted,
            "hasIncompleteData": metric.hasIncompleteData, "docs": metric.docs.map { ["link": $0] as [String: any Sendable] }, "minPlan": metric.minPlan.apiName,
        ]
    }

    func sampleTime(_ source: any Sendable, _ args: Map, first: Bool) async throws -> String? {
        let metric = try Self.metric(source)
        guard let slug = Self.arguments(args)["slug"]?.stringValue else { return nil }
        guard let times = try await queries.store.sampleTimes(metric: metric.name, chain: slug) else { return nil }
        return QueryTime.iso8601(first ? times.first : times.last)
    }

    static let maximumSlugs = 20

    static func number(_ value: Double) -> Map {
        value.isFinite ? .number(Number(value)) : .null
    }
}

/// Which definitions history loads, and how often it samples them, as the reference exporter
/// chose per pallet: entries naming metrics (a name, or a glob with `*` and `?`:
/// `nomination_pool_*`), each with its own `every` or `schedule` if it gives one; pallets (the
/// definitions reading any of them); and `every` for the gauges no entry spaces. Without
/// entries or pallets, every definition. Counters and histograms are read at every block
/// whatever is asked: they count what each block did. A spacing other than the definition's
/// own is recorded with its version (`1@every600`, `1@hourly`), so that a load at another
/// spacing is not taken as done.
public struct HistorySelection: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var pattern: String
        public var sampling: MetricDefinition.Sampling?

        public init(_ pattern: String, sampling: MetricDefinition.Sampling? = nil) {
            self.pattern = pattern
            self.sampling = sampling
        }
    }

    public var entries: [Entry]?
    public var pallets: [String]?
    public var every: Int?

    public init(entries: [Entry]? = nil, pallets: [String]? = nil, every: Int? = nil) {
        self.entries = entries
        self.pallets = pallets
        self.every = every
    }

    /// An entry or a pallet that chooses no definition: a typo, named where it was given.
    public struct NothingChosen: Error, Sendable, CustomStringConvertible {
        public let what: String
        public var description: String { "\(what) matches no metric definition" }
    }

    /// The definitions chosen, each spaced as asked; in the order given.
    public func choose(from definitions: [MetricDefinition]) throws(NothingChosen) -> [MetricDefinition] {
        for entry in entries ?? [] where !definitions.contains(where: { Self.matches(entry.pattern, $0.name) }) {
            throw NothingChosen(what: "metric \(entry.pattern)")
        }
        for pallet in pallets ?? [] where !definitions.contains(where: { Self.reads($0, pallet: pallet) }) {
            throw NothingChosen(what: "pallet \(pallet)")
        }
        return definitions.compactMap { definition in
            let entry = entries?.first { Self.matches($0.pattern, definition.name) }
            guard entries == nil || entry != nil else { return nil }
            if let pallets, !pallets.contains(where: { Self.reads(definition, pallet: $0) }) { return nil }
            let sampling = entry?.sampling ?? every.map { .everyBlocks($0) }
            guard let sampling, definition.kind == .gauge, sampling != definition.sampling else { return definition }
            var spaced = definition
            spaced.sampling = sampling
            spaced.version = "\(definition.version)@\(Self.text(of: sampling))"
            return spaced
        }
    }

    /// Whether a definition reads `pallet` (any of its sources, a collector's every pallet, or a
    /// pallet it requires); names compare without case.
    static func reads(_ definition: MetricDefinition, pallet: String) -> Bool {
        let read = definition.sources.flatMap { source in
            if case let .collector(name, _, _) = source, let spec = CollectorCatalog.spec(named: name) { return spec.reads }
            return source.pallets
        }
        return (read + definition.requires).contains { $0.lowercased() == pallet.lowercased() }
    }

    static func text(of sampling: MetricDefinition.Sampling) -> String {
        switch sampling {
        case let .everyBlocks(blocks): "every\(blocks)"
        case let .schedule(schedule): schedule.rawValue
        }
    }

    /// Whether `name` matches `pattern`, where `*` stands for any run of characters and `?` for one.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let (pattern, name) = (Array(pattern), Array(name))
        // The last `*` seen and the name position it was tried at, to backtrack to.
        var (p, n) = (0, 0)
        var star: (pattern: Int, name: Int)?
        while n < name.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == name[n] {
                (p, n) = (p + 1, n + 1)
            } else if p < pattern.count, pattern[p] == "*" {
                star = (p, n)
                p += 1
            } else if let last = star {
                star = (last.pattern, last.name + 1)
                (p, n) = (last.pattern + 1, last.name + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

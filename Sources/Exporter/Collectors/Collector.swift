import ExactJSON
import SCALE
import Substrate
import Synchronization

/// Logic that a definition's data cannot express, bound to one runtime. A collector reads the
/// block like the declarative sources do: its fixed storage keys go into the block's one batched
/// query, and keys that depend on those values (each pool's entries, the active era's exposure)
/// into one follow-up query shared by all collectors. It gives named values (`transfers`,
/// `tokens`); definitions pick one with `source: { collector: NAME, value: VALUE }`.
protocol Collector: Sendable {
    /// Storage keys (`0x` hex) read at every block.
    var storageKeys: [String] { get }
    /// Map prefixes (`0x`) whose keys the collector needs listed, chosen from the values of
    /// `storageKeys` at this block: the entries of the active era's exposures. A listing is
    /// read once and kept, so only prefixes whose keys no longer change while they are asked
    /// for belong here. The keys come in `BlockContext.listedKeys`, before `followUpKeys`.
    func listedPrefixes(_ block: BlockContext) throws(CollectorError) -> [String]
    /// Keys to read next, chosen from the values of `storageKeys` at this block.
    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String]
    /// Keys to read at the parent block's state, chosen from this block's events: what the
    /// block replaced (a referendum's track, gone from its record once it ends). They come in
    /// `BlockContext.parentStorage`.
    func parentKeys(_ block: BlockContext) throws(CollectorError) -> [String]
    /// Keys worth reading along with later blocks' first query: the follow-up keys and those
    /// the collector expects to need next (the next era's), so that history rarely needs a
    /// second query per block.
    func predictedKeys(_ block: BlockContext) throws(CollectorError) -> [String]
    /// The values at this block: samples named by value, token amounts in planck.
    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample]
    /// The parts of the block's body it reads: when they do not decode, it fails for the block.
    var blockParts: BlockParts { get }
}

/// A collector that reads the block's state with calls of its own (every entry of a map, sizes),
/// at the blocks its definitions' schedule picks.
protocol ScheduledCollector: Sendable {
    func collect(_ state: StateReader, _ block: BlockContext) async throws -> [Sample]
}

extension Collector {
    var storageKeys: [String] { [] }
    var blockParts: BlockParts { [] }
    func listedPrefixes(_ block: BlockContext) throws(CollectorError) -> [String] { [] }
    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String] { [] }
    func parentKeys(_ block: BlockContext) throws(CollectorError) -> [String] { [] }
    func predictedKeys(_ block: BlockContext) throws(CollectorError) -> [String] { try followUpKeys(block) }
}

public struct CollectorError: Error, Sendable, CustomStringConvertible {
    public let collector: String
    public let message: String
    public var reason: MetricFailure.Reason = .shape
    public var description: String { "collector \(collector): \(message)" }

    public init(collector: String, message: String, reason: MetricFailure.Reason = .shape) {
        self.collector = collector
        self.message = message
        self.reason = reason
    }
}

/// What a collector offers to definitions, and how to bind it to a runtime.
public struct CollectorSpec: Sendable {
    public let name: String
    /// Its values, each with the labels it fills.
    public let values: [String: Set<String>]
    /// The value of a definition that names none.
    public let defaultValue: String
    /// Values given only at some blocks (the last submission of a kind), which hold until the
    /// next; every other value is given in full at each block it is collected.
    public var stickyValues: Set<String> = []
    /// The pallets it reads, where it reads only those: a definition with several sources
    /// passes over it on a runtime without them (as over a storage source of a missing pallet).
    public var pallets: [String] = []
    /// Every pallet it may read, for choosing definitions by pallet (`HistorySelection`):
    /// `pallets`, and those it reads beside them or in place of one another.
    public private(set) var reads: [String] = []
    /// The options a definition's source may give it (`names`), beside `value`.
    public var options: Set<String> = []
    /// Why an option's value will not do, or nil: checked when definitions load.
    private let optionCheck: @Sendable (String, JSON) -> String?
    private let binder: @Sendable (RuntimeMetadata, JSON) throws(CollectorError) -> Binding

    init(
        name: String, values: [String: Set<String>], defaultValue: String, stickyValues: Set<String> = [], pallets: [String] = [],
        bind: @escaping @Sendable (RuntimeMetadata) throws(CollectorError) -> Binding
    ) {
        self.init(name: name, values: values, defaultValue: defaultValue, stickyValues: stickyValues, pallets: pallets, options: [], check: { _, _ in nil }) {
            metadata, _ throws(CollectorError) in try bind(metadata)
        }
    }

    /// A collector that takes options from its definitions' source.
    init(
        name: String, values: [String: Set<String>], defaultValue: String, stickyValues: Set<String> = [], pallets: [String] = [],
        options: Set<String>, check: @escaping @Sendable (String, JSON) -> String?,
        bind: @escaping @Sendable (RuntimeMetadata, JSON) throws(CollectorError) -> Binding
    ) {
        self.name = name
        self.values = values
        self.defaultValue = defaultValue
        self.stickyValues = stickyValues
        self.pallets = pallets
        reads = pallets
        self.options = options
        optionCheck = check
        binder = bind
    }

    /// The same, reading `more` pallets too (see `reads`).
    func reading(_ more: [String]) -> CollectorSpec {
        var spec = self
        spec.reads += more
        return spec
    }

    /// Binds the collector to one runtime, with the options of the definition naming it.
    func bind(_ metadata: RuntimeMetadata, options: JSON = .null) throws(CollectorError) -> Binding {
        try binder(metadata, options)
    }

    func checkOption(_ option: String, _ value: JSON) -> String? {
        optionCheck(option, value)
    }

    enum Binding {
        case bound(any Collector)
        case scheduled(any ScheduledCollector)
        /// The runtime lacks what the collector reads: it yields nothing for this runtime.
        case missing(String)
    }
}

/// Every collector there is, by name.
public enum CollectorCatalog {
    public static let all: [CollectorSpec] = [
        RuntimeVersionCollector.spec, XCMTransfersCollector.spec, NominationPoolsCollector.spec, StakingExposureCollector.spec,
        ElectionSubmissionsCollector.spec, MultiBlockElectionCollector.spec, ElectionPhaseCollector.spec, VoterBagsCollector.spec, StorageSizeCollector.spec,
        ReferendaCollector.spec, ReferendaStatusCollector.spec, ConvictionVotingCollector.spec, ParachainNamesCollector.spec,
    ]

    public static func spec(named name: String) -> CollectorSpec? {
        all.first { $0.name == name }
    }
}

/// Storage access for collectors: keys built and values decoded with one runtime's types.
struct CollectorStorage: Sendable {
    let collector: String
    /// What does not change, behind one reference: collectors capture and copy their storage
    /// in every closure, at every block.
    private let runtime: Runtime

    private final class Runtime: Sendable {
        let metadata: RuntimeMetadata
        let keys: StorageKeyBuilder
        let decoder: ValueDecoder
        let built = KeyMemo()

        init(metadata: RuntimeMetadata) {
            self.metadata = metadata
            keys = StorageKeyBuilder(metadata: metadata)
            decoder = ValueDecoder(registry: metadata.types)
        }
    }

    var metadata: RuntimeMetadata { runtime.metadata }
    private var keys: StorageKeyBuilder { runtime.keys }
    private var decoder: ValueDecoder { runtime.decoder }
    private var built: KeyMemo { runtime.built }

    init(collector: String, metadata: RuntimeMetadata) {
        self.collector = collector
        runtime = Runtime(metadata: metadata)
    }

    /// Keys built before: collectors ask for the same entries (each pool's, each validator's)
    /// block after block, and a key costs an encoding, hashing and hex. Bounded: emptied when full.
    fileprivate final class KeyMemo: Sendable {
        struct Request: Hashable {
            let pallet: String
            let item: String
            let keys: [Value]
        }

        static let capacity = 200_000
        let keys = Mutex<[Request: String]>([:])
    }

    func fail(_ message: String, _ reason: MetricFailure.Reason = .shape) -> CollectorError {
        CollectorError(collector: collector, message: message, reason: reason)
    }

    func has(_ pallet: String, _ item: String) -> Bool {
        metadata.storageEntry(pallet: pallet, item: item) != nil
    }

    /// The `0x` key of an item, or of a map entry with `keyValues` (typed as the map's keys);
    /// with fewer keys, the prefix of the entries under them.
    func key(_ pallet: String, _ item: String, _ keyValues: [Value] = []) throws(CollectorError) -> String {
        let request = KeyMemo.Request(pallet: pallet, item: item, keys: keyValues)
        if let known = built.keys.withLock({ $0[request] }) { return known }
        let key = Hex.encode(try keyBytes(pallet, item, keyValues))
        built.keys.withLock { keys in
            if keys.count >= KeyMemo.capacity { keys.removeAll(keepingCapacity: true) }
            keys[request] = key
        }
        return key
    }

    func keyBytes(_ pallet: String, _ item: String, _ keyValues: [Value] = []) throws(CollectorError) -> [UInt8] {
        do {
            return try keys.key(pallet: pallet, item: item, keys: keyValues)
        } catch {
            throw fail("\(pallet).\(item) key: \(error)", .missing)
        }
    }

    /// The value stored under `key` at this block: the item's default when absent (nil for an
    /// absent `Option` item). A key that was not fetched is an error, never a silent zero.
    func value(_ pallet: String, _ item: String, key: String, in block: BlockContext) throws(CollectorError) -> Value? {
        try decoded(pallet, item, key: key, in: block) { type, bytes throws(SCALEError) in try decoder.decode(type, bytes: bytes) }
    }

    /// The value stored under `key` at the parent block's state (`Collector.parentKeys`).
    func parentValue(_ pallet: String, _ item: String, key: String, in block: BlockContext) throws(CollectorError) -> Value? {
        try decoded(pallet, item, key: key, in: block, parent: true) { type, bytes throws(SCALEError) in try decoder.decode(type, bytes: bytes) }
    }

    /// The value at a field path (`data.free`) of what is stored under `key`, decoding only
    /// what leads there; nil when the entry is absent (an `Option` item) or has no such field.
    func value(_ pallet: String, _ item: String, key: String, in block: BlockContext, at path: String) throws(CollectorError) -> Value? {
        try decoded(pallet, item, key: key, in: block) { type, bytes throws(SCALEError) in try decoder.decode(type, bytes: bytes, at: path) } ?? nil
    }

    /// The single integer at a field path of what is stored under `key`, read straight from the
    /// bytes (`ValueDecoder.integers`); nil when the entry is absent (an `Option` item).
    func number(_ pallet: String, _ item: String, key: String, in block: BlockContext, at path: String, what: @autoclosure () -> String) throws(CollectorError) -> UInt128? {
        guard let found = try decoded(pallet, item, key: key, in: block, { type, bytes throws(SCALEError) in try decoder.integers(type, bytes: bytes, at: path) }) else {
            return nil
        }
        return try single(found, at: path, what: what())
    }

    /// The integers at a field path (`*` for every element of a list) of what is stored under
    /// `key`, read straight from the bytes; nil when the entry is absent (an `Option` item).
    func integers(_ pallet: String, _ item: String, key: String, in block: BlockContext, at path: String) throws(CollectorError) -> [UInt128]? {
        guard let stored = try decoded(pallet, item, key: key, in: block, { type, bytes throws(SCALEError) in try decoder.integers(type, bytes: bytes, at: path) }) else {
            return nil
        }
        guard let found = stored else { throw fail("\(pallet).\(item) at block \(block.number) has no integer at \(path)") }
        return found
    }

    /// The bytes under `key` (or the item's default), decoded by `decode` as the item's type;
    /// nil when the entry is absent.
    private func decoded<Decoded>(
        _ pallet: String, _ item: String, key: String, in block: BlockContext, parent: Bool = false, _ decode: (UInt32, [UInt8]) throws(SCALEError) -> Decoded
    ) throws(CollectorError) -> Decoded? {
        guard let entry = metadata.storageEntry(pallet: pallet, item: item) else { throw fail("no storage item \(pallet).\(item)", .missing) }
        guard let stored = parent ? block.parentStorage[key] : block.storage[key] else {
            throw fail("\(pallet).\(item) was not fetched at block \(parent ? block.number - 1 : block.number)", .missing)
        }
        guard let bytes = stored ?? (entry.modifier == .default ? entry.defaultValue : nil) else { return nil }
        do {
            return try decode(entry.valueType, bytes)
        } catch {
            throw fail("\(pallet).\(item) at block \(block.number): \(error)", .undecodable)
        }
    }

    /// Every entry of a map at the block `state` reads, decoded, page by page (for scheduled
    /// collectors reading a whole map).
    func forEachEntry(
        _ pallet: String, _ item: String, state: StateReader, block: BlockContext, _ body: (String, Value) throws -> Void
    ) async throws {
        var reading = block
        try await state.forEachEntries(prefix: try keyBytes(pallet, item)) { entries in
            for (key, bytes) in entries {
                reading.storage[key] = bytes
                guard let decoded = try self.value(pallet, item, key: key, in: reading) else { continue }
                try body(key, decoded)
            }
        }
    }

    /// A constant's value.
    func constant(_ pallet: String, _ name: String) throws(CollectorError) -> Value {
        guard let constant = metadata.pallet(named: pallet)?.constants.first(where: { $0.name == name }) else {
            throw fail("no constant \(pallet).\(name)", .missing)
        }
        do {
            return try decoder.decode(constant.typeID, bytes: constant.value)
        } catch {
            throw fail("constant \(pallet).\(name): \(error)", .undecodable)
        }
    }

    /// The integer at a field path (alternatives `a|b`), looking through newtypes and compacts.
    /// `what` names the value in the error, built only when there is one (this runs for every
    /// pool and exposure at every block).
    func number(_ value: Value?, _ path: String? = nil, what: @autoclosure () -> String) throws(CollectorError) -> UInt128 {
        guard let value else { throw fail("\(what()) is missing", .missing) }
        return try single(value.integers(at: path), at: path, what: what())
    }

    /// The one integer a path found; an error naming `what` for none or several.
    private func single(_ found: [UInt128]?, at path: String?, what: @autoclosure () -> String) throws(CollectorError) -> UInt128 {
        guard let found, found.count == 1, let number = found.first else {
            throw fail("\(what()) has no non-negative integer at \(path ?? "the value")")
        }
        return number
    }
}

public import Substrate

/// Everything the definitions of one chain may read about one block, fetched once for all of
/// them: the decoded extrinsics and events, the header's values, and the storage values the
/// definitions asked for (read at this block, by `0x` key).
public struct BlockContext: Sendable {
    public let number: UInt64
    public let metadata: RuntimeMetadata
    public let tokenDecimals: Int
    public let timestampMilliseconds: UInt64?
    public var parentTimestampMilliseconds: UInt64?
    public let extrinsics: [Extrinsic]
    public let events: [EventRecord]
    /// Storage values by `0x` key; nil when the key holds nothing. Collectors' follow-up reads
    /// are added here before they collect.
    public var storage: [String: [UInt8]?]
    /// The keys under map prefixes collectors asked to have listed (`Collector.listedPrefixes`),
    /// by `0x` prefix.
    public var listedKeys: [String: [String]] = [:]
    /// Values read at the parent block's state, for collectors that need what a block's events
    /// changed (`Collector.parentKeys`: the track of a referendum its events end), by `0x` key.
    public var parentStorage: [String: [UInt8]?] = [:]
    /// Whether this block runs another runtime than the block before it (a runtime upgrade).
    public let runtimeUpgraded: Bool
    /// What of the block did not decode (its extrinsics or events are then empty here).
    public var undecoded: UndecodedParts

    public init(
        number: UInt64, metadata: RuntimeMetadata, tokenDecimals: Int, timestampMilliseconds: UInt64?,
        parentTimestampMilliseconds: UInt64?, extrinsics: [Extrinsic], events: [EventRecord], storage: [String: [UInt8]?],
        runtimeUpgraded: Bool = false, undecoded: UndecodedParts = UndecodedParts()
    ) {
        self.number = number
        self.metadata = metadata
        self.tokenDecimals = tokenDecimals
        self.timestampMilliseconds = timestampMilliseconds
        self.parentTimestampMilliseconds = parentTimestampMilliseconds
        self.extrinsics = extrinsics
        self.events = events
        self.storage = storage
        self.runtimeUpgraded = runtimeUpgraded
        self.undecoded = undecoded
    }

    /// Encoded length of the extrinsics, in bytes.
    public var extrinsicsLength: Int { extrinsics.reduce(0) { $0 + $1.bytes.count } }

    /// Events emitted while extrinsic `index` was applied.
    public func events(ofExtrinsic index: Int) -> [EventRecord] {
        events.filter { if case let .applyExtrinsic(phase) = $0.phase { phase == UInt32(index) } else { false } }
    }

    /// Whether extrinsic `index` succeeded, from its `System.ExtrinsicSuccess/Failed` event.
    public func succeeded(_ index: Int) -> Bool? {
        for event in events where event.pallet == "System" {
            guard case let .applyExtrinsic(phase) = event.phase, phase == UInt32(index) else { continue }
            if event.name == "ExtrinsicSuccess" { return true }
            if event.name == "ExtrinsicFailed" { return false }
        }
        return nil
    }
}

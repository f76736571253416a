import Substrate

/// OpenGov referenda moving through their lifecycle, by track and by event: submitted, decision
/// started, confirm started or aborted, confirmed, approved, rejected, cancelled, timed out and
/// killed (`Referenda`'s events of those names). Only `Submitted` and `DecisionStarted` carry
/// the track; for the others it is read from the referendum's record at the parent block, where
/// the referendum was still ongoing (its record keeps no track once it ends), or from the
/// `Submitted` event of the same block.
struct ReferendaCollector: Collector {
    static let lifecycle: Set<String> = [
        "Submitted", "DecisionStarted", "ConfirmStarted", "ConfirmAborted", "Confirmed", "Approved", "Rejected", "Cancelled", "TimedOut", "Killed",
    ]

    static let spec = CollectorSpec(
        name: "referenda", values: ["events": ["track", "event"]], defaultValue: "events", pallets: ["Referenda"]
    ) { metadata throws(CollectorError) in
        guard let (storage, tracks) = try ReferendumTracks.binding("referenda", metadata) else { return .missing("referenda: the runtime has no Referenda.ReferendumInfoFor") }
        return .bound(ReferendaCollector(storage: storage, tracks: tracks))
    }

    let storage: CollectorStorage
    let tracks: ReferendumTracks

    var blockParts: BlockParts { [.events] }

    private func lifecycleEvents(_ block: BlockContext) -> [EventRecord] {
        block.events.filter { $0.pallet == "Referenda" && Self.lifecycle.contains($0.name) }
    }

    private static func index(_ event: EventRecord) -> UInt32? { event.field("index")?.uint128.flatMap { UInt32(exactly: $0) } }

    /// Tracks named by the block's own events, for referenda submitted or decided in it.
    private static func namedTracks(_ events: [EventRecord]) -> [UInt32: UInt16] {
        var tracks = [UInt32: UInt16]()
        for event in events {
            if let index = index(event), let track = event.field("track")?.uint128.flatMap({ UInt16(exactly: $0) }) { tracks[index] = track }
        }
        return tracks
    }

    /// The records, at the parent block, of the referenda whose track the block's events do not name.
    func parentKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        let events = lifecycleEvents(block)
        let named = Self.namedTracks(events)
        var keys = [String]()
        for event in events {
            guard let index = Self.index(event), named[index] == nil else { continue }
            keys.append(try storage.key("Referenda", "ReferendumInfoFor", [.primitive(.u32(index))]))
        }
        return keys
    }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let events = lifecycleEvents(block)
        guard !events.isEmpty else { return [] }
        let trackOf = Self.namedTracks(events)
        var counts = [[Sample.Label]: UInt128]()
        for event in events {
            guard let index = Self.index(event) else {
                throw storage.fail("Referenda.\(event.name) at block \(block.number) has no index")
            }
            let track: UInt16
            if let named = trackOf[index] { track = named } else { track = try parentTrack(of: index, in: block, event: event.name) }
            counts[[Sample.Label("event", event.name), Sample.Label("track", tracks.name(track))], default: 0] += 1
        }
        return counts.map { Sample(metric: "events", labels: $0.key, value: SampleValue($0.value)) }
    }

    /// The track in the referendum's record at the parent block (`Ongoing`'s `track`).
    private func parentTrack(of index: UInt32, in block: BlockContext, event: String) throws(CollectorError) -> UInt16 {
        let key = try storage.key("Referenda", "ReferendumInfoFor", [.primitive(.u32(index))])
        guard let info = try storage.parentValue("Referenda", "ReferendumInfoFor", key: key, in: block) else {
            throw storage.fail("referendum \(index) (Referenda.\(event) at block \(block.number)) has no record at the parent block", .missing)
        }
        guard let track = info.value(at: "Ongoing.track")?.uint128.flatMap({ UInt16(exactly: $0) }) else {
            throw storage.fail("referendum \(index) (Referenda.\(event) at block \(block.number)) was not ongoing at the parent block (\(info.variantName ?? "?"))")
        }
        return track
    }
}

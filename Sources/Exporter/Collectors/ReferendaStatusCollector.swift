import Substrate

/// Referenda ongoing on each track, read from every `Referenda.ReferendumInfoFor` record: all
/// those `Ongoing`, those in their decision period (`deciding` set), and those among them
/// confirming. Every track of the runtime's `Tracks` constant has a value, 0 included. Reads
/// the whole map, so it runs on a schedule.
struct ReferendaStatusCollector: ScheduledCollector {
    static let spec = CollectorSpec(
        name: "referenda_status", values: ["ongoing": ["track"], "deciding": ["track"], "confirming": ["track"]], defaultValue: "ongoing",
        pallets: ["Referenda"]
    ) { metadata throws(CollectorError) in
        guard let (storage, tracks) = try ReferendumTracks.binding("referenda_status", metadata) else {
            return .missing("referenda_status: the runtime has no Referenda.ReferendumInfoFor")
        }
        return .scheduled(ReferendaStatusCollector(storage: storage, tracks: tracks))
    }

    let storage: CollectorStorage
    let tracks: ReferendumTracks

    func collect(_ state: StateReader, _ block: BlockContext) async throws -> [Sample] {
        var ongoing = [UInt16: UInt128]()
        var deciding = [UInt16: UInt128]()
        var confirming = [UInt16: UInt128]()
        try await storage.forEachEntry("Referenda", "ReferendumInfoFor", state: state, block: block) { key, info in
            guard let status = info.value(at: "Ongoing") else { return }
            guard let track = status.value(at: "track")?.uint128.flatMap({ UInt16(exactly: $0) }) else {
                throw storage.fail("Referenda.ReferendumInfoFor entry \(key.suffix(8)) is ongoing without a track")
            }
            ongoing[track, default: 0] += 1
            // `deciding: Option<DecidingStatus { since, confirming: Option<BlockNumber> }>`.
            guard let decision = status.value(at: "deciding"), decision.variantName != "None" else { return }
            deciding[track, default: 0] += 1
            if let confirm = decision.value(at: "confirming"), confirm.variantName != "None" { confirming[track, default: 0] += 1 }
        }
        let ids = tracks.ids + Set(ongoing.keys).subtracting(tracks.ids).sorted()
        return ids.flatMap { id in
            let label = [Sample.Label("track", tracks.name(id))]
            return [
                Sample(metric: "ongoing", labels: label, value: SampleValue(ongoing[id, default: 0])),
                Sample(metric: "deciding", labels: label, value: SampleValue(deciding[id, default: 0])),
                Sample(metric: "confirming", labels: label, value: SampleValue(confirming[id, default: 0])),
            ]
        }
    }
}

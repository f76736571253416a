import Substrate

/// The tracks of OpenGov's `Referenda` pallet as the runtime declares them (its `Tracks`
/// constant): each track's id and name, so that metrics say `root` or `small_spender` rather
/// than 0 or 32. Names are text padded with zeros to a fixed length in recent runtimes, plain
/// text or byte arrays in others; a track the constant does not list (a runtime that changed its tracks) is
/// named by its id.
struct ReferendumTracks: Sendable {
    let names: [UInt16: String]
    /// Track ids in the constant's order.
    let ids: [UInt16]

    init(_ storage: CollectorStorage, pallet: String = "Referenda") throws(CollectorError) {
        guard case let .sequence(items) = try storage.constant(pallet, "Tracks").kind else { throw storage.fail("\(pallet).Tracks is not a list") }
        var names = [UInt16: String]()
        var ids = [UInt16]()
        for item in items {
            guard let id = item.value(at: "0")?.uint128.flatMap({ UInt16(exactly: $0) }), let info = item.value(at: "1") else {
                throw storage.fail("\(pallet).Tracks has an entry without (id, info)")
            }
            ids.append(id)
            names[id] = Self.name(info.value(at: "name")) ?? String(id)
        }
        self.names = names
        self.ids = ids
    }

    func name(_ id: UInt16) -> String { names[id] ?? String(id) }

    /// What a referenda collector binds with: its storage access and the runtime's tracks; nil
    /// when the runtime keeps no `Referenda.ReferendumInfoFor`.
    static func binding(_ collector: String, _ metadata: RuntimeMetadata) throws(CollectorError) -> (CollectorStorage, ReferendumTracks)? {
        let storage = CollectorStorage(collector: collector, metadata: metadata)
        guard storage.has("Referenda", "ReferendumInfoFor") else { return nil }
        return (storage, try ReferendumTracks(storage))
    }

    /// A track's name: text or bytes, up to the first zero.
    private static func name(_ value: Value?) -> String? {
        guard let value else { return nil }
        if let text = value.string { return String(text.prefix { $0 != "\0" }) }
        guard let bytes = value.bytes ?? byteArray(value) else { return nil }
        let used = bytes.prefix { $0 != 0 }
        return used.isEmpty ? nil : String(decoding: used, as: UTF8.self)
    }

    /// `[u8; N]` decoded as an array of numbers.
    private static func byteArray(_ value: Value) -> [UInt8]? {
        guard case let .array(items) = value.kind else { return nil }
        let bytes = items.compactMap { $0.uint128.flatMap { UInt8(exactly: $0) } }
        return bytes.count == items.count ? bytes : nil
    }
}

import SCALE

/// Builds storage keys: `twox128(pallet prefix) ‖ twox128(item)`, then for maps one hashed part
/// per key (`Blake2_128Concat`, `Twox64Concat`, `Identity`, …) as the entry's hashers say.
public struct StorageKeyBuilder: Sendable {
    public let metadata: RuntimeMetadata
    private let encoder: ValueEncoder

    public init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        encoder = ValueEncoder(registry: metadata.types)
    }

    public enum KeyError: Error, Sendable, CustomStringConvertible {
        case unknownEntry(String)
        case wrongKeyCount(entry: String, expected: Int, given: Int)
        case keyDoesNotFit(entry: String, position: Int, reason: String)
        /// A storage key (from `state_getKeysPaged`, say) that is not a key of this entry.
        case notAKeyOfEntry(entry: String, reason: String)

        public var description: String {
            switch self {
            case let .unknownEntry(name): "no storage entry \(name) in this runtime"
            case let .wrongKeyCount(entry, expected, given): "\(entry) takes \(expected) key(s), \(given) given"
            case let .keyDoesNotFit(entry, position, reason): "\(entry) key \(position): \(reason)"
            case let .notAKeyOfEntry(entry, reason): "not a key of \(entry): \(reason)"
            }
        }
    }

    /// The 32-byte prefix of every key of `Pallet.Item`.
    public static func prefix(pallet: String, item: String) -> [UInt8] {
        Twox.hash128(Array(pallet.utf8)) + Twox.hash128(Array(item.utf8))
    }

    /// The full key of an entry; `keys` may be fewer than the map's key count, giving the
    /// prefix shared by all entries under those first keys (for `state_getKeysPaged`).
    public func key(pallet: String, item: String, keys: [Value] = []) throws(KeyError) -> [UInt8] {
        let (name, entry, prefix) = try lookUp(pallet: pallet, item: item)
        var encodedKeys = [[UInt8]]()
        if case let .map(hashers, keyType, _) = entry.kind {
            let keyTypes = self.keyTypes(keyType, count: hashers.count)
            for (position, value) in keys.enumerated() where position < keyTypes.count {
                do {
                    encodedKeys.append(try encoder.encode(value, as: keyTypes[position]))
                } catch {
                    throw .keyDoesNotFit(entry: name, position: position, reason: error.description)
                }
            }
        }
        guard encodedKeys.count == keys.count else {
            throw .wrongKeyCount(entry: name, expected: encodedKeys.count, given: keys.count)
        }
        return try hashedKey(name: name, entry: entry, prefix: prefix, encodedKeys: encodedKeys)
    }

    /// Same as `key(pallet:item:keys:)` with keys given already SCALE-encoded.
    public func key(pallet: String, item: String, encodedKeys: [[UInt8]]) throws(KeyError) -> [UInt8] {
        let (name, entry, prefix) = try lookUp(pallet: pallet, item: item)
        return try hashedKey(name: name, entry: entry, prefix: prefix, encodedKeys: encodedKeys)
    }

    private func hashedKey(name: String, entry: StorageEntryMetadata, prefix: [UInt8], encodedKeys: [[UInt8]]) throws(KeyError) -> [UInt8] {
        let hashers: [StorageHasher]
        if case let .map(mapHashers, _, _) = entry.kind { hashers = mapHashers } else { hashers = [] }
        guard encodedKeys.count <= hashers.count else {
            throw .wrongKeyCount(entry: name, expected: hashers.count, given: encodedKeys.count)
        }
        var key = prefix
        for (hasher, encoded) in zip(hashers, encodedKeys) { key += hasher.hash(encoded) }
        return key
    }

    private func lookUp(pallet: String, item: String) throws(KeyError) -> (name: String, entry: StorageEntryMetadata, prefix: [UInt8]) {
        let name = "\(pallet).\(item)"
        guard let storage = metadata.pallet(named: pallet)?.storage, let entry = storage.entry(named: item) else {
            throw .unknownEntry(name)
        }
        return (name, entry, Self.prefix(pallet: storage.prefix, item: item))
    }

    /// Reads the key parts back out of a full storage key of a map: the decoded key for
    /// `Blake2_128Concat`, `Twox64Concat` and `Identity` parts, nil for the hash-only ones
    /// (whose keys cannot be recovered). Every byte of the key must be accounted for.
    public func keys(in storageKey: [UInt8], pallet: String, item: String) throws(KeyError) -> [Value?] {
        let (name, entry, prefix) = try lookUp(pallet: pallet, item: item)
        guard storageKey.starts(with: prefix) else { throw .notAKeyOfEntry(entry: name, reason: "the prefix differs") }
        guard case let .map(hashers, keyType, _) = entry.kind else {
            guard storageKey.count == prefix.count else { throw .notAKeyOfEntry(entry: name, reason: "a plain entry has no key parts") }
            return []
        }
        let keyTypes = self.keyTypes(keyType, count: hashers.count)
        let values = ValueDecoder(registry: metadata.types)
        var decoder = SCALEDecoder(storageKey)
        var keys = [Value?]()
        do throws(SCALEError) {
            try decoder.skip(prefix.count)
            for (hasher, type) in zip(hashers, keyTypes) where !decoder.isAtEnd {
                try decoder.skip(hasher.hashLength)
                keys.append(hasher.isConcat ? try values.decode(type, from: &decoder) : nil)
            }
            try decoder.expectEnd()
        } catch {
            throw .notAKeyOfEntry(entry: name, reason: error.description)
        }
        return keys
    }

    /// The type of each key part of an entry (none for a plain value), to build keys from
    /// written values; nil when there is no such entry.
    public func keyTypes(pallet: String, item: String) -> [UInt32]? {
        guard let entry = metadata.storageEntry(pallet: pallet, item: item) else { return nil }
        guard case let .map(hashers, keyType, _) = entry.kind else { return [] }
        return keyTypes(keyType, count: hashers.count)
    }

    /// One key type per hasher: a multi-key map's key type is the tuple of its parts.
    private func keyTypes(_ keyType: UInt32, count: Int) -> [UInt32] {
        if count > 1, case let .tuple(parts)? = metadata.types[keyType]?.definition, parts.count == count {
            return parts
        }
        return [keyType]
    }
}

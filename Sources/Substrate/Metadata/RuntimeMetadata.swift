import SCALE

/// Runtime metadata in one version-independent form, whichever of V14, V15 or V16 it was read from.
/// Lookup tables (pallets by name and index, storage entries, constants) are built once at load.
public struct RuntimeMetadata: Sendable {
    /// The metadata version it was decoded from (14, 15 or 16).
    public let version: UInt8
    public let types: TypeRegistry
    public let pallets: [PalletMetadata]
    public let extrinsic: ExtrinsicMetadata
    /// The outer `RuntimeCall`, `RuntimeEvent` and `RuntimeError` enums.
    public let outerEnums: OuterEnums
    /// Runtime API traits (V15 and later; empty for V14).
    public let apis: [RuntimeAPIMetadata]
    /// V15+ custom values, by name.
    public let custom: [String: CustomValue]

    private let palletIndexByName: [String: Int]
    private let palletPositionByIndex: [UInt8: Int]

    init(
        version: UInt8, types: TypeRegistry, pallets: [PalletMetadata], extrinsic: ExtrinsicMetadata,
        outerEnums: OuterEnums, apis: [RuntimeAPIMetadata], custom: [String: CustomValue]
    ) {
        self.version = version
        self.types = types
        self.pallets = pallets
        self.extrinsic = extrinsic
        self.outerEnums = outerEnums
        self.apis = apis
        self.custom = custom
        var byName = [String: Int]()
        var byIndex = [UInt8: Int]()
        for (position, pallet) in pallets.enumerated() {
            byName[pallet.name] = position
            byIndex[pallet.index] = position
        }
        palletIndexByName = byName
        palletPositionByIndex = byIndex
    }

    public func pallet(named name: String) -> PalletMetadata? {
        palletIndexByName[name].map { pallets[$0] }
    }

    public func pallet(index: UInt8) -> PalletMetadata? {
        palletPositionByIndex[index].map { pallets[$0] }
    }

    /// `Pallet.Item` storage entry.
    public func storageEntry(pallet: String, item: String) -> StorageEntryMetadata? {
        self.pallet(named: pallet)?.storage?.entry(named: item)
    }

    public func constant(pallet: String, name: String) -> ConstantMetadata? {
        self.pallet(named: pallet)?.constants.first { $0.name == name }
    }
}

public struct PalletMetadata: Sendable {
    public let name: String
    public let index: UInt8
    public let storage: PalletStorageMetadata?
    /// The pallet's `Call` enum type.
    public let callType: UInt32?
    public let eventType: UInt32?
    public let errorType: UInt32?
    public let constants: [ConstantMetadata]
    public let docs: [String]
    /// V16: the pallet's `Config` associated types, by name.
    public let associatedTypes: [AssociatedTypeMetadata]
    /// V16: the pallet's view functions.
    public let viewFunctions: [ViewFunctionMetadata]
}

public struct PalletStorageMetadata: Sendable {
    public let prefix: String
    public let entries: [StorageEntryMetadata]

    public func entry(named name: String) -> StorageEntryMetadata? {
        entries.first { $0.name == name }
    }
}

public struct StorageEntryMetadata: Sendable {
    public enum Modifier: UInt8, Sendable {
        /// An absent value reads as None.
        case optional = 0
        /// An absent value reads as `defaultValue`.
        case `default` = 1
    }

    public enum Kind: Sendable {
        case plain(value: UInt32)
        /// `key` is a tuple type when there are several hashers (one per key part).
        case map(hashers: [StorageHasher], key: UInt32, value: UInt32)
    }

    public let name: String
    public let modifier: Modifier
    public let kind: Kind
    public let defaultValue: [UInt8]
    public let docs: [String]

    public var valueType: UInt32 {
        switch kind {
        case let .plain(value), let .map(_, _, value): value
        }
    }
}

public enum StorageHasher: UInt8, Sendable, CaseIterable {
    case blake2_128 = 0, blake2_256, blake2_128Concat, twox128, twox256, twox64Concat, identity

    /// Whether the key's own bytes follow the hash, so the key can be read back from storage keys.
    public var isConcat: Bool { self == .blake2_128Concat || self == .twox64Concat || self == .identity }

    /// Bytes of hash before the (possibly) concatenated key.
    public var hashLength: Int {
        switch self {
        case .blake2_128, .twox128, .blake2_128Concat: 16
        case .blake2_256, .twox256: 32
        case .twox64Concat: 8
        case .identity: 0
        }
    }

    /// The hashed form of an encoded key part, as it appears in a storage key.
    public func hash(_ encodedKey: [UInt8]) -> [UInt8] {
        switch self {
        case .blake2_128: Blake2b.hash128(encodedKey)
        case .blake2_256: Blake2b.hash256(encodedKey)
        case .blake2_128Concat: Blake2b.hash128(encodedKey) + encodedKey
        case .twox128: Twox.hash128(encodedKey)
        case .twox256: Twox.hash256(encodedKey)
        case .twox64Concat: Twox.hash64(encodedKey) + encodedKey
        case .identity: encodedKey
        }
    }
}

public struct ConstantMetadata: Sendable {
    public let name: String
    public let typeID: UInt32
    /// SCALE bytes of the value.
    public let value: [UInt8]
    public let docs: [String]
}

public struct AssociatedTypeMetadata: Sendable {
    public let name: String
    public let typeID: UInt32
}

public struct ViewFunctionMetadata: Sendable {
    public let name: String
    public let id: [UInt8]
    public let inputs: [(name: String, typeID: UInt32)]
    public let output: UInt32
}

public struct ExtrinsicMetadata: Sendable {
    /// Extrinsic format versions the runtime accepts (4; 4 and 5 from V16).
    public let versions: [UInt8]
    public let addressType: UInt32
    public let callType: UInt32
    public let signatureType: UInt32
    /// Transaction (signed) extensions in the order their data appears in an extrinsic.
    public let transactionExtensions: [TransactionExtensionMetadata]
    /// V16: for each extension version byte of a v5 general extrinsic, the extensions it uses
    /// (positions in `transactionExtensions`). Before V16 every extrinsic uses all of them.
    public let extensionsByVersion: [UInt8: [Int]]

    /// The extensions an extrinsic carries: all of them for v4, the listed ones for a v5 version.
    public func extensions(forExtensionVersion version: UInt8?) -> [TransactionExtensionMetadata]? {
        guard let version, !extensionsByVersion.isEmpty else { return transactionExtensions }
        guard let positions = extensionsByVersion[version] else { return nil }
        return positions.compactMap { $0 < transactionExtensions.count ? transactionExtensions[$0] : nil }
    }
}

public struct TransactionExtensionMetadata: Sendable {
    public let identifier: String
    /// Data carried in the extrinsic.
    public let typeID: UInt32
    /// Data only signed over (`additional_signed` before V16).
    public let implicitTypeID: UInt32
}

public struct OuterEnums: Sendable {
    public let callType: UInt32
    public let eventType: UInt32
    /// V15+: the `RuntimeError` enum; nil for V14.
    public let errorType: UInt32?
}

public struct RuntimeAPIMetadata: Sendable {
    public let name: String
    public let methods: [RuntimeAPIMethod]
    /// V16: the API version.
    public let version: UInt32?
}

public struct RuntimeAPIMethod: Sendable {
    public let name: String
    public let inputs: [(name: String, typeID: UInt32)]
    public let output: UInt32
}

public struct CustomValue: Sendable {
    public let typeID: UInt32
    public let value: [UInt8]
}

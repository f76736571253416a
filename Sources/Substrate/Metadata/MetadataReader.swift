import SCALE

// Building blocks shared by the V14, V15 and V16 readers: the parts whose layout did not change,
// and the deprecation records V16 added (read and dropped: nothing downstream needs them yet).

extension SCALEDecoder {
    mutating func decodeOptionalTypeID() throws(SCALEError) -> UInt32? {
        try decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeTypeID() }
    }

    /// `Option<PalletStorageMetadata>`; V16 adds a deprecation record to each entry.
    mutating func decodePalletStorage(deprecationInfo: Bool) throws(SCALEError) -> PalletStorageMetadata? {
        try decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in
            let prefix = try d.decodeString()
            let entries = try d.decodeVector(minimumElementSize: 5) { (d: inout SCALEDecoder) throws(SCALEError) in
                let name = try d.decodeString()
                let modifierStart = d.position
                let modifierByte = try d.readByte()
                guard let modifier = StorageEntryMetadata.Modifier(rawValue: modifierByte) else {
                    throw d.error(.invalid("unknown storage modifier \(modifierByte)"), at: modifierStart)
                }
                let kind = try d.decodeStorageEntryKind()
                let defaultValue = try d.decodeByteVector()
                let docs = try d.decodeStrings()
                if deprecationInfo { try d.skipItemDeprecationInfo() }
                return StorageEntryMetadata(name: name, modifier: modifier, kind: kind, defaultValue: defaultValue, docs: docs)
            }
            return PalletStorageMetadata(prefix: prefix, entries: entries)
        }
    }

    private mutating func decodeStorageEntryKind() throws(SCALEError) -> StorageEntryMetadata.Kind {
        let start = position
        switch try readByte() {
        case 0:
            return .plain(value: try decodeTypeID())
        case 1:
            let hashers = try decodeVector { (d: inout SCALEDecoder) throws(SCALEError) in
                let hasherStart = d.position
                let raw = try d.readByte()
                guard let hasher = StorageHasher(rawValue: raw) else {
                    throw d.error(.invalid("unknown storage hasher \(raw)"), at: hasherStart)
                }
                return hasher
            }
            let key = try decodeTypeID()
            return .map(hashers: hashers, key: key, value: try decodeTypeID())
        case let tag:
            throw error(.invalid("unknown storage entry type \(tag)"), at: start)
        }
    }

    mutating func decodeConstants(deprecationInfo: Bool) throws(SCALEError) -> [ConstantMetadata] {
        try decodeVector(minimumElementSize: 4) { (d: inout SCALEDecoder) throws(SCALEError) in
            let constant = ConstantMetadata(
                name: try d.decodeString(), typeID: try d.decodeTypeID(),
                value: try d.decodeByteVector(), docs: try d.decodeStrings()
            )
            if deprecationInfo { try d.skipItemDeprecationInfo() }
            return constant
        }
    }

    /// `Option<{ ty }>` before V16; `Option<{ ty, deprecation_info: EnumDeprecationInfo }>` in V16.
    mutating func decodePalletEnumType(deprecationInfo: Bool) throws(SCALEError) -> UInt32? {
        try decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in
            let type = try d.decodeTypeID()
            if deprecationInfo { try d.skipEnumDeprecationInfo() }
            return type
        }
    }

    /// V16 `ItemDeprecationInfo`: NotDeprecated, DeprecatedWithoutNote, Deprecated { note, since }.
    mutating func skipItemDeprecationInfo() throws(SCALEError) {
        let start = position
        switch try readByte() {
        case 0, 1: return
        case 2: try skipDeprecationNote()
        case let tag: throw error(.invalid("unknown deprecation info \(tag)"), at: start)
        }
    }

    /// V16 `EnumDeprecationInfo`: `BTreeMap<u8, VariantDeprecationInfo>`, variants indexed 1 and 2.
    mutating func skipEnumDeprecationInfo() throws(SCALEError) {
        let count = try decodeLength(minimumElementSize: 2)
        for _ in 0..<count {
            _ = try readByte()
            let start = position
            switch try readByte() {
            case 1: continue
            case 2: try skipDeprecationNote()
            case let tag: throw error(.invalid("unknown variant deprecation info \(tag)"), at: start)
            }
        }
    }

    private mutating func skipDeprecationNote() throws(SCALEError) {
        _ = try decodeString()
        _ = try decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() }
    }

    mutating func decodeParameters() throws(SCALEError) -> [(name: String, typeID: UInt32)] {
        try decodeVector(minimumElementSize: 2) { (d: inout SCALEDecoder) throws(SCALEError) in
            (name: try d.decodeString(), typeID: try d.decodeTypeID())
        }
    }

    /// V15/V16 runtime APIs; V16 adds a deprecation record per method, then a version and a
    /// deprecation record per API.
    private mutating func decodeRuntimeAPIs(v16: Bool) throws(SCALEError) -> [RuntimeAPIMetadata] {
        try decodeVector(minimumElementSize: 3) { (d: inout SCALEDecoder) throws(SCALEError) in
            let name = try d.decodeString()
            let methods = try d.decodeVector(minimumElementSize: 4) { (d: inout SCALEDecoder) throws(SCALEError) in
                let method = RuntimeAPIMethod(
                    name: try d.decodeString(), inputs: try d.decodeParameters(), output: try d.decodeTypeID()
                )
                _ = try d.decodeStrings()
                if v16 { try d.skipItemDeprecationInfo() }
                return method
            }
            _ = try d.decodeStrings()
            var version: UInt32? = nil
            if v16 {
                version = try d.decodeCompact(UInt32.self)
                try d.skipItemDeprecationInfo()
            }
            return RuntimeAPIMetadata(name: name, methods: methods, version: version)
        }
    }

    /// Runtime APIs, outer enums and custom values: how V15 and V16 metadata end.
    mutating func decodeMetadataTail(v16: Bool) throws(SCALEError) -> (apis: [RuntimeAPIMetadata], outerEnums: OuterEnums, custom: [String: CustomValue]) {
        let apis = try decodeRuntimeAPIs(v16: v16)
        let outerEnums = OuterEnums(callType: try decodeTypeID(), eventType: try decodeTypeID(), errorType: try decodeTypeID())
        let entries = try decodeVector(minimumElementSize: 3) { (d: inout SCALEDecoder) throws(SCALEError) in
            (try d.decodeString(), CustomValue(typeID: try d.decodeTypeID(), value: try d.decodeByteVector()))
        }
        return (apis, outerEnums, Dictionary(entries, uniquingKeysWith: { _, last in last }))
    }
}

extension SCALEDecoder {
    /// A pallet as V14 lays it out; V15 appends the pallet's docs.
    mutating func decodePalletV14Layout(withDocs: Bool) throws(SCALEError) -> PalletMetadata {
        let name = try decodeString()
        let storage = try decodePalletStorage(deprecationInfo: false)
        let calls = try decodeOptionalTypeID()
        let event = try decodeOptionalTypeID()
        let constants = try decodeConstants(deprecationInfo: false)
        let error = try decodeOptionalTypeID()
        let index = try readByte()
        let docs = withDocs ? try decodeStrings() : []
        return PalletMetadata(
            name: name, index: index, storage: storage, callType: calls, eventType: event, errorType: error,
            constants: constants, docs: docs, associatedTypes: [], viewFunctions: []
        )
    }

    /// `Vec<{ identifier, ty, additional_signed | implicit }>`, the same in every version.
    mutating func decodeTransactionExtensions() throws(SCALEError) -> [TransactionExtensionMetadata] {
        try decodeVector(minimumElementSize: 3) { (d: inout SCALEDecoder) throws(SCALEError) in
            TransactionExtensionMetadata(
                identifier: try d.decodeString(), typeID: try d.decodeTypeID(), implicitTypeID: try d.decodeTypeID()
            )
        }
    }
}

extension RuntimeMetadata {
    /// Runs a version reader (or writer), turning its SCALE errors into `MetadataError.malformed`.
    static func translatingErrors<Result>(_ read: () throws -> Result) throws(MetadataError) -> Result {
        do {
            return try read()
        } catch let error as SCALEError {
            throw .malformed(error)
        } catch let error as MetadataError {
            throw error
        } catch {
            throw .incomplete("\(error)")
        }
    }
}

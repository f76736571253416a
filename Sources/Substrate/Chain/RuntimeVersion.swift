/// `sp_version::RuntimeVersion`, as the `System.Version` constant holds it and
/// `state_getRuntimeVersion` returns it.
public struct RuntimeVersion: Sendable, Hashable {
    public let specName: String
    public let implName: String
    public let authoringVersion: UInt32
    public let specVersion: UInt32
    public let implVersion: UInt32
    public let transactionVersion: UInt32?
    public let stateVersion: UInt8?
}

extension RuntimeMetadata {
    /// Decodes a constant's value with its type.
    public func constantValue(pallet: String, name: String) throws(ChainDecodingError) -> Value? {
        guard let constant = constant(pallet: pallet, name: name) else { return nil }
        do {
            return try ValueDecoder(registry: types).decode(constant.typeID, bytes: constant.value)
        } catch {
            throw ChainDecodingError("constant \(pallet).\(name)", error)
        }
    }

    /// The runtime version the metadata describes (from the `System.Version` constant).
    public var runtimeVersion: RuntimeVersion? {
        guard let value = try? constantValue(pallet: "System", name: "Version"),
              let specName = value[field: "spec_name"]?.string,
              let specVersion = value[field: "spec_version"]?.uint64.flatMap({ UInt32(exactly: $0) })
        else { return nil }
        return RuntimeVersion(
            specName: specName,
            implName: value[field: "impl_name"]?.string ?? "",
            authoringVersion: value[field: "authoring_version"]?.uint64.flatMap { UInt32(exactly: $0) } ?? 0,
            specVersion: specVersion,
            implVersion: value[field: "impl_version"]?.uint64.flatMap { UInt32(exactly: $0) } ?? 0,
            transactionVersion: value[field: "transaction_version"]?.uint64.flatMap { UInt32(exactly: $0) },
            stateVersion: value[field: "state_version"]?.uint64.flatMap { UInt8(exactly: $0) }
        )
    }

    /// The chain's SS58 prefix from the `System.SS58Prefix` constant.
    public var ss58Prefix: UInt16? {
        (try? constantValue(pallet: "System", name: "SS58Prefix"))?.uint64.flatMap { UInt16(exactly: $0) }
    }
}

public import SCALE

/// One extrinsic of a block, decoded with the metadata of the block's runtime.
///
/// Formats: v4 (`0x04` unsigned, `0x84` signed: address, signature, extensions, call) and
/// v5 (`0x05` bare, `0x45` general: extension version byte, extensions, call).
public struct Extrinsic: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Unsigned v4, or bare v5 (inherents such as `Timestamp.set`).
        case bare
        /// v4 signed: address and signature before the extensions.
        case signed
        /// v5 general: extensions chosen by an extension version byte, no signature in the envelope.
        case general(extensionVersion: UInt8)
    }

    /// The extrinsic's bytes, including its `Compact<u32>` length prefix.
    public let bytes: [UInt8]
    public let version: UInt8
    public let kind: Kind
    public let address: Value?
    public let signature: Value?
    /// Transaction extension values in order, with their identifiers (`CheckNonce`, `ChargeTransactionPayment`…).
    public let extensions: [(identifier: String, value: Value)]
    public let call: Call

    /// blake2b-256 of the bytes including the length prefix (the extrinsic hash explorers show).
    public var hash: [UInt8] { Blake2b.hash256(bytes) }

    public var isSigned: Bool { kind == .signed }

    public func extensionValue(_ identifier: String) -> Value? {
        extensions.first { $0.identifier == identifier }?.value
    }

    /// The signer's account id (the `Id` of a `MultiAddress`, or a bare `AccountId`).
    public var signerAccount: [UInt8]? {
        guard let address else { return nil }
        if let raw = address.bytes { return raw }
        if case let .variant(variant) = address.kind, ["Id", "Address32", "Address20"].contains(variant.name),
           variant.fields.count == 1
        {
            return variant.fields[0].value.bytes
        }
        return nil
    }

    /// The signer as SS58 for 32-byte accounts, as 0x hex for 20-byte (Ethereum-style) ones.
    public func signer(ss58Prefix: UInt16) -> String? {
        guard let account = signerAccount else { return nil }
        return account.count == 32 ? SS58.encode(account, prefix: ss58Prefix) : Hex.encode(account)
    }

    /// `CheckNonce`.
    public var nonce: UInt64? { extensionValue("CheckNonce")?.uint64 }

    /// The tip from `ChargeTransactionPayment`, or the `tip` of `ChargeAssetTxPayment`-style extensions.
    public var tip: UInt128? {
        for (identifier, value) in extensions where identifier.hasPrefix("Charge") || identifier.contains("TxPayment") {
            if let tip = value.uint128 ?? value.value(at: "tip")?.uint128 { return tip }
        }
        return nil
    }
}

/// Decodes extrinsics with one runtime's metadata.
public struct ExtrinsicDecoder: Sendable {
    public let metadata: RuntimeMetadata
    private let values: ValueDecoder

    public init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        values = ValueDecoder(registry: metadata.types)
    }

    /// Decodes one extrinsic given with its length prefix (as `chain_getBlock` lists them).
    public func decode(_ bytes: [UInt8]) throws(SCALEError) -> Extrinsic {
        var decoder = SCALEDecoder(bytes)
        let length = try decoder.decodeLength()
        guard length == decoder.remaining else {
            throw decoder.error(.invalid("length prefix says \(length) bytes, \(decoder.remaining) follow"))
        }
        let versionStart = decoder.position
        let versionByte = try decoder.readByte()
        let version = versionByte & 0b0011_1111
        let type = versionByte >> 6
        let extrinsic = metadata.extrinsic

        var kind = Extrinsic.Kind.bare
        var address: Value? = nil
        var signature: Value? = nil
        var extensionMetadata: [TransactionExtensionMetadata] = []
        switch (version, type) {
        case (4, 0b00), (5, 0b00):
            kind = .bare
        case (4, 0b10):
            kind = .signed
            address = try values.decode(extrinsic.addressType, from: &decoder)
            signature = try values.decode(extrinsic.signatureType, from: &decoder)
            extensionMetadata = extrinsic.transactionExtensions
        case (5, 0b01):
            let extensionVersion = try decoder.readByte()
            kind = .general(extensionVersion: extensionVersion)
            guard let forVersion = extrinsic.extensions(forExtensionVersion: extensionVersion) else {
                throw decoder.error(.invalid("unknown transaction extension version \(extensionVersion)"), at: versionStart + 1)
            }
            extensionMetadata = forVersion
        default:
            throw decoder.error(.invalid("unsupported extrinsic format byte 0x\(String(versionByte, radix: 16))"), at: versionStart)
        }

        var extensions = [(identifier: String, value: Value)]()
        extensions.reserveCapacity(extensionMetadata.count)
        for item in extensionMetadata {
            extensions.append((item.identifier, try values.decode(item.typeID, from: &decoder)))
        }

        let callStart = decoder.position
        let callValue = try values.decode(extrinsic.callType, from: &decoder)
        guard let call = Call(runtimeCall: callValue) else {
            throw decoder.error(.invalid("the call is not a pallet/call variant pair"), at: callStart)
        }
        try decoder.expectEnd()
        return Extrinsic(
            bytes: bytes, version: version, kind: kind, address: address, signature: signature,
            extensions: extensions, call: call
        )
    }
}

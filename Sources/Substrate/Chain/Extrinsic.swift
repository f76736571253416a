public import SCALE

/// One extrinsic of a block, decoded with the metadata of the block's runtime.
///
/// Formats: v4 (`0x04` unsigned, `0x84` signed: address, signature, extensions, call) and
/// v5 (`0x05` bare, `0x45` general: extension version byte, extensions, call).
public struct Extrinsic: Sendable {
    public enum Kind: Sendable, Hashable {
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
    public var signerAccount: [UInt8]? { Self.account(of: address) }

    /// The signer as SS58 for 32-byte accounts, as 0x hex for 20-byte (Ethereum-style) ones.
    public func signer(ss58Prefix: UInt16) -> String? {
        guard let account = signerAccount else { return nil }
        return account.count == 32 ? SS58.encode(account, prefix: ss58Prefix) : Hex.encode(account)
    }

    /// `CheckNonce`.
    public var nonce: UInt64? { Self.nonce(in: extensions) }

    /// The tip from `ChargeTransactionPayment`, or the `tip` of `ChargeAssetTxPayment`-style
    /// extensions (which carry an asset id beside it).
    public var tip: UInt128? { Self.tip(in: extensions) }

    static func account(of address: Value?) -> [UInt8]? {
        guard let address else { return nil }
        if let raw = address.bytes { return raw }
        if case let .variant(variant) = address.kind, ["Id", "Address32", "Address20"].contains(variant.name),
           variant.fields.count == 1
        {
            return variant.fields[0].value.bytes
        }
        return nil
    }

    static func nonce(in extensions: [(identifier: String, value: Value)]) -> UInt64? {
        extensions.first { $0.identifier == "CheckNonce" }?.value.uint64
    }

    static func tip(in extensions: [(identifier: String, value: Value)]) -> UInt128? {
        for (identifier, value) in extensions where identifier.hasPrefix("Charge") {
            if let tip = value.uint128 ?? value[field: "tip"]?.uint128 { return tip }
        }
        return nil
    }
}

/// Decodes extrinsics with one runtime's metadata: fully (`decode`, call arguments as `Value`s) or
/// structurally (`summarize`, every byte checked but the arguments left undecoded).
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
        let envelope = try decodeEnvelope(&decoder, decodeSignature: true)
        let callStart = decoder.position
        let callValue = try values.decode(metadata.extrinsic.callType, from: &decoder)
        guard let call = Call(runtimeCall: callValue) else {
            throw decoder.error(.invalid("the call is not a pallet/call variant pair"), at: callStart)
        }
        try decoder.expectEnd()
        return Extrinsic(
            bytes: bytes, version: envelope.version, kind: envelope.kind, address: envelope.address,
            signature: envelope.signature, extensions: envelope.extensions, call: call
        )
    }

    /// Decodes the envelope (signer, extensions) and the call's pallet and name, and walks the
    /// arguments only to check they end where the extrinsic does.
    public func summarize(_ bytes: [UInt8]) throws(SCALEError) -> ExtrinsicSummary {
        var decoder = SCALEDecoder(bytes)
        let envelope = try decodeEnvelope(&decoder, decodeSignature: false)
        let callStart = decoder.position
        let names = try callNames(at: callStart, in: bytes)
        try values.skip(metadata.extrinsic.callType, in: &decoder)
        try decoder.expectEnd()
        return ExtrinsicSummary(
            version: envelope.version, kind: envelope.kind, pallet: names.pallet, palletIndex: names.palletIndex,
            call: names.call, callIndex: names.callIndex, argumentsRange: (callStart + 2)..<bytes.count,
            signerAccount: Extrinsic.account(of: envelope.address),
            nonce: Extrinsic.nonce(in: envelope.extensions), tip: Extrinsic.tip(in: envelope.extensions)
        )
    }

    private struct Envelope {
        var version: UInt8
        var kind: Extrinsic.Kind
        var address: Value?
        var signature: Value?
        var extensions: [(identifier: String, value: Value)]
    }

    private func decodeEnvelope(_ decoder: inout SCALEDecoder, decodeSignature: Bool) throws(SCALEError) -> Envelope {
        let length = try decoder.decodeLength()
        guard length == decoder.remaining else {
            throw decoder.error(.invalid("length prefix says \(length) bytes, \(decoder.remaining) follow"))
        }
        let versionStart = decoder.position
        let versionByte = try decoder.readByte()
        let version = versionByte & 0b0011_1111
        let extrinsic = metadata.extrinsic

        var envelope = Envelope(version: version, kind: .bare, address: nil, signature: nil, extensions: [])
        var extensionMetadata: [TransactionExtensionMetadata] = []
        switch (version, versionByte >> 6) {
        case (4, 0b00), (5, 0b00):
            envelope.kind = .bare
        case (4, 0b10):
            envelope.kind = .signed
            envelope.address = try values.decode(extrinsic.addressType, from: &decoder)
            if decodeSignature {
                envelope.signature = try values.decode(extrinsic.signatureType, from: &decoder)
            } else {
                try values.skip(extrinsic.signatureType, in: &decoder)
            }
            extensionMetadata = extrinsic.transactionExtensions
        case (5, 0b01):
            let extensionVersion = try decoder.readByte()
            envelope.kind = .general(extensionVersion: extensionVersion)
            guard let forVersion = extrinsic.extensions(forExtensionVersion: extensionVersion) else {
                throw decoder.error(.invalid("unknown transaction extension version \(extensionVersion)"), at: versionStart + 1)
            }
            extensionMetadata = forVersion
        default:
            throw decoder.error(.invalid("unsupported extrinsic format byte 0x\(String(versionByte, radix: 16))"), at: versionStart)
        }
        envelope.extensions.reserveCapacity(extensionMetadata.count)
        for item in extensionMetadata {
            envelope.extensions.append((item.identifier, try values.decode(item.typeID, from: &decoder)))
        }
        return envelope
    }

    /// Pallet and call names from the call's first two bytes (pallet variant, call variant).
    private func callNames(at start: Int, in bytes: [UInt8]) throws(SCALEError) -> (pallet: String, palletIndex: UInt8, call: String, callIndex: UInt8) {
        let registry = metadata.types
        guard start + 2 <= bytes.count else {
            throw SCALEError(.unexpectedEnd(needed: 2, available: bytes.count - start), at: start)
        }
        let palletIndex = bytes[start], callIndex = bytes[start + 1]
        guard let pallet = registry.variant(of: metadata.extrinsic.callType, index: palletIndex),
              pallet.fields.count == 1
        else { throw SCALEError(.invalid("no pallet with call index \(palletIndex)"), at: start) }
        guard let call = registry.variant(of: pallet.fields[0].typeID, index: callIndex) else {
            throw SCALEError(.invalid("no call \(callIndex) in pallet \(pallet.name)"), at: start + 1)
        }
        return (pallet.name, palletIndex, call.name, callIndex)
    }
}

/// What metrics need of an extrinsic, without its call arguments decoded.
public struct ExtrinsicSummary: Sendable, Hashable {
    public let version: UInt8
    public let kind: Extrinsic.Kind
    public let pallet: String
    public let palletIndex: UInt8
    public let call: String
    public let callIndex: UInt8
    /// Where the call's arguments lie in the extrinsic's bytes (decode them with `ValueDecoder` when needed).
    public let argumentsRange: Range<Int>
    public let signerAccount: [UInt8]?
    public let nonce: UInt64?
    public let tip: UInt128?

    public var isSigned: Bool { kind == .signed }
}

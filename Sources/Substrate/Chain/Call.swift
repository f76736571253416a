/// A runtime call: pallet and call names with their arguments, taken from a decoded
/// `RuntimeCall` value (outer variant = pallet, inner variant = call).
public struct Call: Sendable, Hashable {
    public let pallet: String
    public let palletIndex: UInt8
    public let name: String
    public let callIndex: UInt8
    public let arguments: [Value.NamedValue]
    /// The whole `RuntimeCall` value, as decoded.
    public let value: Value

    public init?(runtimeCall value: Value) {
        guard case let .variant(palletVariant) = value.kind, palletVariant.fields.count == 1,
              case let .variant(callVariant) = palletVariant.fields[0].value.kind
        else { return nil }
        pallet = palletVariant.name
        palletIndex = palletVariant.index
        name = callVariant.name
        callIndex = callVariant.index
        arguments = callVariant.fields
        self.value = value
    }

    public func argument(_ name: String) -> Value? {
        arguments.first { $0.name == name }?.value
    }

    /// Calls nested in this call's arguments (`Utility.batch`/`batch_all`/`force_batch`,
    /// `Proxy.proxy`, `Multisig.as_multi`, `Sudo.sudo`…), depth first, in argument order:
    /// any argument value of the runtime's call type is a call.
    public func nestedCalls(callType: UInt32) -> [Call] {
        var found = [Call]()
        for argument in arguments { Self.collect(argument.value, callType: callType, into: &found) }
        return found
    }

    /// This call followed by every call nested in it, at any depth.
    public func flattened(callType: UInt32) -> [Call] {
        [self] + nestedCalls(callType: callType).flatMap { $0.flattened(callType: callType) }
    }

    private static func collect(_ value: Value, callType: UInt32, into found: inout [Call]) {
        if value.typeID == callType, let call = Call(runtimeCall: value) {
            found.append(call)
            return
        }
        switch value.kind {
        case let .composite(fields): for field in fields { collect(field.value, callType: callType, into: &found) }
        case let .variant(variant): for field in variant.fields { collect(field.value, callType: callType, into: &found) }
        case let .sequence(items), let .array(items), let .tuple(items):
            for item in items { collect(item, callType: callType, into: &found) }
        default: break
        }
    }
}

extension RuntimeMetadata {
    public struct UnknownCall: Error, Sendable, CustomStringConvertible {
        public let pallet: String
        public let call: String
        public var description: String { "no call \(pallet).\(call) in this runtime" }
    }

    /// Builds the `RuntimeCall` value for `Pallet.call(arguments)` (encode it with
    /// `ValueEncoder` as `extrinsic.callType`). Arguments are named as in the metadata.
    public func callValue(pallet: String, call: String, arguments: [Value.NamedValue]) throws(UnknownCall) -> Value {
        guard let palletMetadata = self.pallet(named: pallet), let callType = palletMetadata.callType,
              case let .variant(calls)? = types[callType]?.definition,
              let variant = calls.first(where: { $0.name == call })
        else { throw UnknownCall(pallet: pallet, call: call) }
        let inner = Value.variant(call, index: variant.index, arguments, typeID: callType)
        return .variant(pallet, index: palletMetadata.index, [.init(name: nil, value: inner)], typeID: extrinsic.callType)
    }
}

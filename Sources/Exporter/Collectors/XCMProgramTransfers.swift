import Substrate

/// The transfers an XCM program run on this chain (`PolkadotXcm.execute`, `XcmPallet.execute`)
/// sends to other chains: its top-level instructions that move assets away
/// (`TransferReserveAsset`, `DepositReserveAsset`, `InitiateReserveWithdraw`,
/// `InitiateTeleport`, `InitiateTransfer`), each to its destination. Instructions inside the
/// messages sent run on the other chain and are not this chain's transfers.
///
/// Native amounts follow the program's holding register: what `WithdrawAsset` (and the other
/// instructions that fill it) put there; a wildcard filter (`All`, `AllOf` the native token)
/// moves what the holding has of it, a definite one the amounts it names. Fees bought from the
/// holding on this chain are part of what is moved: the program does not say how much of them
/// execution used.
extension XCMTransfersCollector {
    struct ProgramTransfer: Equatable {
        let destination: String
        let amount: UInt128
    }

    static func transfers(inProgram message: Value, native: NativeToken) -> [ProgramTransfer] {
        var holding: UInt128 = 0
        var transfers = [ProgramTransfer]()
        /// What a filter (`Definite` assets, or `Wild`) takes of the holding's native token.
        func taken(_ filter: Value) -> UInt128 {
            let amount: UInt128
            if let definite = filter.firstVariantPayload(named: "Definite") {
                amount = nativeAmount(in: definite, native: native)
            } else if let wild = filter.firstVariantPayload(named: "Wild") {
                switch wild.variantName {
                case "All", "AllCounted": amount = holding
                case "AllOf", "AllOfCounted": amount = wild.firstField(named: "id").map(native.matches) == true ? holding : 0
                default: amount = 0
                }
            } else {
                amount = 0
            }
            let moved = min(amount, holding)
            holding -= moved
            return moved
        }
        for instruction in items(of: message) {
            guard case let .variant(variant) = instruction.kind else { continue }
            let fields = Value(.composite(variant.fields))
            switch variant.name {
            case "WithdrawAsset", "ReceiveTeleportedAsset", "ReserveAssetDeposited", "ClaimAsset":
                holding &+= nativeAmount(in: fields, native: native)
            case "TransferReserveAsset":
                // From the origin's account, not the holding: the amounts it names.
                guard let dest = fields[field: "dest"] else { continue }
                transfers.append(ProgramTransfer(destination: destination(of: dest), amount: fields[field: "assets"].map { nativeAmount(in: $0, native: native) } ?? 0))
            case "DepositReserveAsset", "InitiateTeleport", "InitiateReserveWithdraw":
                guard let dest = fields[field: "dest"] ?? fields[field: "reserve"], let filter = fields[field: "assets"] else { continue }
                transfers.append(ProgramTransfer(destination: destination(of: dest), amount: taken(filter)))
            case "InitiateTransfer":
                guard let dest = fields[field: "destination"] else { continue }
                var amount: UInt128 = 0
                // `remote_fees` and each of `assets` is a filter under Teleport, ReserveDeposit or ReserveWithdraw.
                let filters = (fields[field: "remote_fees"].map { [$0] } ?? []) + (fields[field: "assets"].map(items) ?? [])
                for filter in filters { amount &+= taken(filter) }
                transfers.append(ProgramTransfer(destination: destination(of: dest), amount: amount))
            default:
                continue
            }
        }
        return transfers
    }

    /// The items of a list behind wrappers of one field: the top-level instructions of a
    /// versioned XCM program (`V4(Xcm(Vec<Instruction>))`), the filters of a `BoundedVec`.
    static func items(of message: Value) -> [Value] {
        var current = message
        for _ in 0..<8 {
            switch current.kind {
            case let .sequence(items): return items
            case let .variant(variant) where variant.fields.count == 1: current = variant.fields[0].value
            case let .composite(fields) where fields.count == 1: current = fields[0].value
            default: return []
            }
        }
        return []
    }
}

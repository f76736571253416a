import ExactJSON
import SCALE
import Substrate

/// XCM transfers from the relay chain: every fourth block a `limited_reserve_transfer_assets`
/// to a parachain (the funds move to the parachain's sovereign account) or a
/// `limited_teleport_assets` to Asset Hub (the funds leave this chain: burned, issuance falls),
/// with `XcmPallet.Attempted` and `XcmPallet.Sent` carrying the message that was sent. Every
/// twelfth block the transfer sits in a `Utility.batch_all` after a balance transfer.
extension DevRuntime {
    static let reserveParachains: [UInt32] = [2000, 2004, 2034]
    static let assetHub: UInt32 = 1000

    /// The sovereign account of a parachain on the relay chain: `para` + its id, zero-padded.
    static func sovereignAccount(_ parachain: UInt32) -> [UInt8] {
        var bytes = Array("para".utf8)
        withUnsafeBytes(of: parachain.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: 32 - bytes.count)
    }

    func xcmTransfer(_ block: inout BlockBuilder) throws {
        guard block.number % 4 == 2, let version = xcmVersion else { return }
        let teleport = block.number % 8 == 6
        let method = teleport ? "limited_teleport_assets" : "limited_reserve_transfer_assets"
        guard has("XcmPallet", call: method) else { return }
        let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        let parachain = teleport ? Self.assetHub : Self.reserveParachains[Int(block.random.next() % UInt64(Self.reserveParachains.count))]
        guard let amount = spendable(UInt128(block.random.next() % 50_000_000_000_000) + 10_000_000_000, by: signer, in: block.state) else { return }
        let fee = 250_000_000 + UInt128(block.random.next() % 50_000_000)
        let beneficiary = block.random.bytes(32)
        let shapes = XCMShapes(version: version)
        let asset = shapes.nativeAsset(amount)
        let arguments: [String: JSON] = [
            "dest": .object([JSON.Member(version, shapes.parachain(parachain))]),
            "beneficiary": .object([JSON.Member(version, shapes.account(beneficiary))]),
            "assets": .object([JSON.Member(version, .array([asset]))]),
            "fee_asset_item": .number(0),
            "weight_limit": .string("Unlimited"),
        ]
        let message = shapes.message(teleported: teleport, asset: asset, beneficiary: beneficiary)
        let messageID = block.random.bytes(32)
        let used = UInt64(200_000_000 + block.random.next() % 100_000_000)
        let xcmCall = try call("XcmPallet", method, arguments)
        func xcmEvents(_ phase: EventRecord.Phase) throws -> [EventRecord] {
            var records = [EventRecord]()
            if teleport {
                let name = has("Balances", event: "Burned") ? "Burned" : "Withdraw"
                records.append(try event("Balances", name, ["who": .bytes(signer), "amount": .primitive(.u128(amount))], phase: phase))
            } else {
                records.append(try transferEvent(from: signer, to: Self.sovereignAccount(parachain), amount: amount, phase: phase))
            }
            let weight = JSON.object(["ref_time": .number(used), "proof_size": .number(used / 100)])
            records.append(try event("XcmPallet", "Attempted", json: [
                // Outcome::Complete { used } from XCM v4 on, Complete(Weight) before.
                "outcome": [.object(["Complete": .object(["used": weight])]), .object(["Complete": weight])],
            ], phase: phase))
            records.append(try event("XcmPallet", "Sent", json: [
                "origin": [shapes.account(signer)], "destination": [shapes.parachain(parachain)],
                "message": [message], "message_id": [.string(Hex.encode(messageID))],
            ], phase: phase))
            return records
        }
        if block.number % 12 == 10, has("Utility", call: "batch_all") {
            let payee = accounts[0] == signer ? accounts[1] : accounts[0]
            let paid = min(UInt128(block.random.next() % 100_000_000_000) + 10_000_000_000, amount)
            let calls = [try transferCall(to: payee, amount: paid), xcmCall]
            let batch = try metadata.callValue(pallet: "Utility", call: "batch_all", arguments: [.init(name: "calls", value: Value(.sequence(calls)))])
            try submit(batch, by: signer, fee: fee, to: &block) { phase in
                [try transferEvent(from: signer, to: payee, amount: paid, phase: phase), try event("Utility", "ItemCompleted", [:], phase: phase)]
                    + (try xcmEvents(phase)) + [try event("Utility", "ItemCompleted", [:], phase: phase), try event("Utility", "BatchCompleted", [:], phase: phase)]
            }
            block.state.free[signer, default: 0] -= paid
            block.state.free[payee, default: 0] += paid
        } else {
            try submit(xcmCall, by: signer, fee: fee, to: &block, events: xcmEvents)
        }
        block.state.xcmSent[parachain, default: (0, 0)].transfers += 1
        block.state.xcmSent[parachain, default: (0, 0)].tokens += amount
        block.state.free[signer, default: 0] -= amount
        if teleport {
            block.state.issuance -= amount
        } else {
            block.state.free[Self.sovereignAccount(parachain), default: 0] += amount
        }
    }

    /// The newest XCM version this runtime's `VersionedLocation` knows (V3 shapes or later), nil
    /// without an XCM pallet.
    var xcmVersion: String? {
        guard let callType = metadata.pallet(named: "XcmPallet")?.callType,
              case let .variant(calls)? = metadata.types[callType]?.definition,
              let transfer = calls.first(where: { $0.name == "limited_reserve_transfer_assets" }),
              let dest = transfer.fields.first(where: { $0.name == "dest" })
        else { return nil }
        // `dest` is a Box<VersionedLocation>: look through the box.
        var typeID = dest.typeID
        while case let .composite(fields)? = metadata.types[typeID]?.definition, fields.count == 1 { typeID = fields[0].typeID }
        guard case let .variant(versions)? = metadata.types[typeID]?.definition else { return nil }
        return ["V5", "V4", "V3"].first { name in versions.contains { $0.name == name } }
    }
}

/// XCM values in explorers' JSON shapes for one XCM version: V3 wraps asset ids in `Concrete`
/// and takes a single junction in `X1`; V4 and later take the location itself and an array.
struct XCMShapes {
    let version: String

    func location(_ junction: JSON?) -> JSON {
        guard let junction else { return .object(["parents": .number(0), "interior": .string("Here")]) }
        let interior: JSON = version == "V3" ? .object(["X1": junction]) : .object(["X1": .array([junction])])
        return .object(["parents": .number(0), "interior": interior])
    }

    func parachain(_ id: UInt32) -> JSON {
        location(.object(["Parachain": .number(id)]))
    }

    func account(_ id: [UInt8]) -> JSON {
        location(.object(["AccountId32": .object(["network": .null, "id": .string(Hex.encode(id))])]))
    }

    func nativeAsset(_ amount: UInt128) -> JSON {
        let id = version == "V3" ? JSON.object(["Concrete": location(nil)]) : location(nil)
        return .object(["id": id, "fun": .object(["Fungible": .string(String(amount))])])
    }

    /// The message a reserve transfer or teleport sends to the destination.
    func message(teleported: Bool, asset: JSON, beneficiary: [UInt8]) -> JSON {
        .array([
            .object([JSON.Member(teleported ? "ReceiveTeleportedAsset" : "ReserveAssetDeposited", .array([asset]))]),
            .string("ClearOrigin"),
            .object(["BuyExecution": .object(["fees": asset, "weight_limit": .string("Unlimited")])]),
            .object(["DepositAsset": .object([
                "assets": .object(["Wild": .object(["AllCounted": .number(1)])]), "beneficiary": account(beneficiary),
            ])]),
        ])
    }
}

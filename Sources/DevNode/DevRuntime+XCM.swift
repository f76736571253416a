import ExactJSON
import SCALE
import Substrate

/// XCM transfers out of the chain, every fourth block, with `Attempted` and `Sent` events of
/// the chain's XCM pallet carrying the message that was sent:
/// - from a relay chain (`XcmPallet`): a `limited_reserve_transfer_assets` to a parachain (the
///   funds move to its sovereign account) or a `limited_teleport_assets` to Asset Hub (the funds
///   leave this chain: burned, issuance falls);
/// - from a parachain (`PolkadotXcm`, Asset Hub): reserve transfers to sibling parachains and
///   teleports of the relay chain's token to the relay chain, every other one as an `execute`
///   of an XCM program (`WithdrawAsset`, `InitiateTeleport`) rather than a transfer call.
/// Every twelfth block the transfer sits in a `Utility.batch_all` after a balance transfer.
extension DevRuntime {
    static let reserveParachains: [UInt32] = [2000, 2004, 2034]
    static let assetHub: UInt32 = 1000

    /// The sovereign account of a parachain: on the relay chain `para` + its id, on a sibling
    /// parachain `sibl` + its id, zero-padded.
    static func sovereignAccount(_ parachain: UInt32, sibling: Bool = false) -> [UInt8] {
        var bytes = Array((sibling ? "sibl" : "para").utf8)
        withUnsafeBytes(of: parachain.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: 32 - bytes.count)
    }

    /// The chain's XCM pallet: a relay chain's `XcmPallet`, a parachain's `PolkadotXcm`.
    var xcmPallet: String? {
        ["XcmPallet", "PolkadotXcm"].first { metadata.pallet(named: $0)?.callType != nil }
    }

    func xcmTransfer(_ block: inout BlockBuilder) throws {
        guard block.number % 4 == 2, let pallet = xcmPallet, let version = xcmVersion else { return }
        let teleport = block.number % 8 == 6
        let program = isParachain && teleport && block.number % 16 == 14 && has(pallet, call: "execute")
        let method = teleport ? "limited_teleport_assets" : "limited_reserve_transfer_assets"
        guard has(pallet, call: method) else { return }
        let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        // A relay chain teleports to Asset Hub, a parachain to its relay chain (parachain nil).
        let parachain: UInt32? = teleport ? (isParachain ? nil : Self.assetHub) : Self.reserveParachains[Int(block.random.next() % UInt64(Self.reserveParachains.count))]
        guard let amount = spendable(UInt128(block.random.next() % 50_000_000_000_000) + 10_000_000_000, by: signer, in: block.state) else { return }
        let fee = 250_000_000 + UInt128(block.random.next() % 50_000_000)
        let beneficiary = block.random.bytes(32)
        let shapes = XCMShapes(version: version, fromParachain: isParachain)
        let asset = shapes.nativeAsset(amount)
        let destination = parachain.map(shapes.parachain) ?? shapes.relay
        let message = shapes.message(teleported: teleport, asset: asset, beneficiary: beneficiary)
        let messageID = block.random.bytes(32)
        let used = UInt64(200_000_000 + block.random.next() % 100_000_000)
        let xcmCall: Value
        if program {
            xcmCall = try call(pallet, "execute", [
                "message": .object([JSON.Member(version, shapes.teleportProgram(asset: asset, to: destination, beneficiary: beneficiary))]),
                "max_weight": .object(["ref_time": .number(used * 2), "proof_size": .number(used / 50)]),
            ])
        } else {
            xcmCall = try call(pallet, method, [
                "dest": .object([JSON.Member(version, destination)]),
                "beneficiary": .object([JSON.Member(version, shapes.account(beneficiary))]),
                "assets": .object([JSON.Member(version, .array([asset]))]),
                "fee_asset_item": .number(0),
                "weight_limit": .string("Unlimited"),
            ])
        }
        let sovereign = parachain.map { Self.sovereignAccount($0, sibling: isParachain) }
        func xcmEvents(_ phase: EventRecord.Phase) throws -> [EventRecord] {
            var records = [EventRecord]()
            if let sovereign, !teleport {
                records.append(try transferEvent(from: signer, to: sovereign, amount: amount, phase: phase))
            } else {
                let name = has("Balances", event: "Burned") ? "Burned" : "Withdraw"
                records.append(try event("Balances", name, ["who": .bytes(signer), "amount": .primitive(.u128(amount))], phase: phase))
            }
            let weight = JSON.object(["ref_time": .number(used), "proof_size": .number(used / 100)])
            records.append(try event(pallet, "Attempted", json: [
                // Outcome::Complete { used } from XCM v4 on, Complete(Weight) before.
                "outcome": [.object(["Complete": .object(["used": weight])]), .object(["Complete": weight])],
            ], phase: phase))
            records.append(try event(pallet, "Sent", json: [
                "origin": [shapes.account(signer)], "destination": [destination],
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
        let label = parachain.map { String($0) } ?? "relay"
        block.state.xcmSent[label, default: (0, 0)].transfers += 1
        block.state.xcmSent[label, default: (0, 0)].tokens += amount
        block.state.free[signer, default: 0] -= amount
        if let sovereign, !teleport {
            block.state.free[sovereign, default: 0] += amount
        } else {
            block.state.issuance -= amount
        }
    }

    /// The newest XCM version this runtime's `VersionedLocation` knows (V3 shapes or later), nil
    /// without an XCM pallet.
    var xcmVersion: String? {
        guard let pallet = xcmPallet, let callType = metadata.pallet(named: pallet)?.callType,
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
/// Locations are seen from the sending chain: a parachain reaches the relay chain and its
/// siblings through its parent, and its native token (Asset Hub's DOT) is the parent's.
struct XCMShapes {
    let version: String
    var fromParachain = false

    func location(_ junction: JSON?, parents: Int = 0) -> JSON {
        guard let junction else { return .object(["parents": .number(parents), "interior": .string("Here")]) }
        let interior: JSON = version == "V3" ? .object(["X1": junction]) : .object(["X1": .array([junction])])
        return .object(["parents": .number(parents), "interior": interior])
    }

    func parachain(_ id: UInt32) -> JSON {
        location(.object(["Parachain": .number(id)]), parents: fromParachain ? 1 : 0)
    }

    /// A parachain's relay chain.
    var relay: JSON { location(nil, parents: 1) }

    func account(_ id: [UInt8]) -> JSON {
        location(.object(["AccountId32": .object(["network": .null, "id": .string(Hex.encode(id))])]))
    }

    func nativeAsset(_ amount: UInt128) -> JSON {
        let here = location(nil, parents: fromParachain ? 1 : 0)
        let id = version == "V3" ? JSON.object(["Concrete": here]) : here
        return .object(["id": id, "fun": .object(["Fungible": .string(String(amount))])])
    }

    /// What the destination runs: buy execution with the assets, deposit them to the beneficiary.
    private func deposit(asset: JSON, beneficiary: [UInt8]) -> [JSON] {
        [
            .object(["BuyExecution": .object(["fees": asset, "weight_limit": .string("Unlimited")])]),
            .object(["DepositAsset": .object([
                "assets": .object(["Wild": .object(["AllCounted": .number(1)])]), "beneficiary": account(beneficiary),
            ])]),
        ]
    }

    /// The message a reserve transfer or teleport sends to the destination.
    func message(teleported: Bool, asset: JSON, beneficiary: [UInt8]) -> JSON {
        .array([.object([JSON.Member(teleported ? "ReceiveTeleportedAsset" : "ReserveAssetDeposited", .array([asset]))]), .string("ClearOrigin")]
            + deposit(asset: asset, beneficiary: beneficiary))
    }

    /// A program teleporting `asset` from the sender's account to `destination`.
    func teleportProgram(asset: JSON, to destination: JSON, beneficiary: [UInt8]) -> JSON {
        .array([
            .object(["WithdrawAsset": .array([asset])]),
            .object(["InitiateTeleport": .object([
                "assets": .object(["Wild": .object(["AllCounted": .number(1)])]), "dest": destination,
                "xcm": .array(deposit(asset: asset, beneficiary: beneficiary)),
            ])]),
        ])
    }
}

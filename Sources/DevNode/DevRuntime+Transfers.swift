import ExactJSON
import SCALE
import Substrate

/// Balance transfers: signed `transfer_keep_alive`s from several signers with nonces and tips,
/// every third block a `Utility.batch_all` of two transfers, now and then a transfer that fails
/// and a `Utility.batch` interrupted by one.
extension DevRuntime {
    func transfers(_ block: inout BlockBuilder, upTo limit: Int) throws {
        let count = limit == 0 ? 0 : Int(block.random.next() % UInt64(limit + 1))
        for _ in 0..<count {
            let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
            var destination = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
            if destination == signer { destination = author }
            guard let amount = spendable(UInt128(block.random.next() % 1_000_000_000_000) + 10_000_000_000, by: signer, in: block.state) else { continue }
            let tip: UInt128 = block.random.next() % 3 == 0 ? UInt128(block.random.next() % 100_000_000) : 0
            let fee = 150_000_000 + UInt128(block.random.next() % 50_000_000) + tip
            try submit(try transferCall(to: destination, amount: amount), by: signer, tip: tip, fee: fee, to: &block) { phase in
                [try transferEvent(from: signer, to: destination, amount: amount, phase: phase)]
            }
            block.state.free[signer, default: 0] -= amount
            block.state.free[destination, default: 0] += amount
        }
    }

    func batchedTransfers(_ block: inout BlockBuilder) throws {
        guard block.number % 3 == 0, has("Utility", call: "batch_all") else { return }
        let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        let destinations = [accounts[0] == signer ? accounts[1] : accounts[0], author]
        let wanted = destinations.map { _ in UInt128(block.random.next() % 100_000_000_000) + 10_000_000_000 }
        guard let first = spendable(wanted[0], by: signer, in: block.state), let second = spendable(wanted[1], by: signer, in: block.state) else { return }
        let amounts = [first, second]
        let fee = 300_000_000 + UInt128(block.random.next() % 50_000_000)
        var calls = [Value]()
        for (destination, amount) in zip(destinations, amounts) { calls.append(try transferCall(to: destination, amount: amount)) }
        let batch = try metadata.callValue(pallet: "Utility", call: "batch_all", arguments: [.init(name: "calls", value: Value(.sequence(calls)))])
        try submit(batch, by: signer, fee: fee, to: &block) { phase in
            var records = [EventRecord]()
            for (destination, amount) in zip(destinations, amounts) {
                records.append(try transferEvent(from: signer, to: destination, amount: amount, phase: phase))
                records.append(try event("Utility", "ItemCompleted", [:], phase: phase))
            }
            return records + [try event("Utility", "BatchCompleted", [:], phase: phase)]
        }
        for (destination, amount) in zip(destinations, amounts) {
            block.state.free[signer, default: 0] -= amount
            block.state.free[destination, default: 0] += amount
        }
    }

    /// Every ninth block, a transfer of more than the signer has: it fails with
    /// `Balances.InsufficientBalance` (`System.ExtrinsicFailed`) and only the fee moves.
    func failedTransfer(_ block: inout BlockBuilder) throws {
        guard block.number % 9 == 4, let balances = metadata.pallet(named: "Balances") else { return }
        let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        guard spendable(0, by: signer, in: block.state) != nil else { return }
        let amount = block.state.free[signer, default: 0] * 2
        let fee = 150_000_000 + UInt128(block.random.next() % 50_000_000)
        let insufficientBalance = JSON.object(["Module": .object(["index": .number(balances.index), "error": .string("0x02000000")])])
        try submit(try transferCall(to: accounts[0] == signer ? accounts[1] : accounts[0], amount: amount), by: signer, fee: fee, to: &block, failure: insufficientBalance) { _ in [] }
    }

    /// Every ninth block (three after the failed transfer), a `Utility.batch` of three transfers
    /// whose second asks for more than the signer has: the first goes through, the batch stops
    /// at the second (`BatchInterrupted`), the third never runs, and the extrinsic succeeds.
    func interruptedBatch(_ block: inout BlockBuilder) throws {
        guard block.number % 9 == 7, has("Utility", call: "batch"), let balances = metadata.pallet(named: "Balances") else { return }
        let signer = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        let payee = accounts[0] == signer ? accounts[1] : accounts[0]
        guard let amount = spendable(UInt128(block.random.next() % 100_000_000_000) + 10_000_000_000, by: signer, in: block.state) else { return }
        let calls = [
            try transferCall(to: payee, amount: amount), try transferCall(to: payee, amount: block.state.free[signer, default: 0] * 2),
            try transferCall(to: payee, amount: amount),
        ]
        let batch = try metadata.callValue(pallet: "Utility", call: "batch", arguments: [.init(name: "calls", value: Value(.sequence(calls)))])
        let fee = 300_000_000 + UInt128(block.random.next() % 50_000_000)
        let insufficientBalance = JSON.object(["Module": .object(["index": .number(balances.index), "error": .string("0x02000000")])])
        try submit(batch, by: signer, fee: fee, to: &block) { phase in
            [
                try transferEvent(from: signer, to: payee, amount: amount, phase: phase), try event("Utility", "ItemCompleted", [:], phase: phase),
                try event("Utility", "BatchInterrupted", json: ["index": [.number(1)], "error": [insufficientBalance]], phase: phase),
            ]
        }
        block.state.free[signer, default: 0] -= amount
        block.state.free[payee, default: 0] += amount
    }

    /// `Balances.transfer_keep_alive(dest, value)`.
    func transferCall(to destination: [UInt8], amount: UInt128) throws -> Value {
        try call("Balances", "transfer_keep_alive", ["dest": .object([JSON.Member("Id", .string(Hex.encode(destination)))]), "value": .string(String(amount))])
    }

    func transferEvent(from: [UInt8], to: [UInt8], amount: UInt128, phase: EventRecord.Phase) throws -> EventRecord {
        try event("Balances", "Transfer", ["from": .bytes(from), "to": .bytes(to), "amount": .primitive(.u128(amount))], phase: phase)
    }
}

import ChainFixtures
import SCALE
import Substrate
import Testing

@Suite struct SS58Tests {
    @Test func aliceOnEveryWellKnownNetwork() throws {
        let alice = try #require(Hex.decode("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"))
        #expect(SS58.encode(alice, prefix: 42) == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        #expect(SS58.encode(alice, prefix: 0) == "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")
        #expect(SS58.encode(alice, prefix: 2) == "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F")
        let decoded = try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        #expect(decoded.prefix == 42)
        #expect(decoded.account == alice)
    }

    @Test func twoBytePrefixesRoundTrip() throws {
        let account = (0..<32).map { UInt8($0) }
        for prefix: UInt16 in [64, 255, 1284, 2007, 16383] {
            let address = SS58.encode(account, prefix: prefix)
            let decoded = try SS58.decode(address)
            #expect(decoded.prefix == prefix)
            #expect(decoded.account == account)
        }
    }

    @Test func corruptAddressesAreRejected() {
        #expect(throws: SS58.DecodingError.badChecksum) { try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ") }
        #expect(throws: SS58.DecodingError.invalidBase58) { try SS58.decode("0OIl") }
    }
}

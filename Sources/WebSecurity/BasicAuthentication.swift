import Foundation
import SCALE
import Synchronization

/// Checks `Authorization: Basic` credentials against the configured bcrypt hashes. bcrypt is
/// slow on purpose (tens of milliseconds at cost 10); a scrape every 15 s would pay it every
/// time, so credentials that passed are remembered by a keyed BLAKE2b digest of user,
/// password and hash (never the password itself). Failures are never remembered: each costs
/// a full bcrypt, unknown users included, so that timing tells nothing about who exists.
final class BasicAuthentication: Sendable {
    private let users: [String: String]
    private let passed = Mutex<Set<[UInt8]>>([])
    /// The digest's key, new at each start.
    private let secret: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// A hash no password matches, checked for unknown users so they cost what known ones do.
    private static let unknownUser = "$2y$10$" + String(repeating: "A", count: 53)

    init(users: [String: String]) {
        self.users = users
    }

    /// The user, when the header's credentials are right.
    func user(authorization: String?) -> String? {
        guard let authorization, authorization.count < 4096 else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return nil }
        let user = String(credentials[..<colon])
        let password = String(credentials[credentials.index(after: colon)...])
        let hash = users[user]
        let digest = Blake2b.hash(Array("\(user)\u{0}\(password)\u{0}\(hash ?? "")".utf8), digestLength: 32, key: secret)
        if hash != nil, passed.withLock({ $0.contains(digest) }) { return user }
        guard BCrypt.verify(password, hash: hash ?? Self.unknownUser), hash != nil else { return nil }
        passed.withLock { remembered in
            if remembered.count > 1000 { remembered.removeAll() }  // bounded: credentials are few
            remembered.insert(digest)
        }
        return user
    }
}

public import Foundation
import Yams

/// The `--web.config.file` of Prometheus' exporter-toolkit, the same file node_exporter and
/// Prometheus read: TLS for the server (certificate, key, TLS versions, client certificates)
/// and basic auth users with bcrypt hashes, plus a request rate limit and our request size
/// limit. Read once at start; every mistake is one line naming the file, line and field.
public struct WebConfiguration: Sendable {
    public struct TLS: Sendable {
        public var certificateFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth = .none
        public var clientCAFile: String?
        public var minimumVersion: TLSVersion = .tls12
        public var maximumVersion: TLSVersion?
    }

    /// How clients prove who they are. (The toolkit's `RequestClientCert` and
    /// `RequireAnyClientCert` take certificates without checking them; they are refused.)
    public enum ClientAuth: String, Sendable {
        case none = "NoClientCert"
        case verifyIfGiven = "VerifyClientCertIfGiven"
        case required = "RequireAndVerifyClientCert"
    }

    public enum TLSVersion: String, Sendable, Comparable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }
    }

    public struct RateLimit: Sendable {
        /// One request per `interval` on average…
        public var interval: Duration
        /// …with bursts of up to `burst`.
        public var burst: Int
    }

    public var tls: TLS?
    /// User name → bcrypt hash.
    public var users: [String: String] = [:]
    public var rateLimit: RateLimit?
    /// Request bodies (and their declared length) above this are refused with 413.
    public var maximumRequestBytes = 1 << 20

    public init() {}

    public static func load(file path: String) throws(WebConfigurationError) -> WebConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw WebConfigurationError(origin: path, field: nil, line: nil, "cannot read the web configuration file as UTF-8 text")
        }
        return try parse(text, origin: path, directory: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Relative file names are taken from `directory` (the configuration file's own).
    public static func parse(_ text: String, origin: String, directory: URL) throws(WebConfigurationError) -> WebConfiguration {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw WebConfigurationError(origin: origin, field: nil, line: nil, "not valid YAML: \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        }
        var configuration = WebConfiguration()
        guard let root else { return configuration }
        let reader = Reader(origin: origin, directory: directory)
        let top = try reader.mapping(root, nil, known: ["tls_server_config", "basic_auth_users", "rate_limit", "http_server_config"])
        if let node = top["tls_server_config"] {
            let fields = try reader.mapping(node, "tls_server_config", known: ["cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"])
            guard let cert = fields["cert_file"] else { throw reader.fail("tls_server_config.cert_file", "missing: the server's certificate (PEM)", node) }
            guard let key = fields["key_file"] else { throw reader.fail("tls_server_config.key_file", "missing: the server's private key (PEM)", node) }
            var tls = TLS(certificateFile: try reader.file(cert, "tls_server_config.cert_file"), keyFile: try reader.file(key, "tls_server_config.key_file"))
            if let node = fields["client_auth_type"] {
                let text = try reader.text(node, "tls_server_config.client_auth_type")
                guard let mode = ClientAuth(rawValue: text) else {
                    throw reader.fail("tls_server_config.client_auth_type", "\(text) is not NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert", node)
                }
                tls.clientAuth = mode
            }
            if let node = fields["client_ca_file"] { tls.clientCAFile = try reader.file(node, "tls_server_config.client_ca_file") }
            if tls.clientAuth != .none, tls.clientCAFile == nil {
                throw reader.fail("tls_server_config.client_ca_file", "missing: \(tls.clientAuth.rawValue) checks client certificates against it", node)
            }
            if let node = fields["min_version"] { tls.minimumVersion = try reader.version(node, "tls_server_config.min_version") }
            if let node = fields["max_version"] { tls.maximumVersion = try reader.version(node, "tls_server_config.max_version") }
            if let maximum = tls.maximumVersion, maximum < tls.minimumVersion {
                throw reader.fail("tls_server_config.max_version", "\(maximum.rawValue) is below min_version \(tls.minimumVersion.rawValue)", node)
            }
            configuration.tls = tls
        }
        if let node = top["basic_auth_users"] {
            guard case let .mapping(users) = node else { throw reader.fail("basic_auth_users", "expected user: bcrypt hash pairs", node) }
            for (userNode, hashNode) in users {
                let user = try reader.text(userNode, "basic_auth_users")
                guard !user.isEmpty, !user.contains(":") else { throw reader.fail("basic_auth_users", "\"\(user)\" is not a usable user name (no colon)", userNode) }
                let hash = try reader.text(hashNode, "basic_auth_users.\(user)")
                // The hash, not the password, goes in the file; a plain password would be a mistake worth stopping for.
                guard BCrypt.isHash(hash) else { throw reader.fail("basic_auth_users.\(user)", "not a bcrypt hash ($2y$…, 60 characters); make one with htpasswd -nBC 10 \(user)", hashNode) }
                configuration.users[user] = hash
            }
        }
        if let node = top["rate_limit"] {
            let fields = try reader.mapping(node, "rate_limit", known: ["interval", "burst"])
            let interval = try fields["interval"].map { node throws(WebConfigurationError) in try reader.duration(node, "rate_limit.interval") } ?? .zero
            let burst = try fields["burst"].map { node throws(WebConfigurationError) in try reader.count(node, "rate_limit.burst") } ?? 1
            if interval > .zero { configuration.rateLimit = RateLimit(interval: interval, burst: max(burst, 1)) }
        }
        if let node = top["http_server_config"] {
            let fields = try reader.mapping(node, "http_server_config", known: ["max_request_body_bytes"])
            if let node = fields["max_request_body_bytes"] { configuration.maximumRequestBytes = try reader.count(node, "http_server_config.max_request_body_bytes") }
        }
        return configuration
    }

    /// Reads nodes, naming the field and line of every mistake.
    private struct Reader {
        let origin: String
        let directory: URL

        func fail(_ field: String?, _ message: String, _ node: Node) -> WebConfigurationError {
            WebConfigurationError(origin: origin, field: field, line: node.mark.map { $0.line }, message)
        }

        func mapping(_ node: Node, _ field: String?, known: Set<String>) throws(WebConfigurationError) -> [String: Node] {
            guard case let .mapping(mapping) = node else { throw fail(field, "expected a mapping of fields", node) }
            var fields = [String: Node]()
            for (keyNode, value) in mapping {
                let key = try text(keyNode, field)
                let path = field.map { "\($0).\(key)" } ?? key
                guard known.contains(key) else { throw fail(path, "unknown field (known: \(known.sorted().joined(separator: ", ")))", keyNode) }
                fields[key] = value
            }
            return fields
        }

        func text(_ node: Node, _ field: String?) throws(WebConfigurationError) -> String {
            guard case let .scalar(scalar) = node else { throw fail(field, "expected a single value", node) }
            return scalar.string
        }

        /// A file name, relative to the configuration's directory, that must exist.
        func file(_ node: Node, _ field: String) throws(WebConfigurationError) -> String {
            let name = try text(node, field)
            let path = name.hasPrefix("/") ? name : directory.appendingPathComponent(name).path
            guard FileManager.default.isReadableFile(atPath: path) else { throw fail(field, "cannot read \(path)", node) }
            return path
        }

        func version(_ node: Node, _ field: String) throws(WebConfigurationError) -> TLSVersion {
            let text = try text(node, field)
            guard let version = TLSVersion(rawValue: text) else { throw fail(field, "\(text) is not TLS10, TLS11, TLS12 or TLS13", node) }
            return version
        }

        func count(_ node: Node, _ field: String) throws(WebConfigurationError) -> Int {
            let text = try text(node, field)
            guard let value = Int(text), value >= 0 else { throw fail(field, "\(text) is not a whole number of 0 or more", node) }
            return value
        }

        /// `500ms`, `1s`, `2m`, `1h`, or 0.
        func duration(_ node: Node, _ field: String) throws(WebConfigurationError) -> Duration {
            let text = try text(node, field)
            if text == "0" { return .zero }
            for (suffix, unit) in [("ms", Duration.milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))] where text.hasSuffix(suffix) {
                if let amount = Double(text.dropLast(suffix.count)), amount >= 0 { return unit * amount }
            }
            throw fail(field, "\(text) is not a duration such as 500ms, 1s or 2m", node)
        }
    }
}

/// A mistake in the web configuration file: file, line, field and what is wrong, in one line.
public struct WebConfigurationError: Error, CustomStringConvertible {
    public let origin: String
    public let field: String?
    public let line: Int?
    public let message: String

    init(origin: String, field: String?, line: Int?, _ message: String) {
        self.origin = origin
        self.field = field
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(origin)\(line.map { ":\($0)" } ?? ""): \(field.map { "field \($0): " } ?? "")\(message)"
    }
}

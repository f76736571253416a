import ChainFixtures
import ExactJSON
import Foundation
import Testing

/// `--web.config.file` on a real `serve`: TLS with client certificates and a minimum version,
/// basic auth users with bcrypt hashes, the API key for restricted metrics, request rate and
/// size limits, over `/metrics`, the pages and the API alike. Certificates are made by Python's
/// `cryptography` and hashes by the `bcrypt` package; requests go through Python's `ssl`. What
/// is refused is refused, and no secret reaches the log or `/metrics`.
@Suite(.timeLimit(.minutes(3))) struct WebSecurityTests {
    static let password = "correct horse battery staple"
    static let apiKey = "key-5f1c9a7e"

    /// A CA, the server's certificate (for 127.0.0.1), a client certificate the CA signed, one
    /// that expired yesterday, one from another CA; and a bcrypt hash of the password.
    static let makeSecrets = #"""
        import bcrypt, datetime, sys
        from cryptography import x509
        from cryptography.x509.oid import NameOID
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        import ipaddress
        out = sys.argv[1]
        now = datetime.datetime.now(datetime.timezone.utc)
        def key():
            return ec.generate_private_key(ec.SECP256R1())
        def save(name, k, cert):
            open(f"{out}/{name}.key", "wb").write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            open(f"{out}/{name}.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
        def cert(name, k, issuer_name, issuer_key, ca=False, start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=30), server=False):
            b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                 .issuer_name(issuer_name).public_key(k.public_key()).serial_number(x509.random_serial_number())
                 .not_valid_before(start).not_valid_after(end)
                 .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
            if server:
                b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            return b.sign(issuer_key, hashes.SHA256())
        def authority(name):
            k = key(); n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
            return k, n, cert(name, k, n, k, ca=True)
        ca_key, ca_name, ca = authority("test CA")
        save("ca", ca_key, ca)
        for name, kwargs in [("server", {"server": True}), ("client", {}),
                             ("expired", {"start": now - datetime.timedelta(days=10), "end": now - datetime.timedelta(days=1)})]:
            k = key(); save(name, k, cert(name, k, ca_name, ca_key, **kwargs))
        rogue_key, rogue_name, rogue = authority("rogue CA")
        k = key(); save("rogue", k, cert("rogue", k, rogue_name, rogue_key))
        print(bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt(10)).decode())
        """#

    /// Each request of the list (JSON on stdin) through Python's `ssl`: its status, or the
    /// kind of failure when no answer came.
    static let client = #"""
        import base64, json, ssl, sys, urllib.request, urllib.error
        d = sys.argv[1]
        results = []
        for case in json.load(sys.stdin):
            context = ssl.create_default_context(cafile=f"{d}/ca.crt")
            if case.get("cert"):
                context.load_cert_chain(f"{d}/{case['cert']}.crt", f"{d}/{case['cert']}.key")
            if case.get("max_tls12"):
                context.maximum_version = ssl.TLSVersion.TLSv1_2
            request = urllib.request.Request(case["url"], data=case.get("body", "").encode() or None, method=case.get("method", "GET"))
            if "user" in case:
                request.add_header("Authorization", "Basic " + base64.b64encode(f"{case['user']}:{case['password']}".encode()).decode())
            for name, value in case.get("headers", {}).items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, context=context if case["url"].startswith("https") else None, timeout=10) as answer:
                    results.append({"status": answer.status, "body": answer.read().decode(errors="replace")[:1000000]})
            except urllib.error.HTTPError as error:
                results.append({"status": error.code, "body": error.read().decode(errors="replace")[:2000]})
            except Exception as error:
                results.append({"status": 0, "error": type(error).__name__ + ": " + str(error)})
        print(json.dumps(results))
        """#

    struct Case {
        var path: String
        var cert: String? = "client"
        var user: String? = "prometheus"
        var password: String = WebSecurityTests.password
        var headers: [String: String] = [:]
        var maxTLS12 = false
        var scheme = "https"
        var method = "GET"
        var body = ""
    }

    static func run(_ cases: [Case], port: Int, secrets: URL) async throws -> [(status: Int, text: String)] {
        let list = JSON.array(cases.map { item in
            var members: [JSON.Member] = [
                JSON.Member("url", .string("\(item.scheme)://127.0.0.1:\(port)\(item.path)")), JSON.Member("method", .string(item.method)),
                JSON.Member("body", .string(item.body)), JSON.Member("max_tls12", .bool(item.maxTLS12)),
                JSON.Member("headers", .object(item.headers.map { JSON.Member($0.key, .string($0.value)) })),
            ]
            if let cert = item.cert { members.append(JSON.Member("cert", .string(cert))) }
            if let user = item.user { members += [JSON.Member("user", .string(user)), JSON.Member("password", .string(item.password))] }
            return .object(members)
        })
        let output = try await PythonReferee.run(client, input: list.serialized(), arguments: [secrets.path])
        return try JSON.parse(output).arrayValue?.map { result in
            (Int(result["status"]?.uint64Value ?? 0), result["error"]?.stringValue ?? result["body"]?.stringValue ?? "")
        } ?? []
    }

    @Test func tlsClientCertificatesBasicAuthKeysAndLimitsGuardEveryRoute() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-security-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let hash = try await PythonReferee.run(Self.makeSecrets, arguments: [directory.path, Self.password]).trimmingCharacters(in: .whitespacesAndNewlines)
        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              min_version: TLS13
            basic_auth_users:
              prometheus: \(hash)
            rate_limit:
              interval: 1s
              burst: 40
            http_server_config:
              max_request_body_bytes: 65536
            """.write(to: directory.appendingPathComponent("web.yml"), atomically: true, encoding: .utf8)
        try "\(Self.apiKey)\n".write(to: directory.appendingPathComponent("keys"), atomically: true, encoding: .utf8)
        let definitions = directory.appendingPathComponent("definitions")
        try FileManager.default.createDirectory(at: definitions, withIntermediateDirectories: true)
        try """
            - name: restricted_issuance_tokens
              help: Total issuance, for key holders only.
              type: gauge
              unit: tokens
              source: { storage: Balances.TotalIssuance }
              scale: token_decimals
              access: restricted
            """.write(to: definitions.appendingPathComponent("restricted.yaml"), atomically: true, encoding: .utf8)

        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.5", "--finality-lag", "1"])
        defer { node.stop() }
        let store = "sqlite:\(directory.appendingPathComponent("store.sqlite").path)"
        let exporter = try await ExporterProcess.launch([
            "--rpc", node.webSocketURL, "--chain", "dev", "--store", store, "--metrics-dir", definitions.path,
            "--web.config.file", directory.appendingPathComponent("web.yml").path, "--api-keys-file", directory.appendingPathComponent("keys").path,
        ])
        defer { exporter.stop() }
        let port = exporter.server.port
        let series = "/api/v1/metrics/restricted_issuance_tokens/timeseries?chain=dev&from=utc_now-1h&to=utc_now&interval=1h&includeIncompleteData=true"
        // A block followed and the restricted metric in the store before the cases run (on a
        // busy machine the first block can take a while).
        let ready = [Case(path: "/metrics"), Case(path: series, headers: ["X-Api-Key": Self.apiKey])]
        let waitLimit = ContinuousClock.now + .seconds(90)
        while true {
            let answers = try await Self.run(ready, port: port, secrets: directory)
            if answers.count == 2, answers[0].text.contains("runtime_system_block_number{chain=\"dev\"}"), answers[1].text.contains("\"data\":[{") { break }
            try #require(ContinuousClock.now < waitLimit, "no block stored within 90 s: \(answers.map { "\($0.status) \($0.text.prefix(200))" })")
            // Slower than the rate limit refills, so that its burst is whole for the cases.
            try await Task.sleep(for: .seconds(3))
        }

        let cases: [(String, Case, (Int, String) -> Bool)] = [
            ("/metrics with a client certificate and the password", Case(path: "/metrics"), { $0 == 200 && $1.contains("runtime_system_block_number{chain=\"dev\"}") }),
            ("the status page", Case(path: "/"), { $0 == 200 && $1.contains("data-chain=\"dev\"") }),
            ("the REST API", Case(path: "/api/v1/slugs"), { $0 == 200 && $1.contains("\"dev\"") }),
            ("GraphQL", Case(path: "/graphql", method: "POST", body: #"{"query": "{ getAvailableSlugs }"}"#, ), { $0 == 200 && $1.contains("\"dev\"") }),
            ("no password", Case(path: "/metrics", user: nil), { s, _ in s == 401 }),
            ("a wrong password", Case(path: "/metrics", password: "Correct horse battery staple"), { s, _ in s == 401 }),
            ("an unknown user", Case(path: "/", user: "admin"), { s, _ in s == 401 }),
            ("no password on the API", Case(path: "/api/v1/slugs", user: nil), { s, _ in s == 401 }),
            ("a restricted metric without a key", Case(path: series), { s, _ in s == 401 }),
            ("a restricted metric with a wrong key", Case(path: series, headers: ["X-Api-Key": "key-00000000"]), { s, _ in s == 401 }),
            ("a restricted metric with the key", Case(path: series, headers: ["X-Api-Key": Self.apiKey]), { $0 == 200 && $1.contains("\"data\":[{") }),
            ("no client certificate", Case(path: "/metrics", cert: nil), { s, _ in s == 0 }),
            ("an expired client certificate", Case(path: "/metrics", cert: "expired"), { s, _ in s == 0 }),
            ("a client certificate of another CA", Case(path: "/metrics", cert: "rogue"), { s, _ in s == 0 }),
            ("TLS 1.2 when 1.3 is the minimum", Case(path: "/metrics", maxTLS12: true), { s, _ in s == 0 }),
            ("plain HTTP", Case(path: "/metrics", scheme: "http"), { s, _ in s != 200 }),
            ("a body above the limit", Case(path: "/graphql", method: "POST", body: String(repeating: "x", count: 70_000)), { s, _ in s == 413 }),
        ]
        let results = try await Self.run(cases.map(\.1), port: port, secrets: directory)
        #expect(results.count == cases.count)
        for (index, (what, _, expected)) in cases.enumerated() where index < results.count {
            #expect(expected(results[index].status, results[index].text), "\(what): \(results[index].status) \(results[index].text.prefix(300))")
        }

        // No secret in the log or on /metrics.
        let metrics = try await Self.run([Case(path: "/metrics")], port: port, secrets: directory).first?.text ?? ""
        let serverKey = try String(contentsOf: directory.appendingPathComponent("server.key"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        for (name, secret) in [("password", Self.password), ("bcrypt hash", hash), ("API key", Self.apiKey), ("server key", String(serverKey.prefix(40)))] {
            #expect(!exporter.server.log.contains(secret), "the \(name) is in the log")
            #expect(!metrics.contains(secret), "the \(name) is on /metrics")
        }
        #expect(exporter.server.log.contains("refused GET /metrics: no valid basic auth credentials"))

        // The rate limit, last: 60 requests in a row against a burst of 40 and one more a second.
        let burst = try await Self.run(Array(repeating: Case(path: "/-/healthy"), count: 60), port: port, secrets: directory)
        let refused = burst.filter { $0.status == 429 }.count
        #expect(refused >= 10 && burst.allSatisfy { $0.status == 200 || $0.status == 429 }, "\(burst.map(\.status))")
        print("web security: \(cases.count) cases, \(refused) of 60 requests in a row refused with 429")
    }

    /// A malformed web configuration stops the exporter before it listens: one line naming the
    /// file, line and field, exit code 2.
    @Test func malformedWebConfigurationsAreRefusedInOneLine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("web.yml")
        let cases: [(String, String)] = [
            ("basic_auth_users:\n  alice: hunter2\n", "web.yml:2: field basic_auth_users.alice: not a bcrypt hash"),
            ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "web.yml:2: field tls_server_config.cert_file: cannot read"),
            ("tls_server_confg:\n  cert_file: a\n", "web.yml:1: field tls_server_confg: unknown field"),
            ("rate_limit:\n  interval: soon\n", "web.yml:2: field rate_limit.interval: soon is not a duration"),
        ]
        for (text, expected) in cases {
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try await Executable.run("runtime-exporter", ["serve", "--rpc", "ws://127.0.0.1:1", "--store", "none", "--web.config.file", file.path])
            #expect(result.status == 2, "\(text): \(result.stderr)")
            #expect(result.stderr.hasPrefix("runtime-exporter: error: \(directory.path)/\(expected)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }
}

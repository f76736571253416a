public import Hummingbird
public import HummingbirdCore
public import HummingbirdTLS
public import Logging
import NIOSSL

/// What a web configuration asks of every route: a request rate, a request size, basic auth
/// credentials (in that order, so that the cheap refusals come before bcrypt), and TLS on the
/// connection itself. `/metrics`, the pages and the API are behind all of it alike.
public struct WebSecurity: Sendable {
    public let configuration: WebConfiguration
    private let authentication: BasicAuthentication?
    private let limiter: RateLimiter?

    public init(_ configuration: WebConfiguration) {
        self.configuration = configuration
        authentication = configuration.users.isEmpty ? nil : BasicAuthentication(users: configuration.users)
        limiter = configuration.rateLimit.map { RateLimiter(interval: $0.interval, burst: $0.burst) }
    }

    /// No TLS, no users, no rate limit; the default request size limit.
    public static let open = WebSecurity(WebConfiguration())

    public var isTLS: Bool { configuration.tls != nil }

    /// Adds the checks to `router`; call it before adding routes (Hummingbird applies
    /// middleware to the routes added after it).
    public func addMiddleware<Context: RequestContext>(to router: Router<Context>, logger: Logger) {
        router.add(middleware: Guard(security: self, logger: logger))
    }

    /// The server's channel: HTTP/1.1, inside TLS when the configuration has it.
    public func serverBuilder() throws -> HTTPServerBuilder {
        guard let tls = configuration.tls else { return .http1() }
        return try .tls(.http1(), tlsConfiguration: Self.tlsConfiguration(tls))
    }

    static func tlsConfiguration(_ tls: WebConfiguration.TLS) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(tls.certificateFile) } catch { throw TLSSetupError("\(tls.certificateFile): not a PEM certificate (\(error))") }
        do { key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem) } catch { throw TLSSetupError("\(tls.keyFile): not a PEM private key") }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = version(tls.minimumVersion)
        configuration.maximumTLSVersion = tls.maximumVersion.map(version)
        switch tls.clientAuth {
        case .none: configuration.certificateVerification = .none
        case .verifyIfGiven: configuration.certificateVerification = .optionalVerification
        case .required: configuration.certificateVerification = .noHostnameVerification
        }
        if let ca = tls.clientCAFile {
            do { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) } catch { throw TLSSetupError("\(ca): not a PEM certificate (\(error))") }
        }
        return configuration
    }

    private static func version(_ version: WebConfiguration.TLSVersion) -> TLSVersion {
        switch version {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }

    public struct TLSSetupError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// A request body that fails with 413 once it has given more than `limit` bytes.
    struct LimitedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let limit: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            let limit: Int
            var seen = 0

            mutating func next() async throws -> ByteBuffer? {
                guard let chunk = try await base.next() else { return nil }
                seen += chunk.readableBytes
                guard seen <= limit else { throw HTTPError(.contentTooLarge, message: "request body above \(limit) bytes") }
                return chunk
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
    }

    /// The checks, as one middleware.
    struct Guard<Context: RequestContext>: RouterMiddleware {
        let security: WebSecurity
        let logger: Logger

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            if let limiter = security.limiter, let wait = limiter.take() {
                let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
                return Response(status: .tooManyRequests, headers: [.retryAfter: String(seconds)], body: .init(byteBuffer: ByteBuffer(string: "too many requests\n")))
            }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > security.configuration.maximumRequestBytes {
                return Response(status: .contentTooLarge, body: .init(byteBuffer: ByteBuffer(string: "request body above \(security.configuration.maximumRequestBytes) bytes\n")))
            }
            var request = request
            if request.headers[.contentLength] == nil {
                // A body without a declared length is cut off at the limit as it is read.
                request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: security.configuration.maximumRequestBytes))
            }
            if let authentication = security.authentication {
                guard authentication.user(authorization: request.headers[.authorization]) != nil else {
                    // Who tried is worth a log line; what they sent never is.
                    logger.warning("refused \(request.method) \(request.uri.path): no valid basic auth credentials")
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"runtime-exporter\", charset=\"UTF-8\""],
                                    body: .init(byteBuffer: ByteBuffer(string: "credentials needed\n")))
                }
            }
            return try await next(request, context)
        }
    }
}

public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
public import WebSecurity

/// The HTTP server every command runs the same way: on `--web.listen-address`, behind
/// `--web.config.file` (TLS, basic auth, rate and size limits, for every route alike).
public enum WebServing {
    /// The web configuration file's demands; none without one. A bad file stops the command
    /// with one line naming file, line and field.
    public static func security(file path: String?) throws -> WebSecurity {
        guard let path else { return .open }
        return WebSecurity(try WebConfiguration.load(file: path))
    }

    /// A router with the configuration's checks in front of every route added to it.
    public static func router(_ security: WebSecurity, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        security.addMiddleware(to: router, logger: logger)
        return router
    }

    public static func application(
        router: Router<BasicRequestContext>, at address: ListenAddress, security: WebSecurity, logger: Logger,
        listening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) throws -> some Service {
        do {
            return Application(
                router: router, server: try security.serverBuilder(), configuration: .init(address: .hostname(address.host, port: address.port), serverName: "runtime-exporter"),
                onServerRunning: { channel in await listening(address.host, channel.localAddress?.port ?? address.port) }, logger: logger)
        } catch {
            throw InputFailure(file: "--web.config.file", message: "\(error)")
        }
    }

    /// The exposition text at `path` (`/metrics`), in Prometheus' text format 0.0.4.
    public static func addExposition(to router: Router<BasicRequestContext>, path: String, _ text: @escaping @Sendable () -> String) {
        router.get(RouterPath(path)) { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text())))
        }
    }
}

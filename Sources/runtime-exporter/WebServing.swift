import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WebSecurity

/// The HTTP server every command runs the same way: on `--web.listen-address`, behind
/// `--web.config.file` (TLS, basic auth, rate and size limits, for every route alike).
enum WebServing {
    /// The web configuration file's demands; none without one. A bad file stops the command
    /// with one line naming file, line and field.
    static func security(file path: String?) throws -> WebSecurity {
        guard let path else { return .open }
        return WebSecurity(try WebConfiguration.load(file: path))
    }

    /// A router with the configuration's checks in front of every route added to it.
    static func router(_ security: WebSecurity, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        security.addMiddleware(to: router, logger: logger)
        return router
    }

    static func application(
        router: Router<BasicRequestContext>, host: String, port: Int, security: WebSecurity, logger: Logger,
        listening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) throws -> some Service {
        do {
            return Application(
                router: router, server: try security.serverBuilder(), configuration: .init(address: .hostname(host, port: port), serverName: "runtime-exporter"),
                onServerRunning: { channel in await listening(host, channel.localAddress?.port ?? port) }, logger: logger)
        } catch {
            throw InputFailure(file: "--web.config.file", message: "\(error)")
        }
    }
}

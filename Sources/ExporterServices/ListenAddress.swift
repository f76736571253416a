/// `--web.listen-address` and `web.listen_address`: HOST:PORT, or :PORT for every interface.
public struct ListenAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        (self.host, self.port) = (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

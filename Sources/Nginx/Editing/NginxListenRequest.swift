/// One listen to add: to block `block` (index in ``NginxConfigTree/serverBlocks``), for
/// `family` on `port`.
public struct NginxListenRequest: Sendable, Hashable {
    public let block: Int
    public let family: NginxAddressFamily
    public let port: Int

    public init(block: Int, family: NginxAddressFamily, port: Int) {
        self.block = block
        self.family = family
        self.port = port
    }
}

/// One listen to add: to block `block` (index in ``NginxConfigTree/serverBlocks``), for
/// `family` on `port`.
public struct NginxListenRequest: Sendable, Hashable {
    public let block: Int
    public let family: AddressFamily
    public let port: Int

    public init(block: Int, family: AddressFamily, port: Int) {
        self.block = block
        self.family = family
        self.port = port
    }
}

/// An address:port nginx groups listens by: the blocks sharing it compete for its requests.
struct NginxSocketKey: Hashable, Sendable {
    let address: NginxListenAddress
    let port: Int
}

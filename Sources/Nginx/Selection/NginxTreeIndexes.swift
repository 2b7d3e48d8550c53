/// The socket and name indexes every vhost of a plan is looked up in, built once per tree.
/// Made on the thread that read the tree, they are ready when the desired state is, instead
/// of after it.
public struct NginxTreeIndexes: Sendable {
    public let selector: NginxServerSelector
    public let claims: NginxNameClaims

    public init(tree: NginxConfigTree) {
        selector = NginxServerSelector(tree: tree)
        claims = NginxNameClaims(tree: tree)
    }
}

import Nginx

/// What the planner derives from nginx's tree alone, once per tree: the socket and name
/// indexes every vhost is looked up in, an edit batch with the tree's listens indexed, and the
/// listens nginx cannot bind together. Made on the thread that read the tree (the selector on
/// a second one beside it), they are ready when the desired state is, instead of after it.
public struct TreeIndexes: Sendable {
    let selector: NginxServerSelector
    let claims: NginxNameClaims
    let batch: NginxEditBatch
    let listenConflicts: [NginxError]

    public init(tree: NginxConfigTree) {
        var claims: NginxNameClaims?
        var batch: NginxEditBatch?
        var conflicts: [NginxError] = []
        selector = Concurrently.run(
            { NginxServerSelector(tree: tree) },
            while: {
                claims = NginxNameClaims(tree: tree)
                batch = NginxEditBatch(tree: tree)
                conflicts = tree.listenConflicts()
            })
        self.claims = claims ?? NginxNameClaims(tree: tree)
        self.batch = batch ?? NginxEditBatch(tree: tree)
        listenConflicts = conflicts
    }
}

import Foundation
import Reconciler
import TestSupport
import Testing

/// `AtomicFile.symlinkOutside`, on real symlinks: which writes would leave the directory of
/// nginx's main config.
@Suite struct SymlinkPathTests {
    @Test func onlyLinksLeadingOutsideAreReported() throws {
        let dir = try TemporaryDirectory()
        let nginx = dir.path + "/nginx"
        let fm = FileManager.default
        try dir.write("nginx/sites-available/a.conf", "server {}\n")
        try dir.write("nginx/plain.conf", "server {}\n")
        try dir.write("outside/b.conf", "server {}\n")
        try fm.createDirectory(atPath: nginx + "/sites-enabled", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: nginx + "/sites-enabled/a.conf", withDestinationPath: "../sites-available/a.conf")
        try fm.createSymbolicLink(atPath: nginx + "/sites-enabled/b.conf", withDestinationPath: dir.path + "/outside/b.conf")
        try fm.createSymbolicLink(atPath: nginx + "/linked-dir", withDestinationPath: dir.path + "/outside")
        // A dangling link cannot be read, so no plan edits it; were it written, the rename
        // would replace the link itself, inside the tree.
        try fm.createSymbolicLink(atPath: nginx + "/dangling.conf", withDestinationPath: dir.path + "/outside/new.conf")

        #expect(AtomicFile.symlinkOutside(nginx + "/plain.conf", directory: nginx) == nil)
        #expect(AtomicFile.symlinkOutside(nginx + "/sites-enabled/a.conf", directory: nginx) == nil)
        #expect(AtomicFile.symlinkOutside(nginx + "/sites-enabled/b.conf", directory: nginx) == dir.path + "/outside/b.conf")
        #expect(AtomicFile.symlinkOutside(nginx + "/linked-dir/b.conf", directory: nginx) == dir.path + "/outside/b.conf")
        #expect(AtomicFile.symlinkOutside(nginx + "/dangling.conf", directory: nginx) == nil)
    }

    /// /etc/nginx itself may be a link (to a config-management checkout): files inside the
    /// place it points to are inside.
    @Test func configDirectoryBehindALinkIsStillInside() throws {
        let dir = try TemporaryDirectory()
        try dir.write("real-nginx/sites/a.conf", "server {}\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/nginx", withDestinationPath: dir.path + "/real-nginx")
        #expect(AtomicFile.symlinkOutside(dir.path + "/nginx/sites/a.conf", directory: dir.path + "/nginx") == nil)
    }
}

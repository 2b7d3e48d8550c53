import ContainedFiles
import Foundation
import TestSupport
import Testing

/// Where a tree write lands (``ContainedFile/destination(of:rule:)``), on real symlinks: which
/// writes would leave the directory of nginx's main config.
@Suite struct SymlinkPathTests {
    func inside(_ path: String, _ root: String) throws -> Bool {
        try ContainedFile.destination(of: path, rule: .tree(roots: [root], allowOutside: false)).allowed
    }

    @Test func onlyLinksLeadingOutsideAreRefused() throws {
        let dir = try TemporaryDirectory()
        let nginx = dir.path + "/nginx"
        let fm = FileManager.default
        try dir.write("nginx/sites-available/a.conf", "server {}\n")
        try dir.write("nginx/plain.conf", "server {}\n")
        try dir.write("outside/b.conf", "server {}\n")
        try fm.createDirectory(atPath: nginx + "/sites-enabled", withIntermediateDirectories: true)
        try fm.createSymbolicLink(
            atPath: nginx + "/sites-enabled/a.conf", withDestinationPath: "../sites-available/a.conf")
        try fm.createSymbolicLink(
            atPath: nginx + "/sites-enabled/abs.conf", withDestinationPath: nginx + "/sites-available/a.conf")
        try fm.createSymbolicLink(
            atPath: nginx + "/sites-enabled/b.conf", withDestinationPath: dir.path + "/outside/b.conf")
        try fm.createSymbolicLink(atPath: nginx + "/linked-dir", withDestinationPath: dir.path + "/outside")
        // A dangling link would create its target: outside here, so refused like any other.
        try fm.createSymbolicLink(atPath: nginx + "/dangling.conf", withDestinationPath: dir.path + "/outside/new.conf")

        #expect(try inside(nginx + "/plain.conf", nginx))
        #expect(try inside(nginx + "/sites-enabled/a.conf", nginx))
        #expect(try inside(nginx + "/sites-enabled/abs.conf", nginx))
        #expect(try !inside(nginx + "/sites-enabled/b.conf", nginx))
        #expect(try !inside(nginx + "/linked-dir/b.conf", nginx))
        #expect(try !inside(nginx + "/dangling.conf", nginx))
        let resolved = try ContainedFile.destination(
            of: nginx + "/sites-enabled/b.conf", rule: .tree(roots: [nginx], allowOutside: false))
        #expect(resolved.path == dir.path + "/outside/b.conf")
    }

    /// /etc/nginx itself may be a link (to a config-management checkout): files inside the
    /// place it points to are inside.
    @Test func configDirectoryBehindALinkIsStillInside() throws {
        let dir = try TemporaryDirectory()
        try dir.write("real-nginx/sites/a.conf", "server {}\n")
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/nginx", withDestinationPath: dir.path + "/real-nginx")
        #expect(try inside(dir.path + "/nginx/sites/a.conf", dir.path + "/nginx"))
    }

    @Test func aLinkLoopIsAnErrorNotAHang() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/a", withDestinationPath: dir.path + "/b")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/b", withDestinationPath: dir.path + "/a")
        #expect(throws: ContainedWriteError(path: dir.path + "/a", reason: .tooManySymlinks)) {
            try ContainedFile.write([1], to: dir.path + "/a", rule: .tree(roots: [dir.path], allowOutside: false))
        }
    }
}

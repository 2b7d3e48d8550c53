import Foundation
import TestSupport
import Testing

/// Symlinks in the nginx tree: apply writes through a link whose target stays inside the
/// directory of nginx's main config (Debian's sites-enabled -> sites-available) and says so;
/// one leading outside it is refused before anything is written, unless
/// `--allow-symlinks-outside` is given.
@Suite(.serialized)
struct SymlinkTests {
    /// Moves `nginx/sites/media.conf` to `target` (relative to the lab) and links it back.
    func linkMedia(_ lab: OutageLab, to target: String) throws -> String {
        let link = lab.dir.path + "/nginx/sites/media.conf"
        let real = lab.dir.path + "/" + target
        try FileManager.default.createDirectory(
            atPath: (real as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: link, toPath: real)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try lab.nginx.reload()
        return real
    }

    func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    @Test func symlinkOutsideTheNginxDirectoryIsRefusedUnlessAllowed() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let link = lab.dir.path + "/nginx/sites/media.conf"
        let real = try linkMedia(lab, to: "elsewhere/media.conf")
        let before = FileManager.default.contents(atPath: real)

        let refused = try lab.reconcile(["apply", "--yes"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "refusing to write \(link): it is a symlink to \(real), outside \(lab.dir.path)/nginx (the directory of nginx.config); nothing was written. Pass --allow-symlinks-outside"
            ), "\(refused.stderr)")
        #expect(FileManager.default.contents(atPath: real) == before)
        #expect(isSymlink(link))
        #expect(try await lab.published("media.example.social.", .aaaa) == [])
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path + "/state/backups"))

        let allowed = try lab.reconcile(["apply", "--yes", "--allow-symlinks-outside"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(
            allowed.stdout.contains(
                "nginx: \(link) is a symlink to \(real), outside \(lab.dir.path)/nginx; writing through it"))
        #expect(allowed.stdout.contains("nginx: wrote \(link) (through its symlink to \(real))"))
        #expect(isSymlink(link))
        #expect(FileManager.default.contents(atPath: real) != before)
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
    }

    @Test func symlinkedDirectoryOutsideIsRefusedToo() throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let sites = lab.dir.path + "/nginx/sites"
        let outside = lab.dir.path + "/shared-sites"
        try FileManager.default.moveItem(atPath: sites, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: sites, withDestinationPath: outside)
        try lab.nginx.reload()
        let before = try lab.siteFiles()
        let refused = try lab.reconcile(["apply", "--yes"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it is a symlink to \(outside)/media.conf, outside"), "\(refused.stderr)")
        #expect(try lab.siteFiles() == before)
    }

    @Test func debianStyleSymlinkInsideIsWrittenThroughAndSaidSo() async throws {
        let lab = try OutageLab.ipv4OnlyMedia()
        defer { lab.stop() }
        let link = lab.dir.path + "/nginx/sites/media.conf"
        let real = try linkMedia(lab, to: "nginx/sites-available/media.conf")
        let applied = try lab.reconcile(["apply", "--yes"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("nginx: wrote \(link) (through its symlink to \(real))"), "\(applied.stdout)")
        #expect(isSymlink(link))
        #expect(
            String(decoding: FileManager.default.contents(atPath: real) ?? Data(), as: UTF8.self).contains(
                "listen [::1]:\(lab.port) ssl;"))
        #expect(try lab.https("media.example.social", via: "::1") == "media\n")
        #expect(try await lab.published("media.example.social.", .aaaa) == ["::1"])
    }
}

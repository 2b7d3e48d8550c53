import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §13's output rule through the command line: `--metrics-file`, `plan --out` and
/// `units --install --root` never write through a symlink another user planted, nor into a
/// directory others can write; the command exits 1 naming the path and the rule, and the
/// victim is untouched. On the bundled example (no servers needed).
@Suite struct OutputFileTests {
    static let victimBytes = Array("root:$6$secret:19000:0:99999:7:::\n".utf8)

    struct Setup {
        let dir: TemporaryDirectory
        let victim: String
        /// A directory another user (nobody) owns, as a deployer's or a collector's.
        let theirs: String
    }

    static func setup() throws -> Setup {
        let dir = try TemporaryDirectory()
        let victim = try dir.write("root-only/shadow", Data(victimBytes)).path
        chmod(victim, 0o600)
        let theirs = dir.path + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        chown(theirs, 65534, 65534)
        return Setup(dir: dir, victim: victim, theirs: theirs)
    }

    /// A symlink at `path`, owned by nobody (lchown), pointing at the victim.
    static func plant(_ path: String, at victim: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        lchown(path, 65534, 65534)
    }

    static func expectUntouched(_ victim: String) {
        var info = stat()
        #expect(lstat(victim, &info) == 0 && info.st_mode & 0o7777 == 0o600)
        #expect(FileManager.default.contents(atPath: victim).map { [UInt8]($0) } == victimBytes)
    }

    static func reconcile(_ arguments: [String]) throws -> ChildProcess.Result {
        let binary = BuiltProduct.path("reconcile")
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build reconcile first: \(binary)")
        return try ChildProcess.run([binary] + arguments, currentDirectory: PackageRoot.url.path)
    }

    static let finalSymlinkRule = "it is a symlink, and an output file is never written through a symlink"

    @Test func metricsFileThroughAPlantedSymlinkIsRefused() throws {
        let setup = try Self.setup()
        let path = setup.theirs + "/reconcile.prom"
        try Self.plant(path, at: setup.victim)
        let result = try Self.reconcile(["plan", "--desired", "desired-state", "--metrics-file", path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("refusing to write \(path): \(Self.finalSymlinkRule)"), "\(result.stderr)")
        Self.expectUntouched(setup.victim)
    }

    @Test func metricsFileInAGroupWritableCollectorDirectoryIsRefused() throws {
        let setup = try Self.setup()
        let collector = setup.dir.path + "/textfile"
        try FileManager.default.createDirectory(atPath: collector, withIntermediateDirectories: true)
        chown(collector, 0, 65534)
        chmod(collector, 0o775)
        let path = collector + "/reconcile.prom"
        let result = try Self.reconcile(["plan", "--desired", "desired-state", "--metrics-file", path])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "refusing to write \(path): its directory \(collector) (mode 775) is writable by users other than its owner"
            ),
            "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func savedPlanThroughAPlantedSymlinkIsRefused() throws {
        let setup = try Self.setup()
        let path = setup.theirs + "/plan.json"
        try Self.plant(path, at: setup.victim)
        let result = try Self.reconcile(["plan", "--desired", "desired-state", "--out", path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("refusing to write \(path): \(Self.finalSymlinkRule)"), "\(result.stderr)")
        Self.expectUntouched(setup.victim)
    }

    @Test func installedUnitThroughAPlantedSymlinkIsRefused() throws {
        let setup = try Self.setup()
        let units = setup.theirs + "/etc/systemd/system"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        for path in [setup.theirs + "/etc", setup.theirs + "/etc/systemd", units] { chown(path, 65534, 65534) }
        let path = units + "/reconcile.service"
        try Self.plant(path, at: setup.victim)
        let result = try Self.reconcile(["units", "--install", "--root", setup.theirs])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("refusing to write \(path): \(Self.finalSymlinkRule)"), "\(result.stderr)")
        Self.expectUntouched(setup.victim)

        // A planted directory link on the way is refused too: nobody could point it anywhere.
        let other = try Self.setup()
        try FileManager.default.createDirectory(atPath: other.theirs + "/etc", withIntermediateDirectories: true)
        chown(other.theirs + "/etc", 65534, 65534)
        let elsewhere = other.dir.path + "/root-only"
        try Self.plant(other.theirs + "/etc/systemd", at: elsewhere)
        let redirected = try Self.reconcile(["units", "--install", "--root", other.theirs])
        #expect(redirected.status == 1)
        #expect(
            redirected.stderr.contains(
                "the path goes through the symlink \(other.theirs)/etc/systemd in \(other.theirs)/etc, which another user owns or can write"
            ), "\(redirected.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == ["shadow"])
    }
}

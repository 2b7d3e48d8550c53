import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What apply leaves in its state directory (backups keep the original's mode and owner, in
/// 0700 folders, pruned to `--keep-backups`), and the `PATH` its children get. Live.
@Suite(.serialized)
struct BackupAndChildPathTests {
    static func mode(_ path: String) -> (mode: Int, uid: uid_t) {
        var info = stat()
        return lstat(path, &info) == 0 ? (Int(info.st_mode & 0o7777), info.st_uid) : (-1, 0)
    }

    /// The §1 outage with the AAAA already published: each apply has one nginx file to write.
    static func lab() throws -> OutageLab {
        try OutageLab(
            sites: ["example.conf": OutageSites.example, "media.conf": OutageSites.media],
            records: OutageSites.records, vhosts: OutageSites.dualStack)
    }

    @Test func backupsKeepTheOriginalsModeAndOwnerInPrivateFolders() throws {
        let lab = try Self.lab()
        defer { lab.stop() }
        let media = lab.dir.path + "/nginx/sites/media.conf"
        chmod(media, 0o600)
        chown(media, 65534, 65534)
        // A state directory an operator made by hand, readable by everyone.
        try FileManager.default.createDirectory(atPath: lab.dir.path + "/state", withIntermediateDirectories: true)
        chmod(lab.dir.path + "/state", 0o755)
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let backups = lab.dir.path + "/state/backups"
        #expect(Self.mode(backups).mode == 0o700)
        let folders = try FileManager.default.contentsOfDirectory(atPath: backups)
        #expect(folders.count == 1)
        let folder = backups + "/" + (folders.first ?? "")
        #expect(Self.mode(folder).mode == 0o700)
        let copy = folder + "/0-media.conf"
        #expect(Self.mode(copy).mode == 0o600)
        #expect(Self.mode(copy).uid == 65534)
        #expect(Self.mode(media).mode == 0o600 && Self.mode(media).uid == 65534)
    }

    /// The state directory's markers decide what the next apply does: one that others can
    /// write is refused before anything is changed.
    @Test func aStateDirectoryOthersCanWriteIsRefused() throws {
        let lab = try Self.lab()
        defer { lab.stop() }
        let state = lab.dir.path + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chmod(state, 0o777)
        let before = try lab.siteFiles()
        let apply = try lab.reconcile(["apply", "--yes"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stderr.contains(
                "the state directory: refusing to write \(state)/*: its directory \(state) (mode 777) is writable by users other than its owner"
            ), "\(apply.stderr)")
        #expect(try lab.siteFiles() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).isEmpty)
    }

    @Test func onlyTheBackupsOfTheLastAppliesAreKeptAndPruningIsJournaled() throws {
        let lab = try Self.lab()
        defer { lab.stop() }
        let media = lab.dir.path + "/nginx/sites/media.conf"
        let original = try #require(FileManager.default.contents(atPath: media))
        var folders: [[String]] = []
        for _ in 1...5 {
            let apply = try lab.reconcile(["apply", "--yes", "--keep-backups", "3"])
            #expect(apply.status == 0, "\(apply.stderr)")
            folders.append(
                try FileManager.default.contentsOfDirectory(atPath: lab.dir.path + "/state/backups").sorted())
            // The next apply has the same listen to add again.
            #expect(FileManager.default.createFile(atPath: media, contents: original))
            try lab.nginx.reload()
            usleep(1_100_000)  // backup folders are named by the second an apply started
        }
        #expect(folders.map(\.count) == [1, 2, 3, 3, 3])
        // The newest three are kept.
        let all = Set(folders.flatMap { $0 }).sorted()
        #expect(all.count == 5)
        #expect(folders[4] == Array(all.suffix(3)))
        let journal = try String(contentsOfFile: lab.dir.path + "/state/journal.jsonl", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(journal.count == 5)
        #expect(!journal[2].contains("pruned_backups"))
        #expect(
            journal[3].contains("\"pruned_backups\":[\"\(lab.dir.path)/state/backups/\(all[0])\"]"), "\(journal[3])")
        let bad = try lab.reconcile(["apply", "--yes", "--keep-backups", "0"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--keep-backups 0: keep at least 1"))
    }

    /// An empty `PATH` would make the current directory part of the search: a `git` planted
    /// there would run as root during `plan`. Children get a fixed, absolute `PATH`.
    @Test func anEmptyPathRunsNoProgramFromTheCurrentDirectory() throws {
        let lab = try Self.lab()
        defer { lab.stop() }
        let marker = lab.dir.path + "/planted-program-ran"
        for name in ["git", "env", "rndc"] {
            let planted = try lab.dir.write(name, "#!/bin/sh\ntouch '\(marker)'\n").path
            chmod(planted, 0o755)
        }
        for path in ["", ":", ".", "::/nonexistent"] {
            let plan = try lab.reconcile(["plan"], environment: ["PATH": path])
            #expect(plan.status == 2, "PATH=\(path): \(plan.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker), "PATH=\(path) ran a planted program")
        }
        let apply = try lab.reconcile(["apply", "--yes"], environment: ["PATH": ""])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "apply with an empty PATH ran a planted program")
    }
}

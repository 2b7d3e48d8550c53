import ContainedFiles
import Foundation
import TestSupport
import Testing

/// The write primitive on real files: the output rule's refusals, the check right before the
/// rename, and what a replaced file keeps.
@Suite struct ContainedFileTests {
    static let nobody: (uid: uid_t, gid: gid_t) = (65534, 65534)

    func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

    func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    @Test func outputFileIsNeverWrittenThroughASymlink() throws {
        let dir = try TemporaryDirectory()
        let victim = try dir.write("victim", "root only\n").path
        chmod(victim, 0o600)
        try FileManager.default.createDirectory(atPath: dir.path + "/out", withIntermediateDirectories: true)
        let path = dir.path + "/out/reconcile.prom"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        #expect(throws: ContainedWriteError(path: path, reason: .finalSymlink)) {
            try ContainedFile.write(Array("metrics\n".utf8), to: path, rule: .output)
        }
        #expect(bytes(victim) == Array("root only\n".utf8))
        #expect(mode(victim) == 0o600)
    }

    @Test func outputDirectoryWritableByOthersIsRefusedUnlessStickyAndOurs() throws {
        let dir = try TemporaryDirectory()
        let shared = dir.path + "/textfile"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o775)
        let path = shared + "/reconcile.prom"
        #expect(throws: ContainedWriteError(path: path, reason: .sharedDirectory(directory: shared, mode: 0o775))) {
            try ContainedFile.write([0x61], to: path, rule: .output)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let error = try #require(throws: ContainedWriteError.self) {
            try ContainedFile.write([0x61], to: path, rule: .output)
        }
        #expect(error.description.contains("chmod go-w \(shared)"))

        // Sticky (as /tmp): a file of our own, or a new one, may be replaced there.
        chmod(shared, 0o1777)
        try ContainedFile.write([0x62], to: path, rule: .output)
        #expect(bytes(path) == [0x62])
        // ... but not another user's.
        chown(path, Self.nobody.uid, Self.nobody.gid)
        #expect(throws: ContainedWriteError(path: path, reason: .sharedDirectory(directory: shared, mode: 0o1777))) {
            try ContainedFile.write([0x63], to: path, rule: .output)
        }
        #expect(bytes(path) == [0x62])
    }

    /// A symlink in a directory another user owns could be pointed anywhere by that user: an
    /// output path through it is refused; one in a directory only root can write is followed.
    @Test func outputPathThroughAnotherUsersSymlinkIsRefused() throws {
        let dir = try TemporaryDirectory()
        let theirs = dir.path + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: theirs + "/link", withDestinationPath: dir.path + "/real")
        chown(theirs, Self.nobody.uid, Self.nobody.gid)
        let path = theirs + "/link/out.json"
        #expect(
            throws: ContainedWriteError(
                path: path, reason: .untrustedSymlink(link: theirs + "/link", directory: theirs))
        ) {
            try ContainedFile.write([0x61], to: path, rule: .output)
        }
        chown(theirs, 0, 0)
        try ContainedFile.write([0x61], to: path, rule: .output)
        #expect(bytes(dir.path + "/real/out.json") == [0x61])
    }

    @Test func replacedFileKeepsOwnerAndModeAndLeavesNoTemporary() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("zone/a.zone", "old\n").path
        chmod(path, 0o640)
        chown(path, Self.nobody.uid, Self.nobody.gid)
        try ContainedFile.write(
            Array("new\n".utf8), to: path, rule: .tree(roots: [dir.path + "/zone"], allowOutside: false),
            options: .init(expected: Array("old\n".utf8)))
        var info = stat()
        stat(path, &info)
        #expect(info.st_uid == Self.nobody.uid && info.st_gid == Self.nobody.gid)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(bytes(path) == Array("new\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/zone") == ["a.zone"])
    }

    /// The check right before the rename: a line an editor appends after the plan read the file
    /// is not lost; the write is abandoned.
    @Test func aChangeJustBeforeTheRenameAbortsTheWrite() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("nginx/a.conf", "server {}\n").path
        let rule = WriteRule.tree(roots: [dir.path + "/nginx"], allowOutside: false)
        let options = ContainedFile.Options(expected: Array("server {}\n".utf8)) {
            let handle = FileHandle(forWritingAtPath: path)
            handle?.seekToEndOfFile()
            handle?.write(Data("# appended by an editor\n".utf8))
            try? handle?.close()
        }
        let error = try #require(throws: ContainedWriteError.self) {
            try ContainedFile.write(Array("server { listen 80; }\n".utf8), to: path, rule: rule, options: options)
        }
        #expect(error.reason == .changed("its contents differ from what the plan read"))
        #expect(bytes(path) == Array("server {}\n# appended by an editor\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/nginx") == ["a.conf"])
    }

    /// A file swapped for another (same bytes, new inode) between the start of a write and its
    /// rename is not overwritten either.
    @Test func aFileReplacedBeforeTheRenameAbortsTheWrite() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("nginx/a.conf", "server {}\n").path
        let swapped = try dir.write("nginx/.swap", "server {}\n").path
        let rule = WriteRule.tree(roots: [dir.path + "/nginx"], allowOutside: false)
        let options = ContainedFile.Options(expected: Array("server {}\n".utf8)) { _ = rename(swapped, path) }
        let error = try #require(throws: ContainedWriteError.self) {
            try ContainedFile.write(Array("x\n".utf8), to: path, rule: rule, options: options)
        }
        #expect(error.reason == .changed("it was replaced by another file"))
        #expect(bytes(path) == Array("server {}\n".utf8))
    }

    @Test func aTreeWriteOutsideItsRootsIsRefusedBeforeAnythingIsWritten() throws {
        let dir = try TemporaryDirectory()
        let victim = try dir.write("victim", "secret\n").path
        try FileManager.default.createDirectory(atPath: dir.path + "/nginx", withIntermediateDirectories: true)
        let link = dir.path + "/nginx/a.conf"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let error = try #require(throws: ContainedWriteError.self) {
            try ContainedFile.write([0x61], to: link, rule: .tree(roots: [dir.path + "/nginx"], allowOutside: false))
        }
        #expect(error.reason == .outsideRoots(target: victim, roots: [dir.path + "/nginx"]))
        #expect(bytes(victim) == Array("secret\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["nginx", "victim"])
    }
}

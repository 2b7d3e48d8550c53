import Foundation
import TestSupport
import Testing

@testable import Nginx

@Suite struct EditorTests {
    static let hostIPv6 = ["2001:db8::10"]
    static let hostIPv4 = ["203.0.113.10"]

    func load(_ files: [String: String], main: String = "/n/nginx.conf") throws -> NginxConfigTree {
        try NginxConfigTree.load(mainConfig: main, reader: InMemoryNginxFileReader(textFiles: files))
    }

    @Test func addsMirroredListenAfterTheLastListenWithItsIndentation() throws {
        let text =
            "http {\n    server {\n        listen 443 ssl http2 backlog=511;\n        listen 80; # plain\n        server_name a;\n    }\n}\n"
        let tree = try load(["/n/nginx.conf": text])
        let edit = try tree.addListen(toBlock: 0, family: .ipv6, port: 443)
        #expect(edit.insertedText == "listen [::]:443 ssl http2 backlog=511; # managed by reconcile")
        #expect(edit.line == 5)
        let expected = text.replacingOccurrences(
            of: "# plain\n", with: "# plain\n        listen [::]:443 ssl http2 backlog=511; # managed by reconcile\n")
        #expect(String(decoding: edit.newBytes, as: UTF8.self) == expected)
        #expect(edit.originalBytes == Array(text.utf8))
        // The result parses and now serves IPv6 on 443.
        let after = try load(["/n/nginx.conf": String(decoding: edit.newBytes, as: UTF8.self)])
        #expect(after.serverBlocks[0].listens.map(\.socketDescription) == ["*:443", "*:80", "[::]:443"])
        // Removing it gives the original bytes back.
        let managed = try #require(after.serverBlocks[0].listens.last)
        #expect(try after.removeListen(managed, fromBlock: 0).newBytes == Array(text.utf8))
    }

    @Test func keepsCRLFAndTabs() throws {
        let text = "http {\r\n\tserver {\r\n\t\tlisten 127.0.0.1:8080;\r\n\t}\r\n}"
        let edit = try load(["/n/nginx.conf": text]).addListen(toBlock: 0, family: .ipv6, port: 8080)
        #expect(
            String(decoding: edit.newBytes, as: UTF8.self)
                == "http {\r\n\tserver {\r\n\t\tlisten 127.0.0.1:8080;\r\n\t\tlisten [::1]:8080; # managed by reconcile\r\n\t}\r\n}"
        )
    }

    @Test func specificAddressNeedsTheHostAddress() throws {
        let tree = try load(["/n/nginx.conf": "http { server {\n listen 198.51.100.4:443 ssl;\n} }"])
        #expect(
            throws: NginxError.noHostAddress(
                family: .ipv6, template: NginxSourceLocation(file: "/n/nginx.conf", line: 2, column: 2))
        ) {
            try tree.addListen(toBlock: 0, family: .ipv6, port: 443, hostAddresses: Self.hostIPv4)
        }
        let edit = try tree.addListen(toBlock: 0, family: .ipv6, port: 443, hostAddresses: ["2001:DB8:0::10"])
        #expect(edit.insertedText == "listen [2001:db8::10]:443 ssl; # managed by reconcile")
    }

    @Test func refusesDuplicatesAndDualStackConflicts() throws {
        let tree = try load([
            "/n/nginx.conf": "http {\nserver { listen 80; listen [::]:80; }\nserver { listen [::]:81 ipv6only=off; }\n}"
        ])
        #expect(
            throws: NginxError.duplicateListen(
                text: "listen [::]:80;", existing: NginxSourceLocation(file: "/n/nginx.conf", line: 2, column: 21))
        ) {
            try tree.addListen(toBlock: 0, family: .ipv6, port: 80)
        }
        #expect(
            throws: NginxError.servedByDualStackListen(
                text: "listen [::]:81 ipv6only=off;",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 3, column: 10))
        ) {
            try tree.addListen(toBlock: 1, family: .ipv4, port: 81)
        }
        #expect(throws: NginxError.serverBlockNotFound(index: 5, count: 2)) {
            try tree.addListen(toBlock: 5, family: .ipv4, port: 80)
        }
    }

    @Test func refusesWildcardBesideReuseportOnSpecificAddress() throws {
        let tree = try load([
            "/n/nginx.conf":
                "http {\nserver { listen [::1]:8443 reuseport; }\nserver { listen 8443; }\nserver { listen 127.0.0.1:9443; }\n}"
        ])
        #expect(
            throws: NginxError.wouldFailToBind(
                text: "listen [::]:8443;", conflicting: "listen [::1]:8443 reuseport;",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 2, column: 10))
        ) {
            try tree.addListen(toBlock: 1, family: .ipv6, port: 8443)
        }
        #expect(
            try tree.addListen(toBlock: 2, family: .ipv6, port: 9443).insertedText
                == "listen [::1]:9443; # managed by reconcile")
    }

    @Test func refusesFilesReadMoreThanOnce() throws {
        let tree = try load([
            "/n/nginx.conf": "http {\n  include shared.conf;\n  include shared.conf;\n}\n",
            "/n/shared.conf": "server { listen 80; }\n",
        ])
        #expect(tree.serverBlocks.count == 2)
        #expect(
            throws: NginxError.sharedFile(
                path: "/n/shared.conf", includeCount: 2,
                at: NginxSourceLocation(file: "/n/shared.conf", line: 1, column: 1))
        ) {
            try tree.addListen(toBlock: 1, family: .ipv6, port: 80)
        }
    }

    @Test func refusesIPv4BesideAnotherBlocksDualStackSocket() throws {
        let tree = try load([
            "/n/nginx.conf": "http {\nserver { listen [::]:80 ipv6only=off; }\nserver { listen [::]:80; }\n}"
        ])
        #expect(
            throws: NginxError.wouldFailToBind(
                text: "listen 80;", conflicting: "listen [::]:80 ipv6only=off;",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 2, column: 10))
        ) {
            try tree.addListen(toBlock: 1, family: .ipv4, port: 80)
        }
    }

    @Test func oneLineBlockIsSplitAfterTheListen() throws {
        let text = "http { server { listen 8080; server_name a; } }\n"
        let edit = try load(["/n/nginx.conf": text]).addListen(toBlock: 0, family: .ipv6, port: 8080)
        let after = try load(["/n/nginx.conf": String(decoding: edit.newBytes, as: UTF8.self)])
        #expect(after.serverBlocks[0].listens.map(\.socketDescription) == ["*:8080", "[::]:8080"])
        #expect(after.serverBlocks[0].serverNames.map(\.name) == ["a"])
        #expect(edit.line == 2)
    }

    @Test func removalRules() throws {
        let snippet = "listen 82;\n"
        let tree = try load([
            "/n/nginx.conf":
                "http {\n  include s.conf;\n  server {\n    listen 80;\n    listen [::]:80; # old\n  }\n  server { listen 81; listen [::]:81; include l.conf; }\n  server { listen 83; }\n}\n",
            "/n/s.conf": "",
            "/n/l.conf": snippet,
        ])
        let whole = try tree.removeListen(tree.serverBlocks[0].listens[1], fromBlock: 0)
        #expect(String(decoding: whole.newBytes, as: UTF8.self).contains("    listen 80;\n  }\n"))
        #expect(whole.line == 5)
        #expect(whole.removedText == "listen [::]:80;")
        let inline = try tree.removeListen(tree.serverBlocks[1].listens[1], fromBlock: 1)
        #expect(String(decoding: inline.newBytes, as: UTF8.self).contains("server { listen 81; include l.conf; }"))
        #expect(throws: NginxError.self) { try tree.removeListen(tree.serverBlocks[1].listens[2], fromBlock: 1) }
        #expect(
            throws: NginxError.wouldLeaveImplicitListen(
                text: "listen 83;", at: NginxSourceLocation(file: "/n/nginx.conf", line: 8, column: 12))
        ) {
            try tree.removeListen(tree.serverBlocks[2].listens[0], fromBlock: 2)
        }
    }

    /// The fixture's blocks share sockets with blocks that set `reuseport`, `deferred`,
    /// `backlog=`, `ipv6only=on` and `default_server`: the added listens must leave them out
    /// where nginx would reject them, keep them where the socket is new, and pass `nginx -t`.
    @Test
    func socketOptionFixturePassesNginxTest() throws {
        let fixtureDirectory = try TemporaryDirectory(prefix: "nginx-fixture")
        for (path, text) in EditorSocketsFixture.files { try fixtureDirectory.write(path, text + "\n") }
        let fixture = fixtureDirectory.url
        let tree = try NginxConfigTree.load(
            mainConfig: fixture.appendingPathComponent("nginx.conf").path, reader: DiskNginxFileReader())
        let expected: [String: String] = [
            "target.test ipv6 8443": "listen [::]:8443 ssl http2; # managed by reconcile",
            "fresh.test ipv6 9443":
                "listen [::]:9443 ssl default_server reuseport deferred backlog=1024; # managed by reconcile",
            "specific.test ipv6 8080": "listen [::1]:8080 default_server; # managed by reconcile",
            "specific.test ipv6 8081": "listen [::1]:8081; # managed by reconcile",
            "v6owner.test ipv4 8088": "listen 8088 default_server; # managed by reconcile",
            "v4.test ipv6 8088": "listen [::]:8088; # managed by reconcile",
            "nolisten.test ipv6 80": "listen 80; # managed by reconcile\nlisten [::]:80; # managed by reconcile",
        ]
        let gaps = EditHarness.missingFamilies(tree)
        let labels = gaps.map { "\(tree.serverBlocks[$0.block].serverNames[0].name) \($0.family.rawValue) \($0.port)" }
        #expect(Set(labels) == Set(expected.keys))
        let certificates = try TemporaryDirectory(prefix: "nginx-certs")
        try EditHarness.writeCertificates(into: certificates.path)
        for (gap, label) in zip(gaps, labels) {
            let edit = try tree.addListen(
                toBlock: gap.block, family: gap.family, port: gap.port,
                hostAddresses: gap.family == .ipv6 ? Self.hostIPv6 : Self.hostIPv4)
            #expect(edit.insertedText == expected[label], "\(label)")
            #expect(
                try checkEdit(
                    edit, tree: tree, source: fixture, certificates: certificates.path, testable: true, wholeTree: true)
            )
        }
    }

    /// Every block of the certbot `/etc/nginx` tree that listens on a port in one family
    /// only gets the other family's listen; `nginx -t` judges each edit where the file can
    /// be tested on its own (`sites-enabled/*` inside a minimal `http`).
    @Test
    func certbotTreeEditsPassNginxTest() throws {
        let root = Corpus.nginx.appendingPathComponent("certbot-etc-nginx")
        let tree = try NginxConfigTree.load(
            mainConfig: root.appendingPathComponent("nginx.conf").path, reader: DiskNginxFileReader())
        let certificates = try TemporaryDirectory(prefix: "nginx-certs")
        try EditHarness.writeCertificates(into: certificates.path)
        var tested = 0
        var edits = 0
        for gap in EditHarness.missingFamilies(tree) {
            let block = tree.serverBlocks[gap.block]
            let edit = try tree.addListen(
                toBlock: gap.block, family: gap.family, port: gap.port,
                hostAddresses: gap.family == .ipv6 ? Self.hostIPv6 : Self.hostIPv4)
            edits += 1
            let sitesEnabled = block.file.contains("/sites-enabled/")
            if try checkEdit(edit, tree: tree, source: root, certificates: certificates.path, testable: sitesEnabled) {
                tested += 1
            }
        }
        #expect(edits >= 15)
        // Not testable: the blocks of nginx.conf and foo.conf (the tree as a whole fails
        // nginx -t for other reasons) and the two sites on addresses this machine does not
        // have (nginx -t binds them: "Cannot assign requested address").
        #expect(tested >= 10)
    }

    /// Applies `edit` in a copy; checks `diff` shows only the inserted lines, that the
    /// result parses and serves the new listen, and (when `testable`) that `nginx -t`
    /// accepted the file before and accepts it after. Returns whether nginx judged it. With
    /// `wholeTree` the whole `source` tree is copied and tested, else the edited file alone
    /// inside a minimal `http` with default certificates.
    @discardableResult
    private func checkEdit(
        _ edit: FileEdit, tree: NginxConfigTree, source: URL, certificates: String, testable: Bool,
        wholeTree: Bool = false
    ) throws -> Bool {
        let copy = try TemporaryDirectory(prefix: "nginx-edit")
        let added = try EditHarness.addedLinesByDiff(edit, in: copy.path)
        #expect(added == edit.insertedText.split(separator: "\n").map(String.init), "\(edit.path)")
        let edited = try NginxConfigFile.parse(edit.newBytes, path: edit.path)
        #expect(
            edited.directives.count == (try NginxConfigFile.parse(edit.originalBytes, path: edit.path)).directives.count
                + edit.insertedText.split(separator: "\n").count)
        guard testable else { return false }
        let name = (edit.path as NSString).lastPathComponent
        for file in try FileManager.default.contentsOfDirectory(atPath: certificates) {
            try FileManager.default.copyItem(atPath: certificates + "/" + file, toPath: copy.path + "/" + file)
        }
        let main: String
        let editedPath: String
        if wholeTree {
            try EditHarness.copyTree(source, into: copy.path)
            main = copy.path + "/nginx.conf"
            editedPath = copy.path + "/" + String(edit.path.dropFirst(source.path.count + 1))
        } else {
            try copy.write("sites-enabled/" + name, Data(edit.originalBytes))
            main = try copy.write(
                "nginx.conf",
                "events {}\nhttp {\n    ssl_certificate cert.pem;\n    ssl_certificate_key cert.key;\n    include sites-enabled/\(name);\n}\n"
            ).path
            editedPath = copy.path + "/sites-enabled/" + name
        }
        let before = try EditHarness.nginxTest(directory: copy.path, config: main)
        if !before.succeeded && before.stderr.contains("Cannot assign requested address") { return false }
        #expect(before.succeeded, "unedited \(edit.path) must pass nginx -t: \(before.stderr)")
        try Data(edit.newBytes).write(to: URL(fileURLWithPath: editedPath))
        let after = try EditHarness.nginxTest(directory: copy.path, config: main)
        #expect(after.succeeded, "nginx -t after adding \(edit.insertedText) to \(edit.path): \(after.stderr)")
        return before.succeeded
    }
}

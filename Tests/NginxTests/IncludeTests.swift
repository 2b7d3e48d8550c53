import TestSupport
import Testing

@testable import Nginx

@Suite struct IncludeTests {
    @Test func resolvesRelativeToMainConfigAndSortsGlobs() throws {
        let reader = InMemoryNginxFileReader(textFiles: [
            "/etc/nginx/nginx.conf": "http {\n  include sites/*.conf;\n  include snippets/common.conf;\n}\n",
            "/etc/nginx/sites/b.conf": "server { server_name b; include snippets/listen.conf; }\n",
            "/etc/nginx/sites/a.conf": "server { server_name a; listen 81; }\n",
            "/etc/nginx/sites/.hidden.conf": "server { server_name hidden; }\n",
            "/etc/nginx/sites/a.conf.bak": "server { server_name bak; }\n",
            "/etc/nginx/sites/snippets/listen.conf": "listen 999;\n",
            "/etc/nginx/snippets/listen.conf": "listen 82;\n",
            "/etc/nginx/snippets/common.conf": "server { server_name c; }\n",
        ])
        let tree = try NginxConfigTree.load(mainConfig: "/etc/nginx/nginx.conf", reader: reader)
        #expect(tree.serverBlocks.map { $0.serverNames.map(\.name) } == [["a"], ["b"], ["c"]])
        #expect(tree.serverBlocks[1].listens.map(\.port) == [82])
        #expect(tree.serverBlocks[1].listens[0].source?.file == "/etc/nginx/snippets/listen.conf")
        #expect(tree.serverBlocks[2].effectiveListens == [NginxListen.implicitDefault])
        #expect(tree.files.map(\.path).first == "/etc/nginx/nginx.conf")
        #expect(tree.includes.count == 3)
    }

    @Test func missingIncludeNamesTheIncludingLine() {
        let reader = InMemoryNginxFileReader(textFiles: [
            "/n/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include missing.conf;\n}\n"
        ])
        #expect(
            throws: NginxError.includeNotFound(
                pattern: "missing.conf", resolvedPath: "/n/missing.conf",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 4, column: 5))
        ) {
            try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader)
        }
    }

    @Test func includingADirectoryFailsLikeNginx() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-include")
        try directory.write("conf.d/a.conf", "")
        let main = try directory.write("nginx.conf", "http {\n include conf.d;\n}\n")
        do {
            _ = try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
            Issue.record("a directory is not a configuration file")
        } catch {
            #expect(
                error
                    == .fileNotReadable(
                        path: directory.path + "/conf.d", reason: "is a directory",
                        includedAt: NginxSourceLocation(file: main.path, line: 2, column: 2)))
        }
    }

    @Test func includeCycleIsReported() {
        let reader = InMemoryNginxFileReader(textFiles: [
            "/n/nginx.conf": "http { include a.conf; }\n",
            "/n/a.conf": "include b.conf;\n",
            "/n/b.conf": "  include ./a.conf;\n",
        ])
        do {
            _ = try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader)
            Issue.record("cycle not detected")
        } catch {
            #expect(
                error.description
                    == "/n/b.conf:1:3: include cycle: /n/nginx.conf -> /n/a.conf -> /n/b.conf -> /n/a.conf")
        }
    }

    @Test func syntaxErrorsInIncludedFilesCarryTheirPath() {
        let reader = InMemoryNginxFileReader(textFiles: [
            "/n/nginx.conf": "http { include s/*.conf; }\n",
            "/n/s/x.conf": "server {\n  listen 80\n}\n",
        ])
        #expect(
            throws: NginxError.unexpectedCharacter(
                "}", at: NginxSourceLocation(file: "/n/s/x.conf", line: 3, column: 1))
        ) {
            try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader)
        }
        let semicolon = InMemoryNginxFileReader(textFiles: [
            "/n/nginx.conf": "http { server {\n  listen 80\n  server_name a;\n} }\n"
        ])
        #expect(
            throws: NginxError.invalidListen(
                text: "listen 80\n  server_name a;",
                reason: "unknown parameter \"server_name\" (a missing \";\" before it?)",
                at: NginxSourceLocation(file: "/n/nginx.conf", line: 2, column: 3))
        ) {
            try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: semicolon)
        }
    }

    @Test func corpusTreesLoadFromDisk() throws {
        let globbed = try NginxConfigTree.load(
            mainConfig: Corpus.nginx.appendingPathComponent("crossplane/includes-globbed/nginx.conf").path,
            reader: DiskNginxFileReader())
        // `include locations/*.conf` in servers/server1.conf resolves against the main
        // config's directory, never reaching servers/locations/not-included.conf.
        #expect(
            globbed.files.map { $0.path.split(separator: "/").suffix(2).joined(separator: "/") } == [
                "includes-globbed/nginx.conf", "includes-globbed/http.conf", "servers/server1.conf",
                "locations/location1.conf", "locations/location2.conf", "servers/server2.conf",
            ])
        #expect(globbed.serverBlocks.map { $0.listens.map(\.port) } == [[8080], [8081]])

        let regular = Corpus.nginx.appendingPathComponent("crossplane/includes-regular")
        do {
            _ = try NginxConfigTree.load(
                mainConfig: regular.appendingPathComponent("nginx.conf").path, reader: DiskNginxFileReader())
            Issue.record("bar.conf must be missing, as nginx finds it")
        } catch {
            #expect(
                error.description.hasSuffix(
                    "conf.d/server.conf:5:5: included file \"bar.conf\" not found (looked for \(regular.path)/bar.conf)"
                ))
        }

        let certbot = try NginxConfigTree.load(
            mainConfig: Corpus.nginx.appendingPathComponent("certbot-etc-nginx/nginx.conf").path,
            reader: DiskNginxFileReader())
        #expect(certbot.serverBlocks.count > 15)
        let names = certbot.serverBlocks.flatMap { $0.serverNames.map(\.text) }
        #expect(names.contains("ipv6ssl.com") && names.contains("*.www.foo.com") && names.contains("$hostname"))
    }
}

@Suite struct IncludePatternTests {
    @Test(arguments: [
        ("*.conf", "a.conf", true), ("*.conf", ".a.conf", false), (".*.conf", ".a.conf", true),
        ("site-[0-9][0-9].conf", "site-42.conf", true), ("site-[!0-9]*", "site-4", false),
        ("site-[!0-9]*", "site-x", true),
        ("?.conf", "ab.conf", false), ("a\\*", "a*", true), ("a\\*", "ab", false), ("*", "default", true),
        ("[a-c]*", "dog", false), ("*x*y", "axbxy", true), ("[", "[", true),
    ])
    func matchesLikeFnmatch(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(IncludePattern.matches(Array(pattern.utf8), Array(name.utf8)) == expected)
    }

    @Test func expandsWildcardDirectoriesAndSortsBytewise() {
        let reader = InMemoryNginxFileReader(textFiles: [
            "/e/conf.d/b/site.conf": "", "/e/conf.d/a/site.conf": "", "/e/conf.d/a/other.conf": "",
            "/e/conf.d/B/site.conf": "", "/e/conf.d/file": "",
        ])
        #expect(
            IncludePattern("conf.d/*/site.conf", prefix: "/e").expand(using: reader) == [
                "/e/conf.d/B/site.conf", "/e/conf.d/a/site.conf", "/e/conf.d/b/site.conf",
            ])
        #expect(
            IncludePattern("/e/conf.d/a/*.conf", prefix: "/elsewhere").expand(using: reader) == [
                "/e/conf.d/a/other.conf", "/e/conf.d/a/site.conf",
            ])
        #expect(IncludePattern("missing/*.conf", prefix: "/e").expand(using: reader).isEmpty)
    }
}

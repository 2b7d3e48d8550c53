import Foundation
import TestSupport
import Testing

@testable import Nginx

/// Listen combinations nginx refuses: the model names them with nginx's words, and real
/// `nginx -t` agrees on each (and accepts the variant without the conflict).
@Suite struct ListenConflictTests {
    static let cases: [(http: String, message: String?)] = [
        ("server { listen 127.0.0.1:P; listen 127.0.0.1:P; }", "a duplicate listen 127.0.0.1:P"),
        (
            "server { listen 127.0.0.1:P default_server; }\nserver { listen 127.0.0.1:P default_server; }",
            "a duplicate default server for 127.0.0.1:P"
        ),
        (
            "server { listen [::1]:P backlog=10; }\nserver { listen [::1]:P reuseport; }",
            "duplicate listen options for [::1]:P"
        ),
        (
            "server { listen 127.0.0.1:P backlog=10 default_server; }\nserver { listen 127.0.0.1:P; listen [::1]:P default_server reuseport; }",
            nil
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func conflictsMatchNginx(_ index: Int) throws {
        let port = String(LoopbackPort.free())
        let http = Self.cases[index].http.replacingOccurrences(of: ":P", with: ":" + port)
        let message = Self.cases[index].message?.replacingOccurrences(of: ":P", with: ":" + port)
        let directory = try TemporaryDirectory(prefix: "nginx-conflict")
        let config = try directory.write("nginx.conf", "events {}\nhttp {\n\(http)\n}\n")
        let tree = try NginxConfigTree.load(mainConfig: config.path, reader: DiskNginxFileReader())
        let conflicts = tree.listenConflicts()
        let nginx = try ServerBinary.require("nginx")
        let result = try ChildProcess.run([
            nginx, "-t", "-p", directory.path + "/", "-c", config.path, "-e", directory.path + "/error.log",
        ])
        if let message {
            #expect(conflicts.count == 1)
            guard case .listenConflict(let found, let at, _)? = conflicts.first else { return }
            #expect(found == message)
            #expect(!result.succeeded)
            #expect(result.stderr.contains("[emerg] \(message) in \(config.path):\(at.line)"), "\(result.stderr)")
        } else {
            #expect(conflicts.isEmpty)
            #expect(result.succeeded, "\(result.stderr)")
        }
    }

    /// Sockets `nginx -t` accepts but nginx cannot bind (Linux), started for real in a
    /// private network namespace so wildcards reach only loopback.
    static let bindCases: [(http: String, failing: String?)] = [
        ("server { listen [::1]:8080 reuseport; }\nserver { listen [::]:8080; }", "[::]:8080"),
        ("server { listen [::]:8080 reuseport; }\nserver { listen [::1]:8080; }", nil),
        ("server { listen 127.0.0.1:8080 bind; }\nserver { listen 8080; }", "0.0.0.0:8080"),
        ("server { listen 127.0.0.1:8080 backlog=64; }\nserver { listen *:8080; }", "0.0.0.0:8080"),
        ("server { listen 127.0.0.1:8080 reuseport; }\nserver { listen 8080 reuseport; }", nil),
        ("server { listen [::]:8080 ipv6only=off; }\nserver { listen 127.0.0.1:8080; }", "127.0.0.1:8080"),
        ("server { listen [::]:8080 ipv6only=off; }\nserver { listen 8080; listen 127.0.0.2:8080; }", "0.0.0.0:8080"),
        ("server { listen 127.0.0.1:8080; listen [::1]:8080; }\nserver { listen 8080; listen [::]:8080; }", nil),
    ]

    @Test(
        .enabled(
            if: ServerBinary.isCI || PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace"),
        arguments: 0..<bindCases.count)
    func bindConflictsMatchNginxStart(_ index: Int) throws {
        try #require(PrivateNetwork.isAvailable, "needs CAP_SYS_ADMIN for a private network namespace")
        let (http, failing) = Self.bindCases[index]
        let directory = try TemporaryDirectory(prefix: "nginx-bind")
        let config = try directory.write("nginx.conf", NginxServer.mainConfig(http: http, directory: directory.path))
        let tree = try NginxConfigTree.load(mainConfig: config.path, reader: DiskNginxFileReader())
        let messages = tree.listenConflicts().compactMap { error -> String? in
            guard case .listenConflict(let message, _, _) = error else { return nil }
            return message
        }
        let nginxError: String? = try PrivateNetwork.run {
            do {
                let server = try NginxServer(directory: directory.path, configPath: config.path)
                server.stop()
                return nil
            } catch let failure as NginxServer.Failure {
                return failure.description
            }
        }
        if let failing {
            #expect(messages.count == 1)
            #expect(
                messages.first?.hasPrefix("bind() to \(failing) failed (98: Address already in use)") == true,
                "\(messages)")
            #expect(
                nginxError?.contains("bind() to \(failing) failed (98: Address already in use)") == true,
                "\(nginxError ?? "started")")
        } else {
            #expect(messages.isEmpty, "\(messages)")
            #expect(nginxError == nil)
        }
    }
}

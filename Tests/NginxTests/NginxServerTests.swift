import Foundation
import TestSupport
import Testing

@testable import Nginx

/// The test-support server other suites rely on: start, answer, reload, refuse a broken
/// reload while serving the old configuration, stop.
@Suite struct NginxServerTests {
    @Test
    func reloadSwitchesConfigurationAndStopReleasesThePort() throws {
        _ = try ServerBinary.require("nginx")
        let port = LoopbackPort.free()
        let directory = try TemporaryDirectory(prefix: "nginx-server")
        let first = "server { listen 127.0.0.1:\(port); listen [::1]:\(port); return 200 \"first\"; }"
        let server = try NginxServer(http: first, in: directory)
        defer { server.stop() }
        #expect(
            try HTTPProbe.get(address: "127.0.0.1", port: port, host: "a.test") == .init(status: 200, body: "first"))
        #expect(try HTTPProbe.get(address: "::1", port: port, host: "a.test").body == "first")

        let second = "server { listen 127.0.0.1:\(port); server_name a.test; return 200 \"second\"; }"
        try directory.write("nginx.conf", NginxServer.mainConfig(http: second, directory: directory.path))
        try server.reload()
        #expect(try HTTPProbe.get(address: "127.0.0.1", port: port, host: "a.test").body == "second")
        #expect(throws: HTTPProbe.Failure.self) { try HTTPProbe.get(address: "::1", port: port, host: "a.test") }

        try directory.write(
            "nginx.conf",
            NginxServer.mainConfig(http: "server { listen 127.0.0.1:\(port) bogus; }", directory: directory.path))
        #expect(throws: NginxServer.Failure.self) { try server.reload() }
        #expect(try HTTPProbe.get(address: "127.0.0.1", port: port, host: "a.test").body == "second")

        server.stop()
        let refused = #expect(throws: HTTPProbe.Failure.self) {
            try HTTPProbe.get(address: "127.0.0.1", port: port, host: "a.test")
        }
        #expect(refused?.isConnectionRefused == true)
    }
}

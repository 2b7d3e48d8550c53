import DesiredState
import Testing

/// The `nginx` and `dns` sections read before the whole state, so nginx's tree and the zones
/// can be read meanwhile: each is what the full load reads, or nil whenever the full load might
/// say otherwise.
@Suite struct SettingsAheadTests {
    static let vhosts = "vhosts:\n  a.example.social: {}\n"

    @Test func readAheadEqualsTheLoadedSettings() throws {
        let fs = InMemoryFileSystem(
            files: [
                "site/desired/base.yaml": baseYAML.replacingOccurrences(
                    of: "config: /etc/nginx/nginx.conf\n",
                    with: "config: ../nginx/nginx.conf\n  limits: {depth: 2000}\n"),
                "site/desired/vhosts.yaml": Self.vhosts,
            ], currentDirectory: "/srv")
        let loader = DesiredStateLoader(fileSystem: fs)
        let ahead = try #require(loader.nginxSettingsAhead(directory: "site/desired"))
        #expect(ahead == (try loader.load(directory: "site/desired")).nginx)
        #expect(ahead.config == "/srv/site/nginx/nginx.conf")
        #expect(ahead.limits == NginxReadLimits(depth: 2000, fileBytes: nil, treeBytes: nil))
    }

    @Test func noReadAheadWhenTwoFilesDefineNginx() {
        let fs = InMemoryFileSystem(
            files: [
                "d/base.yaml": baseYAML, "d/more.yaml": "nginx: {config: /etc/nginx/other.conf}\n",
                "d/v.yaml": Self.vhosts,
            ], currentDirectory: "/")
        #expect(DesiredStateLoader(fileSystem: fs).nginxSettingsAhead(directory: "d") == nil)
    }

    @Test func noReadAheadWhenTheSectionIsWrong() {
        let fs = InMemoryFileSystem(
            files: [
                "d/base.yaml": baseYAML.replacingOccurrences(
                    of: "config: /etc/nginx/nginx.conf\n", with: "config: /etc/nginx/nginx.conf\n  limits: {depth: 0}\n"
                ),
                "d/v.yaml": Self.vhosts,
            ], currentDirectory: "/")
        #expect(DesiredStateLoader(fileSystem: fs).nginxSettingsAhead(directory: "d") == nil)
    }

    @Test func largeFilesAreNotReadAhead() throws {
        let fs = InMemoryFileSystem(
            files: ["d/base.yaml": baseYAML, "d/v.yaml": Self.vhosts], currentDirectory: "/")
        let loader = DesiredStateLoader(fileSystem: fs)
        #expect(loader.nginxSettingsAhead(directory: "d", smallFileBytes: 16) == nil)
        #expect(loader.nginxSettingsAhead(directory: "d") == (try loader.load(directory: "d")).nginx)
    }

    @Test func dnsReadAheadEqualsTheLoadedSettings() throws {
        let fs = InMemoryFileSystem(
            files: ["d/base.yaml": baseYAML, "d/v.yaml": Self.vhosts], currentDirectory: "/")
        let loader = DesiredStateLoader(fileSystem: fs)
        let ahead = try #require(loader.dnsSettingsAhead(directory: "d"))
        #expect(ahead == (try loader.load(directory: "d")).dns)
        #expect(loader.dnsSettingsAhead(directory: "d", smallFileBytes: 16) == nil)
    }

    @Test func noDNSReadAheadWhenTwoFilesDefineIt() {
        let fs = InMemoryFileSystem(
            files: [
                "d/base.yaml": baseYAML,
                "d/more.yaml": "dns: {provider: rfc2136, server: 192.0.2.53, zones: [example.social]}\n",
                "d/v.yaml": Self.vhosts,
            ], currentDirectory: "/")
        #expect(DesiredStateLoader(fileSystem: fs).dnsSettingsAhead(directory: "d") == nil)
    }
}

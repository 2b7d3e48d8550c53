import DNS
import DesiredState
import Testing

/// `hosts:` and a vhost's `hosts:` (DESIGN §15): read strictly, every problem with its place.
@Suite struct FleetSchemaTests {
    static let base = """
        nginx: {config: /etc/nginx/nginx.conf}
        dns: {provider: rfc2136, server: 192.0.2.53, zones: [example.social]}
        """

    static let hosts = """
        hosts:
          web1: {ipv4: [203.0.113.1], ipv6: ["2001:db8::1"]}
          web2: {ipv4: [203.0.113.2], ipv6: ["2001:db8::2"]}
          web3: {ipv4: [203.0.113.3]}
        """

    func load(_ files: [String: String]) throws(DesiredStateError) -> DesiredState {
        try DesiredStateLoader(fileSystem: InMemoryFileSystem(files: files, currentDirectory: "/")).load(directory: "d")
    }

    func problems(_ files: [String: String]) -> [String] {
        do {
            _ = try load(files)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func hostsAndAssignmentsAreRead() throws {
        let state = try load([
            "d/base.yaml": Self.base + "\n" + Self.hosts + "\n",
            "d/vhosts.yaml": """
            vhosts:
              example.social: {families: [ipv4]}
              media.example.social: {hosts: [web2, web1]}

            """,
        ])
        let fleet = try #require(state.fleet)
        #expect(fleet.hosts.map(\.name) == ["web1", "web2", "web3"])
        #expect(fleet.servers(of: "example.social") == ["web1", "web2", "web3"])
        #expect(fleet.servers(of: "media.example.social") == ["web1", "web2"])
        #expect(fleet.owner(of: "2001:db8::2")?.name == "web2")
        let web3 = state.scoped(to: "web3")
        #expect(web3.host.addresses(.ipv4) == ["203.0.113.3"])
        #expect(web3.vhosts.map(\.name) == ["example.social"])
        #expect(web3.fleet?.selected == "web3")
        #expect(web3.fleet?.allVhosts.count == 2)
    }

    @Test func oneHostFormIsUnchanged() throws {
        let state = try load([
            "d/base.yaml": Self.base + "\nhost: {ipv4: [203.0.113.10]}\n",
            "d/v.yaml": "vhosts: {example.social: {families: [ipv4]}}\n",
        ])
        #expect(state.fleet == nil)
        #expect(state.scoped(to: "web1").host == state.host)
    }

    @Test func badFleetsAreReportedWithTheirPlace() {
        #expect(
            problems([
                "d/base.yaml": Self.base + "\n" + Self.hosts + "\nhost: {ipv4: [203.0.113.10]}\n",
                "d/v.yaml":
                    "vhosts:\n  example.social: {hosts: [web4, wbe1], families: [ipv4]}\n  media.example.social: {hosts: [web3]}\n",
            ]) == [
                "d/base.yaml:3:1: hosts (several hosts) and host (one host, at d/base.yaml:7:1) cannot both be given; keep one",
                "d/v.yaml:2:28: vhost \"example.social\" names host \"web4\", which hosts does not declare (web1, web2, web3); did you mean \"web1\"?",
                "d/v.yaml:2:34: vhost \"example.social\" names host \"wbe1\", which hosts does not declare (web1, web2, web3)",
                "d/v.yaml:3:34: vhost \"media.example.social\" wants ipv6 but hosts.web3.ipv6 lists no address",
                // host: is there too, and has no IPv6 address either.
                "d/v.yaml:3:3: vhost \"media.example.social\" wants ipv6 but host.ipv6 lists no address",
            ])
        #expect(
            problems([
                "d/base.yaml": Self.base
                    + "\nhosts:\n  Web_1: {ipv4: [203.0.113.1]}\n  web2: {ipv4: [203.0.113.1]}\n  web3: {ipv4: [\"2001:db8::1\"]}\n",
                "d/v.yaml": "vhosts: {}\n",
            ]) == [
                "d/base.yaml:4:3: host name \"Web_1\" must be 1 to 63 lowercase letters, digits and \"-\" (it is written into DNS)",
                "d/base.yaml:6:17: \"2001:db8::1\" is an IPv6 address; hosts.web3.ipv4 takes IPv4 addresses like 203.0.113.10",
            ])
        #expect(
            problems([
                "d/base.yaml": Self.base + "\nhosts:\n  web1: {ipv4: [203.0.113.1]}\n  web2: {ipv4: [203.0.113.1]}\n",
                "d/v.yaml": "vhosts: {}\n",
            ]) == [
                "d/base.yaml:5:9: address 203.0.113.1 of host web2 is also host web1's; every address belongs to one host"
            ])
        #expect(
            problems([
                "d/base.yaml": Self.base + "\nhost: {ipv4: [203.0.113.10]}\n",
                "d/v.yaml": "vhosts: {example.social: {families: [ipv4], hosts: [web1]}}\n",
            ]) == [
                "d/v.yaml:1:52: vhost \"example.social\" names hosts, but the desired state has one host (host:); list the hosts under hosts: to assign vhosts to them"
            ])
    }

    @Test func theRunFindsItsHostOrNamesTheCandidates() throws {
        let state = try load(["d/base.yaml": Self.base + "\n" + Self.hosts + "\n", "d/v.yaml": "vhosts: {}\n"])
        let fleet = try #require(state.fleet)
        #expect(fleet.select(named: nil, interfaces: ["127.0.0.1", "2001:db8::2"]) == .success("web2"))
        #expect(fleet.select(named: "web3", interfaces: []) == .success("web3"))
        #expect(
            fleet.select(named: "web9", interfaces: []).failureText
                == "--host \"web9\" is not one of the desired state's hosts (web1, web2, web3)")
        #expect(
            fleet.select(named: nil, interfaces: ["127.0.0.1"]).failureText
                == "none of the hosts (web1, web2, web3) has an address on this machine's interfaces; say which host this is with --host NAME"
        )
        #expect(
            fleet.select(named: nil, interfaces: ["203.0.113.1", "203.0.113.3"]).failureText
                == "several hosts have addresses on this machine's interfaces (web1, web3); say which host this is with --host NAME"
        )
    }
}

extension Result where Failure == FleetSelectionError {
    var failureText: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}

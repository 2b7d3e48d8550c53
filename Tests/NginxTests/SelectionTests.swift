import Testing

@testable import Nginx

/// Server selection cases from nginx's "How nginx processes a request" and "Server names".
@Suite struct SelectionTests {
    func selector(_ http: String, hostname: String? = nil) throws -> NginxServerSelector {
        let tree = try NginxConfigTree.load(
            mainConfig: "/n/nginx.conf",
            reader: InMemoryNginxFileReader(textFiles: ["/n/nginx.conf": "http {\n\(http)\n}"]))
        return NginxServerSelector(tree: tree, machineHostname: hostname)
    }

    @Test func namePrecedenceIsExactThenLongestWildcardsThenFirstRegex() throws {
        let s = try selector(
            """
            server { listen 80; server_name ~^www\\.; }
            server { listen 80; server_name *.example.org; }
            server { listen 80; server_name *.www.example.org; }
            server { listen 80; server_name www.example.*; }
            server { listen 80; server_name www.*; }
            server { listen 80; server_name www.example.org; }
            server { listen 80; server_name ~^mail\\d+\\.; server_name ~^mail1\\.; }
            server { listen 80; server_name ~^mail1\\.; }
            server { listen 80; server_name .example.net; }
            """)
        func pick(_ host: String) -> NginxSelection {
            s.select(family: .ipv4, address: "192.0.2.1", port: 80, host: host)
        }
        #expect(pick("www.example.org") == .answered(block: 5, reason: .exactName))
        #expect(pick("WWW.Example.ORG.") == .answered(block: 5, reason: .exactName))
        #expect(pick("a.www.example.org") == .answered(block: 2, reason: .leadingWildcard))
        #expect(pick("mail.example.org") == .answered(block: 1, reason: .leadingWildcard))
        #expect(pick("www.example.com") == .answered(block: 3, reason: .trailingWildcard))
        #expect(pick("www.other.com") == .answered(block: 4, reason: .trailingWildcard))
        #expect(pick("mail1.example.com") == .answered(block: 6, reason: .regex))
        #expect(pick("example.net") == .answered(block: 8, reason: .exactName))
        #expect(pick("x.example.net") == .answered(block: 8, reason: .leadingWildcard))
        #expect(pick("nothing.test") == .answered(block: 0, reason: .firstBlockOnSocket))
        #expect(pick("www") == .answered(block: 0, reason: .firstBlockOnSocket))
        #expect(s.select(family: .ipv6, address: "::1", port: 80, host: "www.example.org") == .nothingListens)
        #expect(s.select(family: .ipv4, address: "192.0.2.1", port: 81, host: "www.example.org") == .nothingListens)
    }

    @Test func defaultServerBeatsFirstBlockOnlyOnItsSocket() throws {
        let s = try selector(
            """
            server { listen 80; server_name a.test; }
            server { listen 80 default_server; listen [::]:80; server_name b.test; }
            server { listen [::]:80; server_name c.test; }
            """)
        #expect(
            s.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "x")
                == .answered(block: 1, reason: .defaultServer))
        #expect(
            s.select(family: .ipv6, address: "2001:db8::1", port: 80, host: "x")
                == .answered(block: 1, reason: .firstBlockOnSocket))
        #expect(
            s.select(family: .ipv6, address: "2001:db8::1", port: 80, host: "a.test")
                == .answered(block: 1, reason: .firstBlockOnSocket))
    }

    @Test func specificAddressCapturesItsConnectionsFromTheWildcard() throws {
        let s = try selector(
            """
            server { listen [::]:8443; server_name media.test; }
            server { listen [::1]:8443; server_name other.test; }
            server { listen 8443; server_name media.test; }
            """)
        // Seen with nginx 1.22 (DESIGN §4): [::1]:8443 is answered only among the [::1] blocks.
        #expect(
            s.select(family: .ipv6, address: "::1", port: 8443, host: "media.test")
                == .answered(block: 1, reason: .firstBlockOnSocket))
        #expect(
            s.select(family: .ipv6, address: "2001:db8::5", port: 8443, host: "media.test")
                == .answered(block: 0, reason: .exactName))
        #expect(
            s.select(family: .ipv4, address: "127.0.0.1", port: 8443, host: "media.test")
                == .answered(block: 2, reason: .exactName))
    }

    @Test func dualStackSocketTakesIPv4() throws {
        let s = try selector("server { listen [::]:80 ipv6only=off; server_name a.test; }")
        #expect(
            s.select(family: .ipv4, address: "203.0.113.10", port: 80, host: "a.test")
                == .answered(block: 0, reason: .exactName))
        let v6only = try selector("server { listen [::]:80; server_name a.test; }")
        #expect(v6only.select(family: .ipv4, address: "203.0.113.10", port: 80, host: "a.test") == .nothingListens)
    }

    @Test func undecidableCasesSaySo() throws {
        let hostnameListen = try selector(
            "server { listen myhost:80; server_name a; }\nserver { listen 80; server_name b; }")
        guard
            case .undecidable(let why) = hostnameListen.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "b")
        else {
            Issue.record("a host-name listen must make port 80 undecidable")
            return
        }
        #expect(why.contains("/n/nginx.conf:2:10"))
        let recursion = try selector(
            "server { listen 80; server_name a; }\nserver { listen 80; server_name \"~^(a(?R)?b)$\"; }")
        #expect(
            recursion.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "a")
                == .answered(block: 0, reason: .exactName))
        guard case .undecidable(let reason) = recursion.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "ab")
        else {
            Issue.record("a PCRE recursion cannot be evaluated")
            return
        }
        #expect(reason.contains("recursion"))
        let hostname = try selector(
            "server { listen 80; server_name $hostname; }\nserver { listen 80; server_name b; }")
        #expect(
            hostname.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "b")
                == .answered(block: 1, reason: .exactName))
        #expect(
            hostname.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "box")
                != .answered(block: 0, reason: .firstBlockOnSocket))
        let known = try selector(
            "server { listen 80; server_name $hostname; }\nserver { listen 80; server_name b; }", hostname: "Box")
        #expect(
            known.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "box")
                == .answered(block: 0, reason: .exactName))
    }

    @Test func caselessRegexOnlyWithUpperCase() throws {
        let s = try selector(
            "server { listen 80; server_name none; }\nserver { listen 80; server_name ~^WWW\\.; }\nserver { listen 80; server_name ~^www\\.a; }"
        )
        #expect(
            s.select(family: .ipv4, address: "10.0.0.1", port: 80, host: "www.a") == .answered(block: 1, reason: .regex)
        )
    }
}

@Suite struct BlockNameTests {
    @Test func blocksClaimTheirNames() throws {
        let tree = try NginxConfigTree.load(
            mainConfig: "/n/nginx.conf",
            reader: InMemoryNginxFileReader(textFiles: [
                "/n/nginx.conf":
                    "http { server { server_name a.test *.b.test .c.test www.d.* ~^e\\d+$; } server { listen 80; } }"
            ]))
        let block = tree.serverBlocks[0]
        for host in ["A.test", "x.b.test", "c.test", "y.c.test", "www.d.org", "e12"] {
            #expect(block.matches(host: host), "\(host)")
        }
        for host in ["b.test", "www.d", "e", "xa.test", ""] {
            #expect(!block.matches(host: host), "\(host)")
        }
        #expect(tree.serverBlocks[1].matches(host: ""))
    }
}

@Suite struct HostValidationTests {
    @Test(arguments: [
        ("", false), (".", false), ("a..b", false), ("a/b", false), ("a b", false), ("a.test.", true),
        (".a.test", true),
        ("[::1]:80", true), ("a.test:8080", true), ("A.TEST", true),
    ])
    func hostsNginxRejectsGetBadRequest(_ host: String, _ accepted: Bool) throws {
        let tree = try NginxConfigTree.load(
            mainConfig: "/n/nginx.conf",
            reader: InMemoryNginxFileReader(textFiles: ["/n/nginx.conf": "http { server { listen 80; } }"]))
        let selection = NginxServerSelector(tree: tree).select(family: .ipv4, address: "10.0.0.1", port: 80, host: host)
        if accepted {
            #expect(selection == .answered(block: 0, reason: .firstBlockOnSocket))
        } else {
            guard case .badRequest = selection else {
                Issue.record("\(host) must be a bad request, got \(selection)")
                return
            }
        }
    }
}

import DesiredState
import Testing

/// A valid base (host, nginx, dns) that each case completes or breaks with a second file.
let baseYAML = """
    host:
      ipv4: [203.0.113.10]
      ipv6: [2001:db8::10]
    nginx:
      config: /etc/nginx/nginx.conf
    dns:
      provider: rfc2136
      server: "[::1]:53"
      zones: [example.social]

    """

/// Loads `d/base.yaml` (the valid base) plus `d/v.yaml` and returns the problems printed.
func problems(_ vhostsFile: String, base: String = baseYAML) -> [String] {
    let fs = InMemoryFileSystem(files: ["d/base.yaml": base, "d/v.yaml": vhostsFile])
    do {
        _ = try DesiredStateLoader(fileSystem: fs).load(directory: "d")
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    let yaml: String
    let expected: String
    var testDescription: String { name }
}

@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        BadInput(
            name: "unclosed flow sequence", yaml: "vhosts:\n  a.example.social: {families: [ipv4}\n",

            expected:
                "d/v.yaml:2:37: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 32)"
        ),
        BadInput(
            name: "tab indentation", yaml: "vhosts:\n\ta.example.social: {}\n",
            expected: "d/v.yaml:2:1: tab character in indentation (YAML indents with spaces only)"),
        BadInput(
            name: "mapping value in wrong place", yaml: "vhosts: a: b\n",
            expected: "d/v.yaml:1:10: YAML syntax error: mapping values are not allowed in this context"),
        BadInput(
            name: "duplicate key", yaml: "vhosts:\n  a.example.social: {}\n  a.example.social: {}\n",
            expected: "d/v.yaml:3:3: duplicate key \"a.example.social\" (first defined at line 2, column 3)"),
        BadInput(
            name: "duplicate key inside vhost", yaml: "vhosts:\n  a.example.social: {ports: [80], ports: [443]}\n",
            expected: "d/v.yaml:2:35: duplicate key \"ports\" (first defined at line 2, column 22)"),
        BadInput(
            name: "unknown top-level key with suggestion", yaml: "vhost:\n  a.example.social: {}\n",
            expected: "d/v.yaml:1:1: unknown key \"vhost\" in the top level; did you mean \"vhosts\"?"),
        BadInput(
            name: "unknown vhost key with suggestion", yaml: "vhosts:\n  a.example.social: {familes: [ipv4]}\n",
            expected: "d/v.yaml:2:22: unknown key \"familes\" in vhost \"a.example.social\"; did you mean \"families\"?"
        ),
        BadInput(
            name: "unknown key without suggestion", yaml: "vhosts:\n  a.example.social: {colour: blue}\n",
            expected:
                "d/v.yaml:2:22: unknown key \"colour\" in vhost \"a.example.social\" (expected families, ports, hosts)"),
        BadInput(
            name: "vhosts is a list", yaml: "vhosts:\n  - a.example.social\n",
            expected: "d/v.yaml:2:3: vhosts must be a mapping of host names to {families, ports}, found a list"),
        BadInput(
            name: "families is a scalar", yaml: "vhosts:\n  a.example.social: {families: ipv4}\n",
            expected: "d/v.yaml:2:32: families must be a list like [ipv4, ipv6], found the scalar \"ipv4\""),
        BadInput(
            name: "ports is a mapping", yaml: "vhosts:\n  a.example.social: {ports: {https: 443}}\n",
            expected: "d/v.yaml:2:29: ports must be a list like [80, 443], found a mapping"),
        BadInput(
            name: "family ipv7", yaml: "vhosts:\n  a.example.social: {families: [ipv7]}\n",
            expected: "d/v.yaml:2:33: unknown family \"ipv7\" (expected ipv4 or ipv6); did you mean \"ipv4\"?"),
        BadInput(
            name: "family IPv6 spelt in caps", yaml: "vhosts:\n  a.example.social: {families: [IPv6]}\n",
            expected: "d/v.yaml:2:33: unknown family \"IPv6\" (expected ipv4 or ipv6); did you mean \"ipv6\"?"),
        BadInput(
            name: "empty families", yaml: "vhosts:\n  a.example.social: {families: []}\n",
            expected: "d/v.yaml:2:32: families must list at least one of ipv4, ipv6"),
        BadInput(
            name: "port 0", yaml: "vhosts:\n  a.example.social: {ports: [0]}\n",
            expected: "d/v.yaml:2:30: port 0 is out of range (1-65535)"),
        BadInput(
            name: "port 70000", yaml: "vhosts:\n  a.example.social: {ports: [70000]}\n",
            expected: "d/v.yaml:2:30: port 70000 is out of range (1-65535)"),
        BadInput(
            name: "quoted port", yaml: "vhosts:\n  a.example.social: {ports: [\"443\"]}\n",
            expected: "d/v.yaml:2:30: port must be a number from 1 to 65535, found the string \"443\""),
        BadInput(
            name: "octal-looking port", yaml: "vhosts:\n  a.example.social: {ports: [0443]}\n",
            expected: "d/v.yaml:2:30: port 0443 has a leading zero (YAML 1.1 would read it as octal); write it without"),
        BadInput(
            name: "boolean-looking family", yaml: "vhosts:\n  a.example.social: {families: [no]}\n",
            expected: "d/v.yaml:2:33: unknown family \"no\" (expected ipv4 or ipv6)"),
        BadInput(
            name: "host name with semicolon", yaml: "vhosts:\n  \"a.example.social; include /etc/shadow\": {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a.example.social; include /etc/shadow\" contains \";\", which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name with brace", yaml: "vhosts:\n  \"a{.example.social\": {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a{.example.social\" contains \"{\", which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name with space", yaml: "vhosts:\n  \"a .example.social\": {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a .example.social\" contains a space, which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name with newline", yaml: "vhosts:\n  \"a\\n.example.social\": {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a\\n.example.social\" contains a newline, which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name with ..", yaml: "vhosts:\n  a..example.social: {}\n",
            expected: "d/v.yaml:2:3: host name \"a..example.social\" has an empty label (\"..\" or a leading dot)"),
        BadInput(
            name: "host name with quote", yaml: "vhosts:\n  'a\".example.social': {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a\\\".example.social\" contains a quote (\"), which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name with NUL", yaml: "vhosts:\n  \"a\\0.example.social\": {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a\\u{0}.example.social\" contains the control byte 0x0, which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "host name over 253",
            yaml: "vhosts:\n  \(String(repeating: "abcdefghi.", count: 25))example.social: {}\n",

            expected: "d/v.yaml:2:3: host name is 264 characters long (at most 253 allowed)"),
        BadInput(
            name: "label over 63", yaml: "vhosts:\n  \(String(repeating: "a", count: 64)).example.social: {}\n",
            expected:
                "d/v.yaml:2:3: host name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.social\" has a label of 64 characters (at most 63 allowed)"
        ),
        BadInput(
            name: "label with leading hyphen", yaml: "vhosts:\n  -a.example.social: {}\n",
            expected: "d/v.yaml:2:3: host name \"-a.example.social\" has a label that starts or ends with \"-\""),
        BadInput(
            name: "wildcard in the middle", yaml: "vhosts:\n  a.*.example.social: {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a.*.example.social\" has \"*\" other than as a whole first label (\"*.\")"),
        BadInput(
            name: "underscore", yaml: "vhosts:\n  a_b.example.social: {}\n",
            expected:
                "d/v.yaml:2:3: host name \"a_b.example.social\" contains \"_\", which is not allowed in a host name (letters, digits, \"-\" and \".\" only)"
        ),
        BadInput(
            name: "vhost outside managed zones", yaml: "vhosts:\n  a.example.org: {}\n",
            expected: "d/v.yaml:2:3: vhost \"a.example.org\" is not inside any managed zone (dns.zones: example.social)"
        ),
        BadInput(
            name: "explicit int tag", yaml: "vhosts:\n  a.example.social: {ports: [!!int 443]}\n",
            expected: "d/v.yaml:2:30: explicit tag !!int is not supported (write the value plainly)"),
        BadInput(
            name: "merge key", yaml: "d: &d {ports: [443]}\nvhosts:\n  a.example.social: {<<: *d}\n",
            expected: "d/v.yaml:3:22: merge keys (<<) are not supported: write the keys out"),
        BadInput(
            name: "two documents", yaml: "vhosts: {}\n---\nvhosts: {}\n",
            expected: "d/v.yaml:2:1: a second YAML document (---) in one file is not supported"),
        BadInput(
            name: "complex key", yaml: "vhosts:\n  ? [a, b]\n  : {}\n",
            expected: "d/v.yaml:2:5: a mapping key must be a plain or quoted string, not a list or mapping"),
        BadInput(
            name: "undefined alias", yaml: "vhosts:\n  a.example.social: *nothing\n",
            expected: "d/v.yaml:2:21: alias *nothing refers to no anchor defined before it"),
        BadInput(
            name: "only comments", yaml: "# nothing here\n",
            expected: "d/v.yaml:1:1: file is empty (expected a mapping with any of host, nginx, dns, vhosts)"),
        BadInput(
            name: "top level is a list", yaml: "- a\n- b\n",
            expected:
                "d/v.yaml:1:1: the top level must be a mapping with keys host, hosts, nginx, dns, vhosts, found a list"),
    ]

    @Test(arguments: cases)
    func reportsLocatedError(_ input: BadInput) {
        let found = problems(input.yaml)
        #expect(found == [input.expected], "\(input.name)")
    }
}

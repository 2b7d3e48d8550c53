import ContainedFiles
import DNS
import DesiredState
import Foundation
import Nginx

/// `reconcile init`: writes a desired state from the live host (its nginx tree, what DNS
/// publishes for its names, its global addresses), never over an existing file unless told,
/// and loads it back with the strict loader.
public struct Adopter: Sendable {
    /// What the command line asked for.
    public struct Request: Sendable {
        public var nginxConfig = "/etc/nginx/nginx.conf"
        public var zones: [String] = []
        public var provider = "rfc2136"
        public var server: String?
        public var zoneFile: String?
        public var nameservers: [String] = []
        /// Given addresses instead of the interfaces' (nil: read the interfaces).
        public var ipv4: [String]?
        public var ipv6: [String]?
        public var output = "desired-state"
        public var force = false
        public var dnsTimeout: Duration = .seconds(3)

        public init() {}
    }

    /// What was written.
    public struct Result: Sendable {
        public let path: String
        public let text: String
        public let state: DesiredState
        public let draft: DesiredStateDraft
    }

    /// The file `init` writes under the output directory.
    public static let fileName = "reconcile.yaml"

    public let request: Request
    public var interfaces: @Sendable () -> Set<String> = { HostInterfaces.current().addresses }

    public init(request: Request) { self.request = request }

    public func run() async throws(ReconcileError) -> Result {
        let path = (request.output as NSString).appendingPathComponent(Self.fileName)
        let settings = try dnsSettings()
        let host = try host()
        // Refused before anything is read, and again right before the write.
        try refuseExistingDesiredState(at: path)
        let config = Paths.resolve(
            request.nginxConfig, relativeToFile: FileManager.default.currentDirectoryPath + "/.",
            currentDirectory: FileManager.default.currentDirectoryPath)
        let tree: NginxConfigTree
        do {
            tree = try NginxConfigTree.load(mainConfig: config, reader: DiskNginxFileReader())
        } catch {
            throw .nginx(error)
        }
        let inventory = NginxNameInventory(
            tree: tree, zones: settings.zones, base: tree.prefixDirectory)
        let provider = try DNSProviders.make(for: settings, timeout: request.dnsTimeout)
        let names = inventory.names.compactMap { try? DNSName($0.name + ".") }
        let published = try await provider.observe(zones: settings.zones, names: names)
        let draft = DesiredStateDraft(
            host: host, hostSource: hostSource, nginxConfig: config, dns: settings,
            vhosts: inventory.names.map { DesiredStateDraft.vhost($0, published: published) },
            skipped: inventory.skipped)
        let text = draft.text
        try refuseExistingDesiredState(at: path)
        do {
            _ = try OpenDirectory.open(request.output, rule: .output, createMode: 0o755)
            try ContainedFile.write(Array(text.utf8), to: path, rule: .output)
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
        do {
            let state = try DesiredStateLoader().load(directory: request.output)
            return Result(path: path, text: text, state: state, draft: draft)
        } catch {
            throw .desiredState(error)
        }
    }

    /// Unless `--force`: refused when `path` or any YAML file beside it exists (it would be
    /// merged with the new one), since the operator's desired state is worth more than a draft.
    private func refuseExistingDesiredState(at path: String) throws(ReconcileError) {
        guard !request.force else { return }
        let existing = (try? DiskFileSystem().yamlFiles(in: request.output)) ?? []
        guard (try? ContainedFile.read(path, rule: .output)) != nil || !existing.isEmpty else { return }
        let names = existing.isEmpty ? Self.fileName : existing.joined(separator: ", ")
        throw .refused(
            "\(request.output) already holds a desired state (\(names)); init never overwrites one (--force writes \(Self.fileName) anyway)"
        )
    }

    private var hostSource: String {
        request.ipv4 == nil && request.ipv6 == nil
            ? "this machine's global addresses (getifaddrs)" : "given with --ipv4 / --ipv6"
    }

    /// The host's addresses: the given ones, or the interfaces' global ones.
    func host() throws(ReconcileError) -> HostAddressSelection {
        var selection: HostAddressSelection
        if request.ipv4 != nil || request.ipv6 != nil {
            selection = HostAddressSelection(ipv4: request.ipv4 ?? [], ipv6: request.ipv6 ?? [])
            for address in selection.ipv4 where IPv4Bytes(address) == nil {
                throw .other("--ipv4 \(YAMLText.quoted(address)) is not an IPv4 address")
            }
            for address in selection.ipv6 where IPv6Bytes(address) == nil {
                throw .other("--ipv6 \(YAMLText.quoted(address)) is not an IPv6 address")
            }
        } else {
            selection = HostAddressSelection(interfaceAddresses: interfaces())
        }
        if selection.ipv4.isEmpty && selection.ipv6.isEmpty {
            throw .other(
                "this machine has no global address (\(selection.notes.joined(separator: "; "))); give the host's public addresses with --ipv4 / --ipv6"
            )
        }
        return selection
    }

    /// `dns:` from `--provider`, `--server`, `--zonefile`, `--zone`, `--nameserver`.
    func dnsSettings() throws(ReconcileError) -> DNSSettings {
        guard !request.zones.isEmpty else {
            throw .other("name the zones reconcile manages with --zone (like --zone example.social)")
        }
        var zones: [DNSName] = []
        for text in request.zones {
            switch HostName.validate(text, allowWildcard: false) {
            case .success(let name):
                guard let zone = try? DNSName(name + ".") else {
                    throw .other("--zone \(YAMLText.quoted(text)) is not a zone name")
                }
                if !zones.contains(zone) { zones.append(zone) }
            case .failure(let error):
                throw .other("--zone: \(error.message)")
            }
        }
        let server = try request.server.map { text throws(ReconcileError) -> DNSServerAddress in
            guard let address = DNSServerAddress.parse(text) else {
                throw .other(
                    "--server \(YAMLText.quoted(text)) is not an IP address with optional port (like 192.0.2.53 or \"[2001:db8::53]:53\")"
                )
            }
            return address
        }
        var nameservers: [DNSServerAddress] = []
        for text in request.nameservers {
            guard let address = DNSServerAddress.parse(text) else {
                throw .other("--nameserver \(YAMLText.quoted(text)) is not an IP address with optional port")
            }
            nameservers.append(address)
        }
        let provider: DNSProviderSettings
        switch request.provider {
        case "rfc2136":
            guard let server else {
                throw .other("provider rfc2136 needs --server, the zone's primary (like 127.0.0.1:53)")
            }
            provider = .rfc2136(server: server, tsig: nil)
        case "authoritative":
            provider = .authoritative(server: server)
        case "zonefile":
            guard let file = request.zoneFile else {
                throw .other("provider zonefile needs --zonefile, the zone's master file")
            }
            guard zones.count == 1 else {
                throw .other("provider zonefile manages one zone; --zone was given \(zones.count) times")
            }
            let cwd = FileManager.default.currentDirectoryPath
            provider = .zonefile(
                path: Paths.resolve(file, relativeToFile: cwd + "/.", currentDirectory: cwd), reload: nil)
        default:
            throw .other("--provider \(YAMLText.quoted(request.provider)): expected rfc2136, zonefile or authoritative")
        }
        return DNSSettings(
            provider: provider, zones: zones, ttl: 300, nameservers: nameservers.isEmpty ? nil : .listed(nameservers))
    }
}

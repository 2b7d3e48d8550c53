import DesiredState

/// One gap between the desired state and what nginx and DNS actually do.
public struct Finding: Sendable, Hashable, Codable {
    public var kind: FindingKind
    /// The vhost concerned (for `address-not-on-host`, the address).
    public var vhost: String
    public var family: AddressFamily?
    public var port: UInt16?
    /// A sentence saying what is wrong.
    public var message: String
    /// What was observed: config lines as `file:line: text`, DNS records as zone-file lines.
    public var evidence: [String]
    /// A severity other than the kind's own, for kinds whose weight depends on the case (a
    /// disagreement that leaves resolvers with an unserved family is critical).
    public var severityOverride: Severity?
    /// The server block nginx gives the vhost's requests to instead, when one does.
    public var answeredBy: BlockReference?

    /// A server block as JSON names it: its file (absolute), the line of `server {`, its names.
    public struct BlockReference: Sendable, Hashable, Codable {
        public var file: String
        public var line: Int
        public var serverNames: [String]

        public init(file: String, line: Int, serverNames: [String]) {
            self.file = file
            self.line = line
            self.serverNames = serverNames
        }

        enum CodingKeys: String, CodingKey {
            case file, line
            case serverNames = "server_names"
        }
    }

    public init(
        kind: FindingKind, vhost: String, family: AddressFamily? = nil, port: UInt16? = nil, message: String,
        evidence: [String] = [], answeredBy: BlockReference? = nil
    ) {
        self.kind = kind
        self.vhost = vhost
        self.family = family
        self.port = port
        self.message = message
        self.evidence = evidence
        self.answeredBy = answeredBy
    }

    public var code: String { kind.code }
    public var slug: String { kind.slug }
    public var severity: Severity { severityOverride ?? kind.severity }

    enum CodingKeys: String, CodingKey {
        case code, slug, severity, vhost, family, port, message, evidence
        case answeredBy = "answered_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(slug, forKey: .slug)
        try c.encode(severity, forKey: .severity)
        try c.encode(vhost, forKey: .vhost)
        try c.encodeIfPresent(family, forKey: .family)
        try c.encodeIfPresent(port, forKey: .port)
        try c.encode(message, forKey: .message)
        try c.encode(evidence, forKey: .evidence)
        try c.encodeIfPresent(answeredBy, forKey: .answeredBy)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let slug = try c.decode(String.self, forKey: .slug)
        guard let kind = FindingKind(rawValue: slug) else {
            throw DecodingError.dataCorruptedError(forKey: .slug, in: c, debugDescription: "unknown finding \(slug)")
        }
        self.kind = kind
        if let severity = try c.decodeIfPresent(Severity.self, forKey: .severity), severity != kind.severity {
            severityOverride = severity
        }
        vhost = try c.decode(String.self, forKey: .vhost)
        family = try c.decodeIfPresent(AddressFamily.self, forKey: .family)
        port = try c.decodeIfPresent(UInt16.self, forKey: .port)
        message = try c.decode(String.self, forKey: .message)
        evidence = try c.decode([String].self, forKey: .evidence)
        answeredBy = try c.decodeIfPresent(BlockReference.self, forKey: .answeredBy)
    }
}

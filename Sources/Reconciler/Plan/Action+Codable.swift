import DesiredState
import Foundation
import Nginx

/// An action's JSON (plan schema 1): one flat object. nginx actions have `file`, `line` and
/// `text` as shown, and the edit itself: `offset` and `removed_bytes` in the file as read,
/// `inserted` (the lines written, with their indentation and line endings). DNS actions have
/// `zone`, `name`, `type`, `ttl`, `value` and `prerequisite` (the set's values as read).
///
/// Decoding is lenient about the edit fields a plan of an earlier version lacks: such a plan's
/// actions then differ from any fresh plan's, so apply refuses it as stale rather than guess.
extension Action: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, phase, vhost, family, port, file, line, text, offset, inserted, zone, name, type, ttl, value
        case prerequisite
        case removedBytes = "removed_bytes"
        case notBefore = "not_before"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        phase = try c.decode(Phase.self, forKey: .phase)
        vhost = try c.decode(String.self, forKey: .vhost)
        family = try c.decode(AddressFamily.self, forKey: .family)
        port = try c.decodeIfPresent(UInt16.self, forKey: .port)
        notBefore = try c.decodeIfPresent(String.self, forKey: .notBefore)
        if kind.isNginx {
            let removing = try c.decodeIfPresent(Int.self, forKey: .removedBytes) ?? 0
            let offset = try c.decodeIfPresent(Int.self, forKey: .offset) ?? 0
            guard offset >= 0, removing >= 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .offset, in: c, debugDescription: "an edit's offset and removed_bytes are not negative")
            }
            change = .nginx(
                NginxListenEdit(
                    path: try c.decode(String.self, forKey: .file), offset: offset, removing: removing,
                    inserting: Array((try c.decodeIfPresent(String.self, forKey: .inserted) ?? "").utf8),
                    line: try c.decode(Int.self, forKey: .line), directive: try c.decode(String.self, forKey: .text)))
        } else {
            if let type = try c.decodeIfPresent(String.self, forKey: .type), type != family.recordTypeName {
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: c, debugDescription: "a \(family.rawValue) record is \(family.recordTypeName)")
            }
            change = .dns(
                RecordEdit(
                    zone: try c.decode(String.self, forKey: .zone), name: try c.decode(String.self, forKey: .name),
                    ttl: try c.decode(UInt32.self, forKey: .ttl), value: try c.decode(String.self, forKey: .value),
                    prerequisite: try c.decodeIfPresent([String].self, forKey: .prerequisite) ?? []))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(phase, forKey: .phase)
        try c.encode(vhost, forKey: .vhost)
        try c.encode(family, forKey: .family)
        try c.encodeIfPresent(port, forKey: .port)
        try c.encodeIfPresent(notBefore, forKey: .notBefore)
        switch change {
        case .nginx(let edit):
            try c.encode(edit.path, forKey: .file)
            try c.encode(edit.line, forKey: .line)
            try c.encode(edit.directive, forKey: .text)
            try c.encode(edit.offset, forKey: .offset)
            try c.encode(edit.removing, forKey: .removedBytes)
            try c.encode(edit.insertedText, forKey: .inserted)
        case .dns(let record):
            try c.encode(record.zone, forKey: .zone)
            try c.encode(record.name, forKey: .name)
            try c.encode(family.recordTypeName, forKey: .type)
            try c.encode(record.ttl, forKey: .ttl)
            try c.encode(record.value, forKey: .value)
            try c.encode(record.prerequisite, forKey: .prerequisite)
        }
    }
}

extension NginxListenEdit {
    /// The inserted bytes as text (they are ASCII: see ``inserting``).
    var insertedText: String { String(decoding: inserting, as: UTF8.self) }
}

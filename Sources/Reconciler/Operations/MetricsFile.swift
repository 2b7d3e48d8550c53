import ContainedFiles

/// The metrics file node_exporter's textfile collector reads: replaced atomically so the
/// collector never scrapes half a file, under the output rule (``WriteRule/output``), since
/// the collector's directory is often shared.
public enum MetricsFile {
    /// Writes `text` to `path` (temp file in the same directory, fsync, rename; mode 0644).
    public static func write(_ text: String, to path: String) throws(ReconcileError) {
        do {
            try ContainedFile.write(Array(text.utf8), to: path, rule: .output)
        } catch {
            // A refusal already names the path and the rule; a system error gets the path.
            guard case .system = error.reason else { throw .other(error.description) }
            throw .cannotWrite(path: path, reason: error.description)
        }
    }
}

/// The metrics file node_exporter's textfile collector reads: replaced atomically so the
/// collector never scrapes half a file.
public enum MetricsFile {
    /// Writes `text` to `path` (temp file in the same directory, fsync, rename; mode 0644).
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.replace(Array(text.utf8), to: path, mode: 0o644)
    }
}

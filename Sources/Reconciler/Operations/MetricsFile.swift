/// The metrics file node_exporter's textfile collector reads: replaced atomically so the
/// collector never scrapes half a file.
public enum MetricsFile {
    /// Writes `text` to `path` (temp file in the same directory, fsync, rename; mode 0644).
    public static func write(_ text: String, to path: String) throws(ReconcileError) {
        do {
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
    }
}

/// The status line of an HTTP/1.x response, parsed from the first bytes received.
enum HTTPStatusLine {
    enum Parse: Equatable {
        /// More bytes are needed to see the end of the line.
        case incomplete
        case status(Int)
        /// The peer answered with something that is not HTTP.
        case notHTTP(String)
    }

    /// Parses `HTTP/1.1 200 OK\r\n...`. Lines longer than `limit` bytes are not HTTP.
    static func parse(_ bytes: [UInt8], limit: Int = 8192) -> Parse {
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            return bytes.count > limit ? .notHTTP("status line longer than \(limit) bytes") : .incomplete
        }
        var line = bytes[..<end]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let text = String(decoding: line, as: UTF8.self)
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), fields[1].count == 3,
            let code = Int(fields[1]), (100...599).contains(code)
        else {
            return .notHTTP("unexpected first line \"\(text.prefix(80))\"")
        }
        return .status(code)
    }
}

extension DNSName {
    /// Presentation form relative to `origin` (`www` under `example.com.`, `@` for the origin
    /// itself), or the absolute form when the name is not under `origin`.
    func relativePresentation(to origin: DNSName) -> String {
        if self == origin { return "@" }
        guard isSubdomain(of: origin), !origin.labels.isEmpty else { return description }
        let own = DNSName(uncheckedLabels: Array(labels.prefix(labels.count - origin.labels.count)))
        return String(own.description.dropLast())
    }
}

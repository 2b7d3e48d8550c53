/// The version of reconcile: the repository's VERSION file, spelled out here so every build
/// (a checkout, a tarball without git, the Debian package) carries the same one;
/// `VersionTests` keeps the two equal. Printed by `--version` and written to the plan JSON,
/// the apply journal and the metrics (`reconcile_build_info`).
public enum ReconcileVersion {
    public static let current = "0.1.0"
}

import StrictYAML
/// Desired state.
public enum DesiredStatePlaceholder {}

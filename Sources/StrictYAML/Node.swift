/// Strict YAML over the system libyaml.
public enum StrictYAMLPlaceholder {}

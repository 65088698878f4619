/// The Hushbox release this build belongs to.
public enum HushboxVersion {
    public static let current = "0.1.0"
}

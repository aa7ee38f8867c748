/// The SQL engines a store can run on; the few statements whose syntax differs ask which one they face.
public enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

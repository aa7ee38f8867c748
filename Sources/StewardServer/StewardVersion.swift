/// Steward's release and the MLflow REST API level it serves.
public enum StewardVersion {
    public static let current = "0.1.0"
    public static let mlflowAPI = "3.0.0"
}

/// The errors of the tracking domain, worded as MLflow words them so that clients matching on messages keep
/// working.
public enum TrackingErrors {
    public static func experimentNotFound(_ id: String) -> StewardError {
        .notFound("No Experiment with id=\(id) exists")
    }

    public static func experimentNameNotFound(_ name: String) -> StewardError {
        .notFound("Could not find experiment with name '\(name)'")
    }

    public static func experimentNameTaken(_ name: String) -> StewardError {
        .alreadyExists("Experiment(name=\(name)) already exists.")
    }

    public static func experimentNotActive(_ id: String) -> StewardError {
        .invalidParameter("The experiment \(id) must be in the 'active' state. Current state is deleted.")
    }

    public static func runNotFound(_ id: String) -> StewardError {
        .notFound("Run with id=\(id) not found")
    }

    public static func runNotActive(_ id: String) -> StewardError {
        .invalidParameter("The run \(id) must be in the 'active' state. Current state is deleted.")
    }

    public static func paramChanged(runID: String, key: String, old: String, new: String) -> StewardError {
        .invalidParameter(
            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(old)' for "
                + "run ID='\(runID)'. Attempted logging new value '\(new)'.")
    }

    public static func runTagNotFound(runID: String, key: String) -> StewardError {
        .notFound("No tag with name: \(key) in run with id \(runID)")
    }

    public static func experimentTagNotFound(experimentID: String, key: String) -> StewardError {
        .notFound("No tag with name: \(key) in experiment with id \(experimentID)")
    }
}

extension TrackingErrors {
    public static func loggedModelNotFound(_ id: String) -> StewardError {
        .notFound("Logged model with ID '\(id)' not found.")
    }

    public static func loggedModelTagNotFound(modelID: String, key: String) -> StewardError {
        .notFound("No tag with key '\(key)' found for logged model with ID '\(modelID)'.")
    }

    public static func loggedModelParamChanged(modelID: String, key: String, old: String, new: String) -> StewardError {
        .invalidParameter(
            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(old)' for "
                + "logged model ID='\(modelID)'. Attempted logging new value '\(new)'.")
    }
}

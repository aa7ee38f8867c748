import ArgumentParser
import StewardStatistics

/// `--method` of `steward drift`: `auto` (Evidently's rule per feature) or one method for every feature, by
/// Steward's name or Evidently's stattest name (`chisquare`, `jensenshannon`, `kl_div`, `z`).
enum DriftMethodChoice: ExpressibleByArgument, Equatable {
    case auto
    case method(DriftMethod)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let method = DriftMethod(named: argument) {
            self = .method(method)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["auto"] + DriftMethod.allNames }

    /// The method to use for every feature, nil for `auto`.
    var fixed: DriftMethod? {
        if case .method(let method) = self { return method }
        return nil
    }
}

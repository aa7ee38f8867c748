import ArgumentParser

/// An option that is `on` or `off`.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on
    case off

    var isOn: Bool { self == .on }
}

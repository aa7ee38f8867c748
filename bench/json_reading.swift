import Foundation

/// Reads request bodies shaped like the router's and the gateway's traffic with Steward's JSON reader and with
/// Foundation's `JSONSerialization`, the same bodies in the same process, and prints the time per body of each
/// (best of seven rounds) and their ratio. Built with the reader's sources by `bench/json_reading.py`.
@main
enum JSONReadingBenchmark {
    static func main() {
        var generator = SplitMix(seed: 7919)
        let scoring = (0..<500).map { _ in Data(scoringBody(&generator).utf8) }
        let chats = (0..<500).map { index in Data(chatBody(index, &generator).utf8) }
        for (name, bodies) in [("scoring bodies (bench/router.lua's shape)", scoring), ("chat requests (bench/gateway.lua's shape)", chats)] {
            let steward = best {
                for body in bodies {
                    guard case .success = JSONValue.decode(body, refusingDuplicateMembers: true) else { fatalError("not read") }
                }
            }
            let foundation = best {
                for body in bodies { _ = try! JSONSerialization.jsonObject(with: body) }
            }
            let perBody = { (seconds: Double) in String(format: "%.2f µs", seconds / Double(bodies.count) * 1e6) }
            print(
                "\(name): Steward \(perBody(steward)), Foundation \(perBody(foundation)) per body; Foundation takes \(String(format: "%.1f", foundation / steward))×"
            )
        }
    }

    /// The fastest of seven rounds of 100 passes, in seconds per pass.
    static func best(_ pass: () -> Void) -> Double {
        var fastest = Double.infinity
        for _ in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<100 { pass() }
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / 100)
        }
        return fastest
    }

    /// A pricing service's `dataframe_split`: twelve mixed columns with missing values, one row mostly, 2 to 8 in a
    /// fifth of the bodies.
    static func scoringBody(_ generator: inout SplitMix) -> String {
        let columns =
            #"["price", "list_price", "stock", "region", "channel", "customer_age", "basket_items", "discount", "is_member", "days_since_purchase", "category", "search_query"]"#
        let regions = ["north", "south", "east", "west", "central"]
        let queries = ["running shoes", "usb-c cable 2m", "organic coffee beans", "garden hose", "lego city", "", "gift card", "café crème"]
        let count = Int.random(in: 0..<5, using: &generator) == 0 ? Int.random(in: 2...8, using: &generator) : 1
        let rows = (0..<count).map { _ in
            let list = Double.random(in: 1...200, using: &generator)
            let age = Int.random(in: 0..<10, using: &generator) == 0 ? "null" : String(Int.random(in: 18...85, using: &generator))
            return String(
                format: "[%.2f, %.2f, %d, \"%@\", \"web\", %@, %d, %.2f, %@, null, \"grocery\", \"%@\"]", list * 0.8, list,
                Int.random(in: 0...5000, using: &generator), regions.randomElement(using: &generator)!, age,
                Int.random(in: 1...30, using: &generator),
                0.2, Bool.random(using: &generator) ? "true" : "false", queries.randomElement(using: &generator)!)
        }
        return "{\"dataframe_split\": {\"columns\": \(columns), \"data\": [\(rows.joined(separator: ", "))]}}"
    }

    /// A support assistant's chat request: a system prompt, up to two earlier turns and a question.
    static func chatBody(_ index: Int, _ generator: inout SplitMix) -> String {
        let questions = [
            "Where is my parcel?", "Can I change the delivery address of order 48213?",
            "The zipper on the jacket I bought last week broke after two days.\nWhat are my options?", "Do you ship to Zürich?",
        ]
        var messages = [#"{"role": "system", "content": "You are a helpful support assistant for an online retailer. Answer briefly and politely."}"#]
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            messages.append("{\"role\": \"user\", \"content\": \(quoted(questions.randomElement(using: &generator)!))}")
            messages.append(
                #"{"role": "assistant", "content": "Your parcel left our warehouse yesterday and should arrive within two working days."}"#)
        }
        messages.append("{\"role\": \"user\", \"content\": \(quoted(questions.randomElement(using: &generator)! + " (ticket \(index))"))}")
        return "{\"model\": \"gpt-small\", \"messages\": [\(messages.joined(separator: ", "))], \"temperature\": 0, \"max_tokens\": 200}"
    }

    static func quoted(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
                of: "\n", with: "\\n") + "\""
    }
}

/// A seeded generator, so that every run reads the same bodies.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

import Foundation

/// The LLM gateway's upstreams, as an administrator writes them in YAML: the providers calls go to (their wire
/// format, base URL and the environment variable that holds their key) and the models clients may name (the
/// provider's model each stands for, its prices per million tokens, its deadline and the models tried after it).
/// Every version is kept and audited (`GatewayService.setConfiguration`); keys are never in the document.
public struct GatewayConfiguration: Sendable, Equatable {
    /// The wire format a provider speaks.
    public enum ProviderKind: String, Sendable, CaseIterable {
        /// OpenAI's `/chat/completions` and `/embeddings` (OpenAI, Azure OpenAI, vLLM, Ollama, …).
        case openai
        /// Anthropic's Messages API.
        case anthropic
    }

    public struct Provider: Sendable, Equatable {
        public let name: String
        public let kind: ProviderKind
        /// The URL the API's paths are appended to, e.g. `https://api.openai.com/v1`.
        public let baseURL: String
        /// The environment variable holding the provider's API key; nil for a provider that takes none.
        public let apiKeyEnvironment: String?
    }

    public struct Model: Sendable, Equatable {
        /// The name clients send as `model`, and that a system's register entry lists.
        public let name: String
        public let provider: String
        public let upstreamModel: String
        /// US dollars per million prompt tokens, completion tokens and cached prompt tokens, exact as written.
        public let inputPerMillion: Decimal
        public let outputPerMillion: Decimal
        public let cachedInputPerMillion: Decimal
        /// How long a call may take before it is given up (and the next fallback tried).
        public let timeoutSeconds: Double
        /// Models tried in order when this one answers 429, a 5xx or not in time.
        public let fallbacks: [String]
        /// The completion tokens a call that sets no limit is held to while a budget applies (its worst case).
        public let maximumOutputTokens: Int64
        /// The field a budget's limit is sent in when the client set none (`completion_limit_field`):
        /// `max_completion_tokens` for OpenAI's and Azure's own APIs, whose reasoning models refuse `max_tokens`;
        /// `max_tokens` for other OpenAI-compatible servers, which may know only that one.
        public let completionLimitField: String
        /// The most prompt tokens an image in a request counts for (`tokens_per_image`, 4,096 by default: OpenAI's
        /// largest is about 3,800, Anthropic's about 1,600): a budget holds it for each image, whose URL is a few
        /// bytes.
        public let tokensPerImage: Int64
        /// The three prices per token in whole picodollars (prices have at most six decimal places), so that a
        /// call's cost is integer arithmetic: the same cost in `Decimal` made 52 allocations per gateway call, a
        /// fifth of all of them (`perf` probe on `malloc` under `bench/gateway.py`'s load).
        public let inputPicodollarsPerToken: Int64
        public let outputPicodollarsPerToken: Int64
        public let cachedInputPicodollarsPerToken: Int64

        init(
            name: String, provider: String, upstreamModel: String, inputPerMillion: Decimal, outputPerMillion: Decimal,
            cachedInputPerMillion: Decimal, timeoutSeconds: Double, fallbacks: [String], maximumOutputTokens: Int64,
            completionLimitField: String = "max_tokens", tokensPerImage: Int64 = 4096
        ) {
            self.completionLimitField = completionLimitField
            self.tokensPerImage = tokensPerImage
            self.name = name
            self.provider = provider
            self.upstreamModel = upstreamModel
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
            self.cachedInputPerMillion = cachedInputPerMillion
            self.timeoutSeconds = timeoutSeconds
            self.fallbacks = fallbacks
            self.maximumOutputTokens = maximumOutputTokens
            inputPicodollarsPerToken = Picodollars.of(inputPerMillion.timesPowerOfTen(-6))
            outputPicodollarsPerToken = Picodollars.of(outputPerMillion.timesPowerOfTen(-6))
            cachedInputPicodollarsPerToken = Picodollars.of(cachedInputPerMillion.timesPowerOfTen(-6))
        }
    }

    /// Exact-match caching of answers: off when the configuration has no `cache`.
    public struct Cache: Sendable, Equatable {
        /// How long an answer is served from the cache.
        public let ttlSeconds: Int
        /// Whether answers sampled with `temperature` above 0 are cached too (off by default: such a request asks
        /// for a new sample each time).
        public let cacheSampledAnswers: Bool
        /// The most answers kept (per server); the least recently used go first.
        public let maximumEntries: Int
    }

    public let providers: [Provider]
    public let models: [Model]
    public let cache: Cache?
    /// The YAML text as it was stored.
    public let document: String

    /// No upstream at all: what a server has before an administrator configures one.
    public static let empty = GatewayConfiguration(providers: [], models: [], cache: nil, document: "providers: []\nmodels: []\n")

    init(providers: [Provider], models: [Model], cache: Cache?, document: String) {
        self.providers = providers
        self.models = models
        self.cache = cache
        self.document = document
    }

    public func model(named name: String) -> Model? { models.first { $0.name == name } }
    public func provider(named name: String) -> Provider? { providers.first { $0.name == name } }

    /// Parses and validates a configuration; every problem is a 400 that names the offending entry.
    public init(yaml document: String) throws(StewardError) {
        let root = try BoundedYAML.load(document, what: "The gateway configuration")
        guard let map = root as? [String: Any] else { throw .invalidParameter("The gateway configuration must be a YAML mapping.") }
        try Self.refuseUnknown(in: map, known: ["providers", "models", "cache"], at: "the gateway configuration")
        let providerList = try Self.list(map["providers"], "providers")
        let modelList = try Self.list(map["models"], "models")
        var providers: [Provider] = []
        for (index, value) in providerList.enumerated() {
            let place = "providers[\(index)]"
            guard let entry = value as? [String: Any] else { throw .invalidParameter("\(place) must be a mapping.") }
            try Self.refuseUnknown(in: entry, known: ["name", "kind", "base_url", "api_key_env"], at: place)
            let name = try Self.name(entry["name"], "\(place).name")
            guard !providers.contains(where: { $0.name == name }) else { throw .invalidParameter("Provider '\(name)' is defined twice.") }
            let kindText = try Self.text(entry["kind"], "\(place).kind")
            guard let kind = ProviderKind(rawValue: kindText) else {
                throw .invalidParameter("\(place).kind '\(kindText)' is unknown: use openai or anthropic.")
            }
            let baseURL = try Self.text(entry["base_url"], "\(place).base_url")
            guard let components = URLComponents(string: baseURL), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
                components.host?.isEmpty == false, components.user == nil, components.password == nil, components.query == nil
            else { throw .invalidParameter("\(place).base_url must be an http(s) URL without credentials or query, e.g. https://api.openai.com/v1.") }
            var environment: String?
            if let value = entry["api_key_env"] {
                let variable = try Self.text(value, "\(place).api_key_env")
                guard variable.first.map({ $0 == "_" || ("A"..."Z").contains($0) }) == true,
                    variable.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }), variable.count <= 128
                else {
                    throw .invalidParameter(
                        "\(place).api_key_env must name an environment variable (capital letters, digits, _), not hold a key: keys are read from the environment."
                    )
                }
                // The server's own secrets (its database's password, its webhook secret, …) are never sent to a provider.
                guard !variable.hasPrefix("STEWARD_"), !variable.hasPrefix("PG"), variable != "DATABASE_URL" else {
                    throw .invalidParameter("\(place).api_key_env may not name one of the server's own variables (STEWARD_…, PG…, DATABASE_URL).")
                }
                environment = variable
            }
            providers.append(
                Provider(
                    name: name, kind: kind, baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, apiKeyEnvironment: environment))
        }
        var models: [Model] = []
        for (index, value) in modelList.enumerated() {
            let place = "models[\(index)]"
            guard let entry = value as? [String: Any] else { throw .invalidParameter("\(place) must be a mapping.") }
            try Self.refuseUnknown(
                in: entry,
                known: [
                    "name", "provider", "upstream_model", "input_per_million", "output_per_million", "cached_input_per_million", "timeout_seconds",
                    "fallbacks", "max_output_tokens", "completion_limit_field", "tokens_per_image",
                ],
                at: place)
            let name = try Self.name(entry["name"], "\(place).name")
            guard !models.contains(where: { $0.name == name }) else { throw .invalidParameter("Model '\(name)' is defined twice.") }
            let provider = try Self.text(entry["provider"], "\(place).provider")
            guard providers.contains(where: { $0.name == provider }) else {
                throw .invalidParameter("\(place).provider '\(provider)' is not one of providers.")
            }
            let input = try Self.price(entry["input_per_million"], "\(place).input_per_million")
            let timeout = try entry["timeout_seconds"].map { value throws(StewardError) -> Double in
                guard let seconds = (value as? Int).map(Double.init) ?? (value as? Double), seconds > 0, seconds <= 3600 else {
                    throw .invalidParameter("\(place).timeout_seconds must be a number of seconds above 0 and at most 3600.")
                }
                return seconds
            }
            let maximumOutput = entry["max_output_tokens"] ?? 4096
            guard let maximumOutput = maximumOutput as? Int, (1...1_000_000).contains(maximumOutput) else {
                throw .invalidParameter("\(place).max_output_tokens must be a whole number from 1 to 1000000.")
            }
            let ownAPI = providers.first { $0.name == provider }.flatMap { URLComponents(string: $0.baseURL)?.host?.lowercased() }.map {
                $0 == "api.openai.com" || $0.hasSuffix(".openai.azure.com")
            }
            let limitField = entry["completion_limit_field"] ?? (ownAPI == true ? "max_completion_tokens" : "max_tokens")
            guard let limitField = limitField as? String, limitField == "max_tokens" || limitField == "max_completion_tokens" else {
                throw .invalidParameter("\(place).completion_limit_field must be max_tokens or max_completion_tokens.")
            }
            let perImage = entry["tokens_per_image"] ?? 4096
            guard let perImage = perImage as? Int, (1...1_000_000).contains(perImage) else {
                throw .invalidParameter("\(place).tokens_per_image must be a whole number from 1 to 1000000.")
            }
            let fallbacks = try entry["fallbacks"].map { value throws(StewardError) -> [String] in
                guard let names = value as? [String] ?? ((value as? [Any])?.isEmpty == true ? [] : nil) else {
                    throw .invalidParameter("\(place).fallbacks must be a list of model names.")
                }
                return names
            }
            models.append(
                Model(
                    name: name, provider: provider, upstreamModel: try Self.text(entry["upstream_model"], "\(place).upstream_model"),
                    inputPerMillion: input, outputPerMillion: try Self.price(entry["output_per_million"], "\(place).output_per_million"),
                    cachedInputPerMillion: try entry["cached_input_per_million"].map { value throws(StewardError) in
                        try Self.price(value, "\(place).cached_input_per_million")
                    } ?? input,
                    timeoutSeconds: timeout ?? 60, fallbacks: fallbacks ?? [], maximumOutputTokens: Int64(maximumOutput),
                    completionLimitField: limitField, tokensPerImage: Int64(perImage)))
        }
        for model in models {
            if let unknown = model.fallbacks.first(where: { name in !models.contains { $0.name == name } }) {
                throw .invalidParameter("Model '\(model.name)' falls back to '\(unknown)', which models does not define.")
            }
            if model.fallbacks.contains(model.name) { throw .invalidParameter("Model '\(model.name)' lists itself as a fallback.") }
        }
        var cache: Cache?
        if let value = map["cache"] {
            guard let entry = value as? [String: Any] else { throw .invalidParameter("cache must be a mapping such as {ttl_seconds: 600}.") }
            try Self.refuseUnknown(in: entry, known: ["ttl_seconds", "cache_sampled_answers", "max_entries"], at: "cache")
            guard let ttl = entry["ttl_seconds"] as? Int, (1...2_592_000).contains(ttl) else {
                throw .invalidParameter("cache.ttl_seconds is required: a whole number of seconds from 1 to 2592000 (30 days).")
            }
            let sampled = entry["cache_sampled_answers"] ?? false
            guard let sampled = sampled as? Bool else { throw .invalidParameter("cache.cache_sampled_answers must be true or false.") }
            let entries = entry["max_entries"] ?? 10_000
            guard let entries = entries as? Int, (1...1_000_000).contains(entries) else {
                throw .invalidParameter("cache.max_entries must be a whole number from 1 to 1000000.")
            }
            cache = Cache(ttlSeconds: ttl, cacheSampledAnswers: sampled, maximumEntries: entries)
        }
        self.init(providers: providers, models: models, cache: cache, document: document)
    }

    private static func refuseUnknown(in map: [String: Any], known: Set<String>, at place: String) throws(StewardError) {
        if let unknown = map.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidParameter("Unknown key '\(unknown)' in \(place); the keys are \(known.sorted().joined(separator: ", ")).")
        }
    }

    private static func list(_ value: Any?, _ place: String) throws(StewardError) -> [Any] {
        guard let value else { return [] }
        guard let list = value as? [Any] else { throw .invalidParameter("\(place) must be a list.") }
        return list
    }

    private static func text(_ value: Any?, _ place: String) throws(StewardError) -> String {
        guard let text = value as? String, !text.isEmpty else { throw .invalidParameter("\(place) is required: a text.") }
        return text
    }

    /// A name clients send and register entries list: 1–128 visible characters.
    private static func name(_ value: Any?, _ place: String) throws(StewardError) -> String {
        let name = try text(value, place)
        guard name.count <= 128, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw .invalidParameter("\(place) must be at most 128 characters without spaces or control characters.")
        }
        return name
    }

    /// A price in dollars per million tokens, kept exact: a number's shortest decimal form is the one written.
    private static func price(_ value: Any?, _ place: String) throws(StewardError) -> Decimal {
        let written: String? =
            switch value {
            case let number as Int: String(number)
            case let number as Double where number.isFinite: "\(number)"
            default: nil
            }
        guard let written, let price = Decimal(string: written, locale: Locale(identifier: "en_US_POSIX")), price >= 0, price <= 1_000_000 else {
            throw .invalidParameter("\(place) is required: dollars per million tokens, a number from 0 to 1000000.")
        }
        // Six decimal places at most: a token's cost is then a whole number of picodollars, the unit budgets sum.
        guard Picodollars.of(price) % 1_000_000 == 0 else {
            throw .invalidParameter("\(place) has more than six decimal places; prices are kept to a millionth of a dollar per million tokens.")
        }
        return price
    }
}

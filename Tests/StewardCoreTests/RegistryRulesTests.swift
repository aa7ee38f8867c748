import Foundation
import Testing

@testable import StewardCore

@Suite("Registry rules")
struct RegistryRulesTests {
    @Test("Aliases: MLflow's characters and length; 'latest' and vN are reserved; v1x is not")
    func aliases() throws {
        for alias in ["champion", "prod-2", "a_b", "v1x", "é", "V", String(repeating: "a", count: 255)] {
            try ModelRegistryService.validateAlias(alias)
        }
        for alias in ["", "a b", "a.b", "a/b", "latest", "LATEST", "v1", "V22", String(repeating: "a", count: 256)] {
            #expect(throws: StewardError.self, "\(alias)") { try ModelRegistryService.validateAlias(alias) }
        }
    }

    @Test("Version numbers are decimal integers (unknown ones are then not found, as in MLflow)")
    func versionNumbers() throws {
        #expect(try ModelRegistryService.versionNumber("12") == 12)
        #expect(try ModelRegistryService.versionNumber(" 7") == 7)
        for text in ["", "x", "1.0", "1e3", "99999999999999999999"] {
            #expect(throws: StewardError.self, "\(text)") { try ModelRegistryService.versionNumber(text) }
        }
    }

    @Test("Model names refuse '/', ':' and blank names")
    func names() throws {
        try ModelRegistryService.validateName("fraud model v2")
        for name in ["", "  ", "a/b", "models:x", "tab\there", String(repeating: "n", count: 257)] {
            #expect(throws: StewardError.self, "\(name)") { try ModelRegistryService.validateName(name) }
        }
    }

    @Test("Searches leave prompts out unless the filter asks about the prompt tag")
    func promptExclusion() throws {
        let plain = try RegistrySearchGrammar.registeredModelFilter("name LIKE 'fraud%'")
        let left = ModelRegistryService.leavingOutPrompts(plain, tag: .tag(PromptTags.isPrompt))
        #expect(left.count == 2)
        #expect(left.last == FilterClause(field: .tag(PromptTags.isPrompt), comparator: .notEqual, value: .string("true")))
        let asking = try RegistrySearchGrammar.registeredModelFilter("tags.`mlflow.prompt.is_prompt` = 'true'")
        #expect(ModelRegistryService.leavingOutPrompts(asking, tag: .tag(PromptTags.isPrompt)) == asking)
    }

    @Test("Registry search grammars accept MLflow's fields and refuse others with a clear error")
    func grammars() throws {
        let versions = try RegistrySearchGrammar.modelVersionFilter(
            "name = 'm' AND run_id IN ('a', 'b') AND version_number >= 2 AND source_path LIKE 'runs:/%' AND tags.`x.y` != 'z'")
        #expect(versions.map(\.field) == [.name, .runID, .versionNumber, .sourcePath, .tag("x.y")])
        #expect(throws: StewardError.self) { try RegistrySearchGrammar.modelVersionFilter("version_number = 'x'") }
        #expect(throws: StewardError.self) { try RegistrySearchGrammar.modelVersionFilter("params.a = 'b'") }
        #expect(throws: StewardError.self) { try RegistrySearchGrammar.registeredModelFilter("bogus = 1") }
        #expect(throws: StewardError.self) { try RegistrySearchGrammar.registeredModelFilter("name = 'a' OR name = 'b'") }
        #expect(throws: StewardError.self) { try RegistrySearchGrammar.registeredModelOrder(["bogus"]) }
        let order = try RegistrySearchGrammar.modelVersionOrder(["version_number DESC"])
        #expect(order.first?.field == .versionNumber && order.first?.ascending == false)
    }

    @Test("Prompt templates render {{var}} with spaces allowed; a missing variable is named in the error")
    func promptTemplates() throws {
        #expect(PromptTemplate.variables(in: "Hi {{ name }}, {{name}} from {{city}}; {{ not a var }} {{}}") == ["name", "city"])
        #expect(
            try PromptTemplate.render("Hi {{ name }} from {{city}}!", with: ["name": "Ann", "city": "Oslo", "extra": "x"]) == "Hi Ann from Oslo!")
        #expect(try PromptTemplate.render("{{a}}{{b}}", with: ["a": "{{b}}", "b": "2"]) == "{{b}}2")
        #expect(try PromptTemplate.render("no variables", with: [:]) == "no variables")
        #expect(throws: StewardError.invalidParameter("Missing value for prompt variable(s): name, city.")) {
            try PromptTemplate.render("Hi {{name}} from {{city}}", with: [:])
        }
        let chat = #"[{"role": "system", "content": "You are {{persona}}."}, {"role": "user", "content": "{{question}}"}]"#
        #expect(
            try PromptTemplate.render(template: chat, type: "chat", with: ["persona": "terse", "question": "Why?"])
                == .chat([.init(role: "system", content: "You are terse."), .init(role: "user", content: "Why?")]))
        #expect(throws: StewardError.invalidParameter("Missing value for prompt variable(s): question.")) {
            try PromptTemplate.render(template: chat, type: "chat", with: ["persona": "terse"])
        }
        #expect(throws: StewardError.self) { try PromptTemplate.render(template: "not json", type: "chat", with: [:]) }
        #expect(try PromptTemplate.render(template: "Hi {{x}}", type: nil, with: ["x": "y"]) == .text("Hi y"))
    }
}

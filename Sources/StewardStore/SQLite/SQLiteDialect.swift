import SQLKit

/// How SQLKit writes SQL for SQLite: `?` placeholders, double-quoted identifiers, 1/0 booleans.
struct SQLiteDialect: SQLDialect {
    var name: String { "sqlite" }
    var identifierQuote: any SQLExpression { SQLRaw("\"") }
    var literalStringQuote: any SQLExpression { SQLRaw("'") }
    var supportsAutoIncrement: Bool { true }
    var autoIncrementClause: any SQLExpression { SQLRaw("AUTOINCREMENT") }
    var supportsReturning: Bool { true }
    var upsertSyntax: SQLUpsertSyntax { .standard }

    func bindPlaceholder(at position: Int) -> any SQLExpression {
        SQLRaw("?")
    }

    func literalBoolean(_ value: Bool) -> any SQLExpression {
        SQLRaw(value ? "1" : "0")
    }
}

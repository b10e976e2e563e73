using Meshwork.Linting;

namespace Meshwork.Tests.Checks;

/// <summary>Engines declared in mesh.yaml by name and chosen per domain or product.</summary>
public sealed class EngineCheckTests
{
    private const string Mesh = """
        apiVersion: meshwork/v1
        kind: Mesh
        name: fixture
        people: people.yaml
        policies: policies

        """;

    private static IReadOnlyList<Meshwork.Diagnostics.Diagnostic> Lint(string engines, string customersEngine)
    {
        using var mesh = new TempFolder();
        mesh.CopyFrom(Path.Combine(TestPaths.Fixtures, "meshes", "base"));
        mesh.Write("mesh.yaml", Mesh + engines);
        mesh.Write("domains/customers/domain.yaml", $"apiVersion: meshwork/v1\nkind: Domain\nname: customers\nowner: team-customers\nengine: {customersEngine}\n");
        return [.. MeshLinter.Lint(mesh.Path).Diagnostics.Where(d => d.Rule is "unknown-engine" or "mesh-schema" or "domain-schema")];
    }

    [Fact]
    public void Lint_DomainOnADeclaredPostgresEngine_IsClean() =>
        Assert.Empty(Lint("""
            engines:
              - name: warehouse
                type: postgres
                connection: "${MESHWORK_PG_WAREHOUSE}"
            """, "warehouse"));

    [Fact]
    public void Lint_DomainOnTheEmbeddedEngine_NeedsNoDeclaration() =>
        Assert.Empty(Lint(string.Empty, "duckdb"));

    [Fact]
    public void Lint_DomainNamingAnUndeclaredEngine_SaysWhichNamesExist()
    {
        var diagnostic = Assert.Single(Lint("""
            engines:
              - name: warehouse
                type: postgres
                connection: "host=db"
            """, "postgres"));

        Assert.Equal("unknown-engine", diagnostic.Rule);
        Assert.Equal("domains/customers/domain.yaml", diagnostic.File);
        Assert.Contains("The engine of domain 'customers' is 'postgres'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("(duckdb, warehouse)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PostgresEngineWithoutConnection_NamesTheVariableToUse()
    {
        var diagnostic = Assert.Single(Lint("""
            engines:
              - name: warehouse
                type: postgres
            """, "warehouse"));

        Assert.Equal(("unknown-engine", "mesh.yaml"), (diagnostic.Rule, diagnostic.File));
        Assert.Equal(7, diagnostic.Line);
        Assert.Contains("${MESHWORK_PG_WAREHOUSE}", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ConnectionWithABrokenVariableReference_IsAnError()
    {
        var diagnostic = Assert.Single(Lint("""
            engines:
              - name: warehouse
                type: postgres
                connection: "${MESHWORK PG}"
            """, "warehouse"));

        Assert.Contains("not a variable reference", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_EngineDeclaredTwice_IsAnError() =>
        Assert.Contains("declared twice", Assert.Single(Lint("""
            engines:
              - name: warehouse
                type: postgres
                connection: "host=a"
              - name: warehouse
                type: postgres
                connection: "host=b"
            """, "warehouse")).Message, StringComparison.Ordinal);

    [Fact]
    public void Lint_EngineOfAnUnknownType_IsASchemaError() =>
        Assert.Equal("mesh-schema", Assert.Single(Lint("""
            engines:
              - name: warehouse
                type: oracle
            """, "duckdb")).Rule);
}

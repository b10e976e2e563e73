using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Loading;
using Meshwork.Schemas;

namespace Meshwork.Tests.Loading;

public sealed class OdcsMigratorTests
{
    private const string Header = """
        apiVersion: v3.0.2
        kind: DataContract
        id: c1
        version: 1.0.0
        status: active

        """;

    private static (SourceDocument Document, IReadOnlyList<Diagnostic> Diagnostics) Migrate(string body)
    {
        var bag = new DiagnosticBag();
        var document = YamlDocumentReader.Parse(Header + body, "c.odcs.yaml", "/tmp/c.odcs.yaml", bag)!;
        var migrated = OdcsMigrator.Migrate(document, bag);
        return (migrated, bag.ToSortedList());
    }

    [Fact]
    public void Migrate_QualityRule_BecomesMetric()
    {
        var (document, diagnostics) = Migrate("""
            schema:
              - name: t
                properties:
                  - name: a
                    logicalType: string
                    quality:
                      - rule: nullCheck
                        mustBe: 0
            """);

        var rule = document.Root.GetProperty("schema")[0].GetProperty("properties")[0].GetProperty("quality")[0];
        Assert.Equal("nullValues", rule.GetProperty("metric").GetString());
        Assert.False(rule.TryGetProperty("rule", out _));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(Rules.OdcsMigrated.Id, warning.Rule);
        Assert.Equal(12, warning.Line);
        Assert.True(DocumentSchema.Odcs.IsValid(document.Root));
    }

    [Fact]
    public void Migrate_TeamArray_BecomesTeamObjectWithMembers()
    {
        var (document, diagnostics) = Migrate("""
            team:
              - username: ann
                role: owner
                comment: Keeper
            """);

        var members = document.Root.GetProperty("team").GetProperty("members");
        Assert.Equal("ann", members[0].GetProperty("username").GetString());
        Assert.Equal("Keeper", members[0].GetProperty("description").GetString());
        Assert.Equal(2, diagnostics.Count);
        Assert.True(DocumentSchema.Odcs.IsValid(document.Root));
    }

    [Fact]
    public void Migrate_BooleanExclusiveBounds_BecomeNumericBounds()
    {
        var (document, diagnostics) = Migrate("""
            schema:
              - name: t
                properties:
                  - name: n
                    logicalType: number
                    logicalTypeOptions:
                      minimum: 0
                      exclusiveMinimum: true
                      maximum: 100
                      exclusiveMaximum: false
            """);

        var options = document.Root.GetProperty("schema")[0].GetProperty("properties")[0].GetProperty("logicalTypeOptions");
        Assert.Equal(0, options.GetProperty("exclusiveMinimum").GetInt32());
        Assert.False(options.TryGetProperty("minimum", out _));
        Assert.Equal(100, options.GetProperty("maximum").GetInt32());
        Assert.False(options.TryGetProperty("exclusiveMaximum", out _));
        Assert.Equal(2, diagnostics.Count(d => d.Rule == Rules.OdcsMigrated.Id));
        Assert.True(DocumentSchema.Odcs.IsValid(document.Root));
    }

    [Fact]
    public void Migrate_CurrentForms_AreLeftAlone()
    {
        var (document, diagnostics) = Migrate("""
            schema:
              - name: t
                quality:
                  - metric: rowCount
                    mustBeGreaterThan: 0
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(JsonValueKind.Object, document.Root.ValueKind);
    }
}

using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Linting;

namespace Meshwork.Tests.Linting;

public sealed class LintReportWriterTests
{
    private static readonly LintReport Report = new("/repo", [
        new Diagnostic(new SourceLocation("domains/a/b/product.odps.yaml", 3, 5), Severity.Error, Rules.UnknownContract.Id, "Input port 'x' ...", "Fix it."),
        new Diagnostic(new SourceLocation("domains/a/b/c d.odcs.yaml", 7, 1), Severity.Warning, Rules.PrimaryKeyNullable.Id, "Column 'id' ...", null),
    ]);

    private static JsonElement Render(string format)
    {
        using var writer = new StringWriter();
        LintReportWriter.Write(Report, format, writer);
        return JsonDocument.Parse(writer.ToString()).RootElement.Clone();
    }

    [Fact]
    public void Json_HasTheDocumentedShape()
    {
        var json = Render("json");

        Assert.Equal(1, json.GetProperty("errors").GetInt32());
        Assert.Equal(1, json.GetProperty("warnings").GetInt32());
        var first = json.GetProperty("diagnostics")[0];
        Assert.Equal("domains/a/b/product.odps.yaml", first.GetProperty("file").GetString());
        Assert.Equal(3, first.GetProperty("line").GetInt32());
        Assert.Equal(5, first.GetProperty("column").GetInt32());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal("unknown-contract", first.GetProperty("rule").GetString());
        Assert.Equal("Fix it.", first.GetProperty("hint").GetString());
        Assert.Equal(
            ["file", "line", "column", "severity", "rule", "message", "hint"],
            first.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Sarif_IsVersion210WithRulesAndRelativeLocations()
    {
        var sarif = Render("sarif");

        Assert.Equal("2.1.0", sarif.GetProperty("version").GetString());
        var run = sarif.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        Assert.Equal(Rules.All.Count, rules.GetArrayLength());
        Assert.Equal("file:///repo/", run.GetProperty("originalUriBaseIds").GetProperty("SRCROOT").GetProperty("uri").GetString());

        var results = run.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        var first = results[0];
        Assert.Equal("unknown-contract", first.GetProperty("ruleId").GetString());
        Assert.Equal("unknown-contract", rules[first.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
        Assert.Equal("error", first.GetProperty("level").GetString());
        var location = first.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("domains/a/b/product.odps.yaml", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(3, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal("warning", results[1].GetProperty("level").GetString());
        Assert.Equal("domains/a/b/c%20d.odcs.yaml", results[1].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
    }

    [Fact]
    public void Text_ShowsPositionRuleHintAndSummary()
    {
        using var writer = new StringWriter();
        LintReportWriter.Write(Report, "text", writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("domains/a/b/product.odps.yaml:3:5: error unknown-contract: Input port 'x' ...", lines[0]);
        Assert.Equal("    hint: Fix it.", lines[1]);
        Assert.Equal("1 error, 1 warning.", lines[^1]);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    public void ExitCode_ErrorsFailWithOrWithoutStrict(bool strict, int expected) => Assert.Equal(expected, Report.ExitCode(strict));

    [Fact]
    public void ExitCode_WarningsFailOnlyWhenStrict()
    {
        var warnings = Report with { Diagnostics = [.. Report.Diagnostics.Where(d => d.Severity == Severity.Warning)] };

        Assert.Equal(0, warnings.ExitCode(strict: false));
        Assert.Equal(1, warnings.ExitCode(strict: true));
    }
}

using Meshwork.Diagnostics;
using Meshwork.Linting;
using Meshwork.Schemas;

namespace Meshwork.Tests.Schemas;

/// <summary>The official standards' files get the verdict their MANIFEST.tsv gives, through the same path as <c>mesh lint FILE</c>.</summary>
public sealed class StandardFilesTests
{
    private const string MigratedV300Example = "datacontract-cli/tests/fixtures/odcs_v3/full-example.odcs.yaml";

    public static TheoryData<string, string> ManifestFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(TestPaths.Standards, "MANIFEST.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            if (columns.Length >= 3 && columns[1] is "odcs" or "odps" && columns[2] is "valid" or "invalid")
            {
                data.Add(columns[0], columns[2]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Lint_StandardFile_GivesManifestVerdict(string file, string expected)
    {
        var report = MeshLinter.Lint(Path.Combine(TestPaths.Standards, file));

        // The v3.0.0 example is invalid under the v3.1.0 schema as written, and accepted once migrated.
        var expectValid = expected == "valid" || file == MigratedV300Example;
        Assert.True(expectValid == (report.Errors == 0), $"{file}: expected {expected}, got:\n{string.Join('\n', report.Diagnostics)}");
    }

    [Fact]
    public void ManifestFiles_CoverBothStandards()
    {
        var files = ManifestFiles().Select(row => row.Data.Item1).ToList();

        Assert.Contains(files, f => f.EndsWith(".odps.yaml", StringComparison.Ordinal));
        Assert.True(files.Count >= 30, $"only {files.Count} ODCS/ODPS files in the manifest");
    }

    [Fact]
    public void Lint_V300FullExample_IsAcceptedWithOneWarningPerMigration()
    {
        var report = MeshLinter.Lint(Path.Combine(TestPaths.Standards, MigratedV300Example));

        Assert.Equal(0, report.Errors);
        var migrations = report.Diagnostics.Where(d => d.Rule == Rules.OdcsMigrated.Id).ToList();
        Assert.Contains(migrations, d => d.Message.Contains("metric: nullValues", StringComparison.Ordinal) && d.Line == 99);
        Assert.Contains(migrations, d => d.Message.Contains("metric: rowCount", StringComparison.Ordinal) && d.Line == 122);
        Assert.Contains(migrations, d => d.Message.Contains("team array", StringComparison.Ordinal) && d.Line == 147);
        Assert.All(migrations, d => Assert.Equal(Severity.Warning, d.Severity));
    }

    [Fact]
    public void Lint_InvalidMultipleErrors_ReportsBothMissingFields()
    {
        var report = MeshLinter.Lint(Path.Combine(TestPaths.Standards, "datacontract-cli/tests/fixtures/lint/invalid_multiple_errors.odcs.yaml"));

        var messages = report.Diagnostics.Where(d => d.Rule == Rules.OdcsSchema.Id).Select(d => d.Message).ToList();
        Assert.Contains(messages, m => m.Contains("'version'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'status'", StringComparison.Ordinal));
        Assert.Equal(2, report.Errors);
    }

    [Theory]
    [InlineData("datacontract-cli/tests/fixtures/lint/invalid.odcs.yaml", "required property 'status' is missing", 1)]
    [InlineData("datacontract-cli/tests/fixtures/lint/invalid_multiple_schema_errors.odcs.yaml", "schema[0].description", 10)]
    [InlineData("datacontract-cli/tests/fixtures/lint/odcs_with_extra_top_level.yaml", "'change_management' is not allowed", 7)]
    public void Lint_InvalidFixture_ReportsTheReasonAtItsLine(string file, string expected, int line)
    {
        var report = MeshLinter.Lint(Path.Combine(TestPaths.Standards, file));

        var diagnostic = Assert.Single(report.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Contains(expected, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(line, diagnostic.Line);
    }

    [Theory]
    [InlineData("odcs-json-schema-v3.1.0.json", "odcs/schema/odcs-json-schema-v3.1.0.json")]
    [InlineData("odps-json-schema-v1.0.0.json", "odps/schema/odps-json-schema-v1.0.0.json")]
    public void EmbeddedSchema_IsTheOfficialFileUnchanged(string resource, string official)
    {
        var embedded = resource.StartsWith("odcs", StringComparison.Ordinal) ? DocumentSchema.Odcs : DocumentSchema.Odps;

        Assert.Equal(resource, embedded.Resource);
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.Standards, official)), embedded.Text);
    }
}

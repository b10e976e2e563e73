using System.Text.RegularExpressions;
using Meshwork.Diagnostics;
using Meshwork.Linting;

namespace Meshwork.Tests.Checks;

/// <summary>
/// One fixture mesh per rule: <c>test/fixtures/meshes/rules/&lt;rule&gt;/</c> holds the files that differ from
/// <c>meshes/base</c> (a mesh that lints clean). A <c># expect: &lt;rule&gt;</c> comment marks the line where a finding
/// must be reported; <c>expected.txt</c> lists findings in files that cannot carry a comment
/// (<c>rule path line</c>); <c>delete.txt</c> lists base files to remove.
/// </summary>
public sealed partial class RuleFixtureTests
{
    private static readonly string Base = Path.Combine(TestPaths.Fixtures, "meshes", "base");
    private static readonly string RulesFolder = Path.Combine(TestPaths.Fixtures, "meshes", "rules");

    // Rules about files and YAML are covered by YamlDocumentReaderTests and the robustness tests.
    private static readonly string[] CoveredElsewhere =
    [
        Rules.FileUnreadable.Id, Rules.FileTooLarge.Id, Rules.FileNotText.Id, Rules.YamlTooDeep.Id,
        Rules.YamlTooLarge.Id, Rules.YamlUnsupported.Id, Rules.EmptyDocument.Id,
        // Reported by the governance layer over a loaded mesh (Meshwork.Governance.Tests, the Platform's apply tests).
        Rules.PolicyExpression.Id, Rules.PolicyTarget.Id, Rules.PolicyNotApplicable.Id, Rules.PolicyViolation.Id,
    ];

    public static TheoryData<string> Fixtures() => [.. Directory.EnumerateDirectories(RulesFolder).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    [Fact]
    public void BaseMesh_LintsClean()
    {
        var report = MeshLinter.Lint(Base);

        Assert.Empty(report.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Lint_RuleFixture_ReportsTheRuleAtTheMarkedLines(string fixture)
    {
        using var mesh = new TempFolder();
        mesh.CopyFrom(Base);
        var folder = Path.Combine(RulesFolder, fixture);
        var expected = new List<(string Rule, string File, int Line)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            switch (relative)
            {
                case "delete.txt":
                    foreach (var path in File.ReadAllLines(file).Where(l => l.Length > 0))
                    {
                        File.Delete(Path.Combine(mesh.Path, path));
                    }

                    break;
                case "expected.txt":
                    expected.AddRange(File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => l.Split(' ')).Select(p => (p[0], p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture))));
                    break;
                default:
                    var lines = File.ReadAllLines(file);
                    expected.AddRange(lines.Select((line, i) => (Match: Marker().Match(line), Line: i + 1)).Where(x => x.Match.Success).Select(x => (x.Match.Groups[1].Value, relative, x.Line)));
                    break;
            }
        }

        // Overlay after deletions, so a fixture can replace a deleted file.
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) is not ("delete.txt" or "expected.txt")))
        {
            var target = Path.Combine(mesh.Path, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        var report = MeshLinter.Lint(mesh.Path);
        var actual = string.Join('\n', report.Diagnostics);

        Assert.NotEmpty(expected);
        Assert.Contains(expected, e => e.Rule == fixture);
        foreach (var (rule, file, line) in expected)
        {
            Assert.True(report.Diagnostics.Any(d => d.Rule == rule && d.File == file && d.Line == line),
                $"expected {rule} at {file}:{line}; got:\n{actual}");
        }

        foreach (var error in report.Diagnostics.Where(d => d.Severity == Severity.Error))
        {
            Assert.True(expected.Contains((error.Rule, error.File, error.Line)), $"unexpected error {error}; all findings:\n{actual}");
        }

        Assert.All(report.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Hint), $"{d} has no hint"));
    }

    [Fact]
    public void EveryRule_HasAFixtureOrATest()
    {
        var fixtures = Directory.EnumerateDirectories(RulesFolder).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);

        var missing = Rules.All.Select(r => r.Id).Where(id => !fixtures.Contains(id) && !CoveredElsewhere.Contains(id)).ToList();

        Assert.Empty(missing);
    }

    [GeneratedRegex(@"#\s*expect:\s*([a-z0-9-]+)")]
    private static partial Regex Marker();
}

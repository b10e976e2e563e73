using Meshwork.Diagnostics;
using Meshwork.Linting;
using Meshwork.Loading;
using Meshwork.Scaffolding;

namespace Meshwork.Tests.Linting;

public sealed class MeshLinterTests
{
    [Fact]
    public void Lint_RetailExample_IsCleanEvenWhenStrict()
    {
        var report = MeshLinter.Lint(Path.Combine(TestPaths.RepositoryRoot, "examples", "retail"));

        Assert.True(report.Diagnostics.Count == 0, string.Join('\n', report.Diagnostics));
        Assert.Equal(0, report.ExitCode(strict: true));
    }

    [Fact]
    public void Lint_InitTemplate_IsClean()
    {
        using var temp = new TempFolder();
        foreach (var (path, content) in MeshTemplate.Render(new MeshTemplateOptions("demo", "logistics", "shipments")))
        {
            temp.Write(path, content);
        }

        var report = MeshLinter.Lint(temp.Path);

        Assert.True(report.Diagnostics.Count == 0, string.Join('\n', report.Diagnostics));
    }

    [Fact]
    public void Lint_FolderWithoutMeshYaml_IsAUsageError()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<MeshworkException>(() => MeshLinter.Lint(temp.Path));

        Assert.Contains("mesh.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MissingPath_IsAUsageError()
    {
        Assert.Throws<MeshworkException>(() => MeshLinter.Lint("/does/not/exist"));
    }

    [Fact]
    public void Lint_FileOfUnknownKind_IsAUsageError()
    {
        using var temp = new TempFolder();
        var path = temp.Write("notes.yaml", "hello: world\n");

        var error = Assert.Throws<MeshworkException>(() => MeshLinter.Lint(path));

        Assert.Contains("notes.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_SingleContract_ChecksItsOwnRulesButNotReferences()
    {
        using var temp = new TempFolder();
        var path = temp.Write("c.odcs.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: c
            version: "1.0"
            status: active
            servers:
              - server: s
                type: local
                format: csv
                path: ./does-not-exist.csv
            schema:
              - name: t
                properties:
                  - name: a
                    logicalType: string
                    classification: top-secret
                quality:
                  - metric: duplicateValues
                    mustBe: 0
                    arguments:
                      properties: [b]
            """);

        var report = MeshLinter.Lint(path);

        var rules = report.Diagnostics.Select(d => d.Rule).ToHashSet();
        Assert.Contains(Rules.VersionNotSemver.Id, rules);
        Assert.Contains(Rules.UnknownColumn.Id, rules);
        Assert.DoesNotContain(Rules.SourcePathMissing.Id, rules); // another file: not resolved alone
        Assert.DoesNotContain(Rules.UnknownClassification.Id, rules); // the allowed list lives in mesh.yaml
        Assert.All(report.Diagnostics, d => Assert.Equal("c.odcs.yaml", d.File));
    }

    [Fact]
    public void Lint_SingleProductWithAJavascriptSupportUrl_RefusesItAtItsValue_AndAcceptsHttpsAndMailto()
    {
        using var temp = new TempFolder();
        var path = temp.Write("product.odps.yaml", """
            apiVersion: v1.0.0
            kind: DataProduct
            id: sales.orders
            name: Orders
            status: active
            support:
              - channel: chat
                url: https://chat.example.com/channels/team-sales
              - channel: mail
                url: mailto:sales-data@example.com
              - channel: helpdesk
                url: javascript:alert(1)
            """);

        var report = MeshLinter.Lint(path);

        var finding = Assert.Single(report.Diagnostics);
        Assert.Equal((Rules.UnsafeLink.Id, Severity.Error, "product.odps.yaml", 12, 10), (finding.Rule, finding.Severity, finding.File, finding.Line, finding.Column));
        Assert.Contains("support[2].url 'javascript:alert(1)'", finding.Message, StringComparison.Ordinal);
        Assert.Equal(Rules.UnsafeLink.Hint, finding.Hint);
        Assert.Equal(1, report.ExitCode(strict: false));
    }

    [Fact]
    public void Lint_YamlFileNamedAnyhow_IsToldApartByKind()
    {
        using var temp = new TempFolder();
        var path = temp.Write("contract.yaml", "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\n");

        var report = MeshLinter.Lint(path);

        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.OdcsSchema.Id && d.Message.Contains("'status'", StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_ReportsEveryErrorNotOnlyTheFirst()
    {
        using var temp = new TempFolder();
        temp.CopyFrom(Path.Combine(TestPaths.Fixtures, "meshes", "base"));
        temp.Write("domains/sales/orders/product.odps.yaml", "apiVersion: v1.0.0\nkind: DataProduct\nid: [broken\n");
        temp.Write("domains/customers/domain.yaml", "apiVersion: meshwork/v1\nkind: Domain\nname: customers\n");
        temp.Write("domains/marketing/audience/audience.odcs.yaml", "apiVersion: v3.1.0\nkind: DataContract\n");

        var report = MeshLinter.Lint(temp.Path);

        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.YamlSyntax.Id && d.File == "domains/sales/orders/product.odps.yaml");
        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.DomainSchema.Id && d.File == "domains/customers/domain.yaml");
        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.OdcsSchema.Id && d.File == "domains/marketing/audience/audience.odcs.yaml");
    }

    [Fact]
    public void Lint_HostileFilesInAMesh_BecomeDiagnosticsNotCrashes()
    {
        using var temp = new TempFolder();
        temp.CopyFrom(Path.Combine(TestPaths.Fixtures, "meshes", "base"));
        var junk = new byte[2048];
        new Random(7).NextBytes(junk);
        File.WriteAllBytes(Path.Combine(temp.Path, "domains/sales/orders/junk.odcs.yaml"), junk);
        Directory.CreateDirectory(Path.Combine(temp.Path, "domains/customers/profiles/folder.odcs.yaml"));
        temp.Write("domains/marketing/audience/deep.odcs.yaml", new string('[', 5000) + new string(']', 5000));
        using (var huge = File.Create(Path.Combine(temp.Path, "domains/marketing/audience/huge.odcs.yaml")))
        {
            huge.SetLength(50L * 1024 * 1024);
        }

        var report = MeshLinter.Lint(temp.Path);

        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.FileNotText.Id);
        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.YamlTooDeep.Id || d.Rule == Rules.YamlSyntax.Id);
        Assert.Contains(report.Diagnostics, d => d.Rule == Rules.FileTooLarge.Id);
        Assert.Equal(1, report.ExitCode(strict: false));
    }
}

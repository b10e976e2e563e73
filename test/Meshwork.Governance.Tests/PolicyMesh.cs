using Meshwork.Diagnostics;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;
using Meshwork.Linting;
using Meshwork.Model;

namespace Meshwork.Governance.Tests;

/// <summary>
/// A copy of the base fixture mesh in a temporary folder, with the customers' profiles contract widened to
/// columns every mask and filter test needs, no policies but those added per test.
/// </summary>
internal sealed class PolicyMesh : IDisposable
{
    public const string Profiles = "customers.profiles.profiles_v1";

    public const string Orders = "sales.orders.orders_v1";

    public const string Audience = "marketing.audience.audience_v2";

    public PolicyMesh()
    {
        Root = Path.Combine(Path.GetTempPath(), "meshwork-governance-" + Guid.NewGuid().ToString("N"));
        var source = Path.Combine(RepositoryRoot(), "test", "fixtures", "meshes", "base");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        // Each test writes the policies it is about; the fixture's own (which let pipelines read upstream) would only add noise.
        Directory.Delete(Path.Combine(Root, "policies"), recursive: true);

        Write("domains/customers/profiles/profiles.odcs.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: customers.profiles.v1
            version: 1.2.0
            status: active
            domain: customers
            schema:
              - name: profiles
                properties:
                  - name: customer_id
                    logicalType: integer
                    required: true
                    primaryKey: true
                  - name: email
                    logicalType: string
                    classification: confidential
                    tags: [pii, "pii:email"]
                  - name: phone
                    logicalType: string
                    tags: ["pii:phone"]
                  - name: birth_date
                    logicalType: date
                    classification: restricted
                  - name: country
                    logicalType: string
                  - name: segment
                    logicalType: string
                    tags: [marketing]
            """);
    }

    public string Root { get; }

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>Writes <c>&lt;folder&gt;/&lt;name&gt;.policy.yaml</c>: policies/ (global), domains/d (domain), domains/d/p (product).</summary>
    public PolicyMesh Policy(string folder, string name, string body)
    {
        Write($"{folder}/{name}.policy.yaml", $"apiVersion: meshwork/v1\nkind: Policy\nname: {name}\n{body.TrimEnd()}\n");
        return this;
    }

    /// <summary>Loads and lints the mesh; it must have no error (policies are judged over a clean mesh only).</summary>
    public Mesh Load()
    {
        var (mesh, report) = MeshLinter.LintRepository(Root);
        var errors = report.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        return mesh;
    }

    /// <summary>Loads the mesh and compiles its policies.</summary>
    public (Mesh Mesh, PolicySet Policies, IReadOnlyList<Diagnostic> Diagnostics) Compile()
    {
        var mesh = Load();
        var diagnostics = new DiagnosticBag();
        var policies = PolicySet.Compile(mesh, new CelPolicyEvaluator(), diagnostics);
        return (mesh, policies, diagnostics.ToSortedList());
    }

    /// <summary>Compiles the policies and asserts that compiling reported nothing.</summary>
    public (Mesh Mesh, PolicySet Policies) CompileClean()
    {
        var (mesh, policies, diagnostics) = Compile();
        Assert.True(diagnostics.Count == 0, string.Join('\n', diagnostics));
        return (mesh, policies);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found");
    }
}

using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Tests.Privacy;

/// <summary>
/// Objections to a purpose on the example mesh with a consent product (customers.consent, named in mesh.yaml): a read
/// for a purpose hides the subjects who objected to that purpose only, and a pipeline reads for its own purpose.
/// </summary>
public sealed class ObjectionTests : IDisposable
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly MeshworkPlatform _platform = MeshworkPlatform.Create();

    public ObjectionTests() => AddConsentProduct(_mesh.Root);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Read_ForAPurpose_HidesTheSubjectsWhoObjectedToIt_AndOnlyForThatPurpose()
    {
        Assert.DoesNotContain(_platform.Lint(_mesh.Root).Diagnostics, d => d.Severity == Diagnostics.Severity.Error);
        Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);
        await using var served = await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }, Cancel);
        var admin = (await served.FindPrincipalAsync("admin", Cancel))!;

        var marketing = await CustomersAsync(served, admin, "Marketing ");
        var reporting = await CustomersAsync(served, admin, "reporting");
        var none = await CustomersAsync(served, admin, null);

        Assert.Contains(1003L, none);
        Assert.Contains(1004L, none);
        Assert.DoesNotContain(1003L, marketing);
        Assert.Contains(1004L, marketing);
        Assert.DoesNotContain(1004L, reporting);
        Assert.Contains(1003L, reporting);
        Assert.Equal(none.Count - 1, marketing.Count);

        // customers.customer_value reads the profiles for its pipeline's purpose ("pipeline"), which 1005 objected to.
        var values = await served.QueryAsync(admin, "SELECT customer_id FROM customers.customer_value.customer_value_v1 WHERE customer_id IN (1003, 1005)", null, Cancel);
        Assert.Equal([1003L], await IdsAsync(values));

        var audit = await served.Store.GetAuditAsync(200, Cancel);
        Assert.Contains(audit, a => a.Entry.Resource == Profiles && a.Entry.Purpose == "Marketing " && a.Entry.Detail!.Contains("objections", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Entry.Action == "pipeline-read" && a.Entry.Resource == Profiles && a.Entry.Detail!.Contains("objected to 'pipeline'", StringComparison.Ordinal));
    }

    /// <summary>A source-aligned consent product: one row per purpose a customer objected to (with the customer's country, which the example's row filters read).</summary>
    private static void AddConsentProduct(string root)
    {
        var folder = Path.Combine(root, "domains", "customers", "consent");
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        File.WriteAllText(Path.Combine(folder, "data", "objections.csv"), "customer_id,purpose,country\n1003,marketing,NL\n1004,Reporting,FR\n1005,pipeline,DE\n");
        File.WriteAllText(Path.Combine(folder, "product.odps.yaml"), """
            apiVersion: v1.0.0
            kind: DataProduct
            id: customers.consent
            name: Customer objections
            domain: customers
            status: active
            version: 1.0.0
            description:
              purpose: The purposes each customer objected to (GDPR Art. 21), from the preference centre.
            team:
              name: team-customers
              members:
                - username: olivia
                  role: owner
            inputPorts:
              - name: preferences
                version: 1.0.0
                contractId: customers.consent.source.preferences
            outputPorts:
              - name: objections
                type: tables
                version: 1.0.0
                contractId: customers.consent.objections.v1
            """);
        foreach (var (file, id, extra) in new[]
        {
            ("preferences.source.odcs.yaml", "customers.consent.source.preferences", "servers:\n  - server: preference_centre\n    type: local\n    format: csv\n    path: ./data/objections.csv\n"),
            ("objections.odcs.yaml", "customers.consent.objections.v1", string.Empty),
        })
        {
            var name = file.StartsWith("preferences", StringComparison.Ordinal) ? "preferences" : "objections";
            File.WriteAllText(Path.Combine(folder, file), $"""
                apiVersion: v3.1.0
                kind: DataContract
                id: {id}
                name: Objections
                version: 1.0.0
                status: active
                domain: customers
                dataProduct: consent

                """ + extra + $"""
                schema:
                  - name: {name}
                    physicalType: table
                    properties:
                      - name: customer_id
                        logicalType: integer
                        required: true
                        classification: internal
                        tags: [subject-key]
                      - name: purpose
                        logicalType: string
                        required: true
                        classification: internal
                      - name: country
                        logicalType: string
                        classification: internal

                """);
        }

        File.AppendAllText(Path.Combine(root, "mesh.yaml"), "\nprivacy:\n  consent: customers.consent.objections_v1\n");
    }

    private static async Task<List<long>> CustomersAsync(ServedMesh served, Model.Principal principal, string? purpose) =>
        await IdsAsync(await served.ReadDatasetAsync(principal, Profiles, ["customer_id"], null, null, purpose, Cancel));

    private static async Task<List<long>> IdsAsync(GovernedResult result)
    {
        await using (result)
        {
            var ids = new List<long>();
            await result.StartAsync(Cancel);
            await foreach (var batch in result.ReadAsync(Cancel))
            {
                var column = (Apache.Arrow.Int64Array)batch.Column("customer_id");
                ids.AddRange(Enumerable.Range(0, column.Length).Select(i => column.GetValue(i)!.Value));
            }

            return ids;
        }
    }
}

using System.Text.Json.Nodes;
using Meshwork.Platform.Lineage;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Lineage;

/// <summary>
/// The OpenLineage events of an apply of the example mesh, written by the file transport: each validates against the
/// official 2-0-2 schemas (the event and every facet), each product run is a START then a COMPLETE (or FAIL) of one
/// run id, and the outputs are the published addresses with the contract's columns.
/// </summary>
public sealed class RunLineageTests : IAsyncDisposable
{
    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly string _events;
    private readonly MeshworkPlatform _platform;

    public RunLineageTests()
    {
        _events = Path.Combine(_mesh.Root, "lineage", "events.ndjson");
        _platform = MeshworkPlatform.Create(m => m.UseTime(_time).AddOpenLineage(o =>
        {
            o.Url = null; // whatever the environment says, these tests read the file
            o.Disabled = false;
            o.File = _events;
        }));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _platform.Lineage.DisposeAsync();
        _mesh.Dispose();
    }

    private async Task<(Meshwork.Platform.Pipelines.ApplyResult Result, List<JsonNode> Events)> ApplyAsync()
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);
        var events = File.Exists(_events) ? File.ReadAllLines(_events).Select(l => JsonNode.Parse(l)!).ToList() : [];
        return (result, events);
    }

    [Fact]
    public async Task Apply_EveryEvent_ValidatesAgainstTheOpenLineageSchemaAndItsFacetSchemas()
    {
        var (result, events) = await ApplyAsync();

        Assert.Empty(result.Errors);
        Assert.NotEmpty(events);
        var problems = events.SelectMany(e => OpenLineageSchemas.Problems(e).Select(p => $"{e["job"]!["name"]} {e["eventType"]}: {p}")).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        // The facets the issue asks for are there (a schema check alone would pass without them).
        var complete = events.First(e => (string?)e["eventType"] == "COMPLETE" && (string?)e["job"]!["name"] == "sales.orders");
        Assert.Equal(
            ["dataQualityAssertions", "dataSource", "documentation", "jobType", "meshwork_contracts", "outputStatistics", "ownership", "schema", "sql", "version"],
            OpenLineageSchemas.Facets(complete).Select(f => f.Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Apply_EachProductRun_IsAStartThenACompleteOfOneRunId_NamedByTheMeshAndTheProduct()
    {
        var (result, events) = await ApplyAsync();

        var mesh = _mesh.Load();
        var applied = result.Products.Where(p => p.Outcome == "applied").Select(p => p.Product).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(mesh.Products.Select(p => p.Key).Order(StringComparer.Ordinal), applied);
        Assert.All(events, e => Assert.Equal("retail", (string?)e["job"]!["namespace"]));
        Assert.All(events, e => Assert.Equal(RunLineage.RunEventSchema, (string?)e["schemaURL"]));
        foreach (var product in applied)
        {
            var runs = events.Where(e => (string?)e["job"]!["name"] == product).ToList();
            Assert.Equal(["START", "COMPLETE"], runs.Select(e => (string?)e["eventType"]));
            Assert.Single(runs.Select(e => (string?)e["run"]!["runId"]).Distinct());
            Assert.True(Guid.TryParse((string?)runs[0]["run"]!["runId"], out _));
        }

        // The run id is the run ledger's.
        await using var store = await _platform.OpenStoreAsync(result.DataFolder, Cancel);
        var ledger = Assert.Single(await store.GetRunsAsync("sales.orders", 10, Cancel));
        Assert.Equal(Guid.ParseExact(ledger.RunId, "N").ToString("D"), (string?)events.First(e => (string?)e["job"]!["name"] == "sales.orders")["run"]!["runId"]);
    }

    [Fact]
    public async Task Apply_Outputs_AreThePublishedAddressesWithTheContractsColumns_AndInputsNameUpstreamAddressesAndSourceFiles()
    {
        var (result, events) = await ApplyAsync();

        var mesh = _mesh.Load();
        var completes = events.Where(e => (string?)e["eventType"] == "COMPLETE").ToList();
        var outputs = completes.SelectMany(e => e["outputs"]!.AsArray()).ToList();
        Assert.Equal(result.Datasets.Select(d => d.Address).Order(StringComparer.Ordinal), outputs.Select(o => (string)o!["name"]!).Order(StringComparer.Ordinal));
        foreach (var output in outputs)
        {
            var address = (string)output!["name"]!;
            Assert.Equal("retail", (string?)output["namespace"]);
            var run = result.Datasets.Single(d => d.Address == address);
            var product = mesh.FindProduct(string.Join('.', address.Split('.')[..2]))!;
            var contract = product.OutputPorts.Select(p => mesh.FindContract(p.ContractId!)!).Single(c => c.Schema.Any(o => address.EndsWith("." + o.Name + "_v1", StringComparison.Ordinal)));
            var schemaObject = contract.Schema.Single(o => address.EndsWith("." + o.Name + "_v1", StringComparison.Ordinal));
            Assert.Equal(schemaObject.Properties.Select(p => p.Name), output["facets"]!["schema"]!["fields"]!.AsArray().Select(f => (string)f!["name"]!));
            Assert.Equal(run.Published, (long)output["outputFacets"]!["outputStatistics"]!["rowCount"]!);
            Assert.True((long)output["outputFacets"]!["outputStatistics"]!["size"]! > 0);
            Assert.Equal(run.Passed + run.Failed + run.Warned, output["facets"]!["dataQualityAssertions"]!["assertions"]!.AsArray().Count);
            Assert.Equal(run.Passed, output["facets"]!["dataQualityAssertions"]!["assertions"]!.AsArray().Count(a => (bool)a!["success"]!));
        }

        // The types are the contract's, as the runner's dataset specs type them.
        var orders = outputs.Single(o => (string?)o!["name"] == "sales.orders.orders_v1")!;
        Assert.Contains(orders["facets"]!["schema"]!["fields"]!.AsArray(), f => (string?)f!["name"] == "order_id" && (string?)f["type"] is { Length: > 0 });

        // Upstream inputs by address in the mesh's namespace; the source file where it is.
        var revenue = completes.Single(e => (string?)e["job"]!["name"] == "finance.revenue_report");
        Assert.Equal(["finance.invoices.invoices_v1", "finance.payments.payments_v1"], revenue["inputs"]!.AsArray().Select(i => (string)i!["name"]!).Order(StringComparer.Ordinal));
        Assert.All(revenue["inputs"]!.AsArray(), i => Assert.Equal("retail", (string?)i!["namespace"]));
        var source = Assert.Single(completes.Single(e => (string?)e["job"]!["name"] == "sales.orders")["inputs"]!.AsArray());
        Assert.Equal("file", (string?)source!["namespace"]);
        Assert.True(File.Exists((string)source["name"]!), (string?)source["name"]);

        // The contracts the run enforced, by id and version.
        var contracts = completes.Single(e => (string?)e["job"]!["name"] == "sales.orders")["run"]!["facets"]![RunLineage.ContractsFacet]!["contracts"]!.AsArray();
        Assert.Equal(["sales.orders.order_lines.v1", "sales.orders.orders.v1"], contracts.Select(c => (string)c!["id"]!).Order(StringComparer.Ordinal));
        Assert.All(contracts, c => Assert.Equal(mesh.FindContract(c!["id"]!.GetValue<string>())!.Version, (string?)c["version"]));
    }

    [Fact]
    public async Task Apply_ABrokenTransform_EmitsFailWithTheErrorMessage_AndItsConsumersDoNotRun()
    {
        File.WriteAllText(Path.Combine(_mesh.Root, "domains", "finance", "invoices", "transform.sql"), "SELECT no_such_column FROM nowhere_at_all\n");

        var (result, events) = await ApplyAsync();

        var error = Assert.Single(result.Errors, e => e.StartsWith("finance.invoices:", StringComparison.Ordinal));
        var runs = events.Where(e => (string?)e["job"]!["name"] == "finance.invoices").ToList();
        Assert.Equal(["START", "FAIL"], runs.Select(e => (string?)e["eventType"]));
        Assert.Equal((string?)runs[0]["run"]!["runId"], (string?)runs[1]["run"]!["runId"]);
        var facet = runs[1]["run"]!["facets"]!["errorMessage"]!;
        Assert.Equal(error, (string?)facet["message"]);
        Assert.Equal("C#", (string?)facet["programmingLanguage"]);
        Assert.Empty(runs[1]["outputs"]!.AsArray());
        Assert.Empty(OpenLineageSchemas.Problems(runs[1]));
        // Skipped products never started: no events of theirs.
        Assert.DoesNotContain(events, e => (string?)e["job"]!["name"] == "finance.revenue_report");
    }

    [Fact]
    public async Task Apply_Unchanged_EmitsNothing_BecauseNothingRan()
    {
        var (_, first) = await ApplyAsync();

        var (second, events) = await ApplyAsync();

        Assert.All(second.Datasets, d => Assert.True(d.Unchanged));
        Assert.Equal(first.Count, events.Count);
    }
}

using System.Collections.Immutable;
using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Planning;

/// <summary>Options of planning.</summary>
public sealed class PlannerOptions
{
    /// <summary>How long a deprecated port version keeps serving before its sunset (default 90 days).</summary>
    public TimeSpan SunsetGrace { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// Compares the desired state (the mesh repository) with the applied state (the metadata store): products to
/// create or drop, port versions to publish or deprecate, and schema changes classified as compatible or
/// breaking. A breaking change on a live port version is refused: it must be published as a new major version.
/// </summary>
public sealed class Planner(TimeProvider time, PlannerOptions? options = null)
{
    private readonly PlannerOptions _options = options ?? new PlannerOptions();

    /// <summary>
    /// Plans <paramref name="mesh"/> against <paramref name="applied"/>; the consumers of <paramref name="agreements"/>
    /// are listed with what breaks them, like input ports.
    /// </summary>
    public Plan Plan(Mesh mesh, AppliedState applied, IReadOnlyList<Agreement>? agreements = null)
    {
        var context = new Context(mesh, applied, agreements ?? [], DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var warnings = new DiagnosticBag();
        var changes = ImmutableArray.CreateBuilder<PlannedChange>();
        var appliedProducts = applied.Products.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var appliedPorts = applied.Ports.ToDictionary(p => (p.ProductKey, p.Name, p.Major));
        var appliedDatasets = applied.Datasets.ToDictionary(d => d.Address, StringComparer.Ordinal);

        var ports = ImmutableArray.CreateBuilder<DesiredPort>();
        foreach (var product in mesh.Products)
        {
            if (!appliedProducts.ContainsKey(product.Key))
            {
                changes.Add(new PlannedChange(ChangeKind.CreateProduct, product.Key, null, null, $"create product {product.Key}", []));
            }

            foreach (var port in product.OutputPorts)
            {
                if (port.ContractId is null || mesh.FindContract(port.ContractId) is not { } contract || port.Major is not { } major)
                {
                    continue; // lint reports these; a plan needs a lint-clean mesh
                }

                var desired = new DesiredPort(product, port, major, contract, ContractCompiler.Compile(product, port, contract, warnings));
                ports.Add(desired);
                changes.AddRange(PlanPort(context, desired, appliedPorts.GetValueOrDefault((product.Key, port.Name, major)), appliedDatasets));
            }

            // Port versions applied before and no longer wanted keep serving until their sunset.
            var wanted = product.OutputPorts.Select(p => (p.Name, p.Major ?? -1)).ToHashSet();
            foreach (var old in applied.Ports.Where(p => p.ProductKey == product.Key && p.Status == PortStatus.Live && !wanted.Contains((p.Name, p.Major))))
            {
                changes.Add(Deprecate(context, product, old.Name, old.Major, "removed from the product"));
            }
        }

        var desiredKeys = mesh.Products.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in applied.Products.Where(p => !desiredKeys.Contains(p.Key) && applied.Ports.Any(port => port.ProductKey == p.Key && port.Status != PortStatus.Dropped)))
        {
            changes.Add(new PlannedChange(ChangeKind.DropProduct, gone.Key, null, null,
                $"drop product {gone.Key}: its port versions stop serving; published snapshots stay until retention removes them", []));
        }

        return new Plan(changes.ToImmutable(), mesh.Products, ports.ToImmutable(), Lineage(mesh), warnings.ToSortedList(), time.GetUtcNow(), _options.SunsetGrace);
    }

    private IEnumerable<PlannedChange> PlanPort(Context context, DesiredPort desired, AppliedPort? applied, Dictionary<string, AppliedDataset> appliedDatasets)
    {
        var key = desired.Product.Key;
        var name = desired.Port.Name;
        var addresses = string.Join(", ", desired.Datasets.Select(d => d.Address));
        if (applied is null || applied.Status == PortStatus.Dropped)
        {
            yield return new PlannedChange(ChangeKind.PublishPort, key, name, desired.Major, $"publish port {name} v{desired.Port.Version} of {key}: {addresses}", []);
            if (desired.Deprecated)
            {
                yield return Deprecate(context, desired.Product, name, desired.Major, $"its contract is {desired.Contract.Status}");
            }

            yield break;
        }

        var schemaChanges = ImmutableArray.CreateBuilder<SchemaChange>();
        var broken = new List<DatasetConsumer>();
        var desiredAddresses = desired.Datasets.Select(d => d.Address).ToHashSet(StringComparer.Ordinal);
        foreach (var dataset in appliedDatasets.Values.Where(d => d.ProductKey == key && d.PortName == name && d.Major == desired.Major && !desiredAddresses.Contains(d.Address)))
        {
            schemaChanges.Add(new SchemaChange("*", $"dataset {dataset.Address} removed", Breaking: true));
        }

        foreach (var dataset in desired.Datasets)
        {
            if (!appliedDatasets.TryGetValue(dataset.Address, out var before))
            {
                schemaChanges.Add(new SchemaChange("*", $"dataset {dataset.Address} added", Breaking: false));
                continue;
            }

            var found = SchemaDiff.Compare(before.Schema, DatasetSchema.From(dataset));
            schemaChanges.AddRange(found.Select(c => c with { Description = $"{dataset.Address}: {c.Description}" }));
            broken.AddRange(context.ConsumersOf(desired.Contract.Id, before).Where(r => found.Any(c => c.Breaking && r.Uses(c))));
        }

        var all = schemaChanges.ToImmutable();
        if (all.Any(c => c.Breaking) && applied.Status == PortStatus.Live)
        {
            var next = desired.Major + 1;
            var consumers = broken.DistinctBy(c => c.Id).ToImmutableArray();
            yield return new PlannedChange(ChangeKind.BreakingChange, key, name, desired.Major,
                $"breaking change to live port {name} v{applied.Version} of {key}" + (consumers.IsEmpty ? string.Empty : $"; it would break {consumers.Length} consumer(s)"),
                all,
                $"Publish the change as a new major version: set port '{name}' and its contract to version {next}.0.0 (the datasets become *_v{next} beside the *_v{desired.Major} ones), and keep or deprecate v{desired.Major} for its consumers.")
            {
                Consumers = consumers,
            };
        }
        else if (!all.IsEmpty || applied.Version != desired.Port.Version || applied.ContractId != desired.Contract.Id)
        {
            yield return new PlannedChange(ChangeKind.CompatibleChange, key, name, desired.Major,
                $"update port {name} v{applied.Version} → v{desired.Port.Version} of {key}", all);
        }

        if (desired.Deprecated && applied.Status == PortStatus.Live)
        {
            yield return Deprecate(context, desired.Product, name, desired.Major, $"its contract is {desired.Contract.Status}");
        }
    }

    /// <summary>
    /// A port version that stops being wanted keeps serving until its sunset: the product's
    /// <c>meshwork.sunsetDays</c> property after now, else <see cref="PlannerOptions.SunsetGrace"/>. Its
    /// consumers are listed as needing migration.
    /// </summary>
    private PlannedChange Deprecate(Context context, DataProduct product, string port, int major, string why)
    {
        var days = product.CustomProperties.FirstOrDefault(p => p.Property == SunsetProperty)?.StringValue;
        var grace = int.TryParse(days, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) ? TimeSpan.FromDays(d) : _options.SunsetGrace;
        var sunset = time.GetUtcNow() + grace;
        var consumers = context.Applied.Datasets.Where(x => x.ProductKey == product.Key && x.PortName == port && x.Major == major)
            .SelectMany(x => context.ConsumersOf(context.Applied.Ports.FirstOrDefault(p => p.ProductKey == product.Key && p.Name == port && p.Major == major)?.ContractId, x))
            .DistinctBy(c => c.Id).ToImmutableArray();
        return new PlannedChange(ChangeKind.DeprecatePort, product.Key, port, major,
            $"deprecate port {port} v{major} of {product.Key} ({why}); it serves until {sunset:yyyy-MM-dd}"
                + (consumers.IsEmpty ? string.Empty : $"; {consumers.Length} consumer(s) need to migrate"), [])
        {
            Consumers = consumers,
            SunsetAt = sunset,
        };
    }

    /// <summary>The product property that sets how many days a deprecated port version keeps serving.</summary>
    public const string SunsetProperty = "meshwork.sunsetDays";

    /// <summary>What a plan reads besides the repository: the applied state and the agreements.</summary>
    private sealed record Context(Mesh Mesh, AppliedState Applied, IReadOnlyList<Agreement> Agreements, DateOnly Today)
    {
        public IReadOnlyList<DatasetConsumer> ConsumersOf(string? contractId, AppliedDataset dataset) =>
            Consumers.Of(Mesh, contractId ?? string.Empty, dataset.Address, [.. dataset.Schema.Columns.Select(c => c.Name)], Agreements, Today);
    }

    /// <summary>Product lineage: upstream dataset addresses and source files feeding each product's input ports.</summary>
    private static ImmutableArray<LineageEdge> Lineage(Mesh mesh)
    {
        var edges = ImmutableArray.CreateBuilder<LineageEdge>();
        foreach (var product in mesh.Products)
        {
            foreach (var input in product.InputPorts)
            {
                if (mesh.FindPublisher(input.ContractId) is not null)
                {
                    edges.AddRange(mesh.PublishedDatasets(input.ContractId).Select(address => new LineageEdge(address, product.Key, input.Name)));
                }
                else if (mesh.FindContract(input.ContractId) is { } source)
                {
                    edges.AddRange(source.Servers.Where(s => s.Path is not null).Select(s =>
                        new LineageEdge("file:" + Path.GetRelativePath(mesh.RootPath, Path.GetFullPath(Path.Combine(mesh.RootPath, source.Folder, s.Path!))).Replace('\\', '/'),
                            product.Key, input.Name)));
                }
            }
        }

        return edges.ToImmutable();
    }
}

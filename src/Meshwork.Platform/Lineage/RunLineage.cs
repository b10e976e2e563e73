using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Postgres;
using Meshwork.Model;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Lineage;

/// <summary>
/// The OpenLineage view of one pipeline run (RunEvent, spec 2-0-2): built by the runner as the run goes (start, each
/// published dataset, then complete, fail or abort) and handed to the <see cref="LineageEmitter"/>. The job is the
/// product (namespace = the mesh's name, name = <c>domain.product</c>); inputs and outputs are named by their dataset
/// addresses in the mesh's namespace, sources by their real location (OpenLineage's naming spec).
/// </summary>
public sealed class RunLineage
{
    /// <summary>The schema every event names (the 2-0-2 RunEvent).</summary>
    public const string RunEventSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    /// <summary>The run facet naming the contracts a run enforced (Meshwork's own).</summary>
    public const string ContractsFacet = "meshwork_contracts";

    /// <summary>The JSON Schema of <see cref="ContractsFacet"/>: docs/schemas/openlineage/MeshworkContractsRunFacet.json in the repository.</summary>
    public const string ContractsFacetSchema =
        "https://raw.githubusercontent.com/meshwork/meshwork/main/docs/schemas/openlineage/MeshworkContractsRunFacet.json#/$defs/MeshworkContractsRunFacet";

    /// <summary>Who made the events: Meshwork at this build's version, as the spec asks (a URI naming the producer's code).</summary>
    public static readonly string Producer = "https://github.com/meshwork/meshwork/tree/" + BuildVersion();

    private readonly LineageEmitter _emitter;
    private readonly TimeProvider _time;
    private readonly Mesh _mesh;
    private readonly DataProduct _product;
    private readonly IReadOnlyList<DesiredPort> _ports;
    private readonly string _dataFolder;
    private readonly IReadOnlyDictionary<string, string> _transforms;
    private readonly JsonArray _outputs = [];

    public RunLineage(LineageEmitter emitter, TimeProvider time, Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, string dataFolder, Guid runId,
        IReadOnlyDictionary<string, string>? transforms = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(product);
        _emitter = emitter;
        _time = time;
        _mesh = mesh;
        _product = product;
        _ports = ports;
        _dataFolder = dataFolder;
        _transforms = transforms ?? new Dictionary<string, string>();
        RunId = runId;
    }

    /// <summary>The run id every event of the run carries (the run ledger's id, as a UUID).</summary>
    public Guid RunId { get; }

    /// <summary>Emits START: the job, the inputs, the outputs it means to publish (schema and source, no statistics yet).</summary>
    public void Start() =>
        _emitter.Emit(Event("START", [.. _ports.SelectMany(p => p.Datasets.Select(d => Output(p, d)))], null));

    /// <summary>Records a dataset the run wrote, with its statistics and every quality check's result.</summary>
    public void Published(DesiredPort port, DatasetSpec spec, SnapshotRecord snapshot, IReadOnlyList<CheckOutcome> checks)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(checks);
        var output = Output(port, spec);
        var facets = output["facets"]!.AsObject();
        facets["version"] = Facet("https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet", new JsonObject
        {
            ["datasetVersion"] = Path.GetFileName(snapshot.Snapshot.TrimEnd('/')),
        });
        facets["dataQualityAssertions"] = Facet("https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
            new JsonObject { ["assertions"] = new JsonArray([.. checks.Select(Assertion)]) });
        var statistics = new JsonObject { ["rowCount"] = snapshot.Rows };
        if (FolderSize(snapshot.FolderIn(_dataFolder)) is { } size)
        {
            statistics["size"] = size.Bytes;
            statistics["fileCount"] = size.Files;
        }

        output["outputFacets"] = new JsonObject
        {
            ["outputStatistics"] = Facet("https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet", statistics),
        };
        _outputs.Add(output);
    }

    /// <summary>Emits COMPLETE with the published datasets.</summary>
    public void Complete() => _emitter.Emit(Event("COMPLETE", [.. _outputs.Select(o => o!.DeepClone())], null));

    /// <summary>Emits FAIL with the (redacted) failure as the errorMessage facet; nothing was published.</summary>
    public void Fail(string message) => _emitter.Emit(Event("FAIL", [], message));

    /// <summary>Emits ABORT: the run was cancelled (a shutdown) and published nothing.</summary>
    public void Abort() => _emitter.Emit(Event("ABORT", [], null));

    private JsonObject Event(string type, JsonArray outputs, string? error)
    {
        var runFacets = new JsonObject
        {
            [ContractsFacet] = Facet(ContractsFacetSchema, new JsonObject
            {
                ["contracts"] = new JsonArray([.. _ports.Select(p => (JsonNode)new JsonObject
                {
                    ["id"] = p.Contract.Id,
                    ["version"] = p.Contract.Version,
                    ["port"] = p.Port.Name,
                    ["portVersion"] = p.Port.Version,
                    ["datasets"] = new JsonArray([.. p.Datasets.Select(d => (JsonNode)d.Address)]),
                })]),
            }),
        };
        if (error is not null)
        {
            runFacets["errorMessage"] = Facet("https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet", new JsonObject
            {
                ["message"] = error,
                ["programmingLanguage"] = "C#",
            });
        }

        return new JsonObject
        {
            ["eventType"] = type,
            ["eventTime"] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["producer"] = Producer,
            ["schemaURL"] = RunEventSchema,
            ["run"] = new JsonObject { ["runId"] = RunId.ToString("D"), ["facets"] = runFacets },
            ["job"] = Job(),
            ["inputs"] = Inputs(),
            ["outputs"] = outputs,
        };
    }

    private JsonObject Job()
    {
        var facets = new JsonObject
        {
            ["jobType"] = Facet("https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet", new JsonObject
            {
                ["processingType"] = "BATCH",
                ["integration"] = "MESHWORK",
                ["jobType"] = "DATA_PRODUCT",
            }),
        };
        if (Describe(_product) is { } description)
        {
            facets["documentation"] = Facet("https://openlineage.io/spec/facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet", new JsonObject
            {
                ["description"] = description,
                ["contentType"] = "text/plain",
            });
        }

        if ((_product.OwnerTeam ?? _mesh.FindDomain(_product.Domain)?.Owner) is { Length: > 0 } team)
        {
            facets["ownership"] = Facet("https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet", new JsonObject
            {
                ["owners"] = new JsonArray(new JsonObject { ["name"] = "team:" + team, ["type"] = "OWNER" }),
            });
        }

        if (_product.Transforms.Length > 0 && _transforms.Count > 0)
        {
            facets["sql"] = Facet("https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet", new JsonObject
            {
                ["query"] = string.Join(";\n", _product.Transforms.Select(t => _transforms.GetValueOrDefault(t.Name)).OfType<string>()),
                ["dialect"] = "duckdb",
            });
        }

        return new JsonObject { ["namespace"] = _mesh.Settings.Name, ["name"] = _product.Key, ["facets"] = facets };
    }

    /// <summary>What the run reads: upstream datasets by address in the mesh's namespace; sources where they are.</summary>
    private JsonArray Inputs()
    {
        var inputs = new JsonArray();
        foreach (var input in _product.InputPorts)
        {
            if (_mesh.FindPublisher(input.ContractId) is not null)
            {
                foreach (var address in _mesh.PublishedDatasets(input.ContractId))
                {
                    inputs.Add(new JsonObject { ["namespace"] = _mesh.Settings.Name, ["name"] = address, ["facets"] = new JsonObject { ["dataSource"] = MeshSource() } });
                }

                continue;
            }

            if (_mesh.FindContract(input.ContractId) is not { } contract)
            {
                continue;
            }

            if (contract.Servers.FirstOrDefault(s => s.Type == "local" && s.Path is not null) is { } local)
            {
                var path = Path.GetFullPath(Path.Combine(_mesh.SourcesRoot, contract.Folder, local.Path!)).Replace('\\', '/');
                inputs.Add(Source("file", path, new Uri(path).AbsoluteUri));
            }
            else if (contract.Servers.FirstOrDefault(s => PostgresTableSource.Types.Contains(s.Type)) is { Host: { } host } database && !contract.Schema.IsDefaultOrEmpty)
            {
                var authority = string.Create(CultureInfo.InvariantCulture, $"postgres://{host}:{database.Port ?? 5432}");
                var table = contract.Schema[0].PhysicalName ?? contract.Schema[0].Name;
                inputs.Add(Source(authority, $"{database.Database}.{database.SchemaName ?? "public"}.{table}", authority));
            }
        }

        return inputs;
    }

    private static JsonObject Source(string ns, string name, string uri) => new()
    {
        ["namespace"] = ns,
        ["name"] = name,
        ["facets"] = new JsonObject
        {
            ["dataSource"] = Facet("https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet", new JsonObject { ["name"] = ns, ["uri"] = uri }),
        },
    };

    /// <summary>A dataset the run publishes: its address, the contract's columns and types, and the mesh as its source.</summary>
    private JsonObject Output(DesiredPort port, DatasetSpec spec) => new()
    {
        ["namespace"] = _mesh.Settings.Name,
        ["name"] = spec.Address,
        ["facets"] = new JsonObject
        {
            ["schema"] = Facet("https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet", new JsonObject
            {
                ["fields"] = new JsonArray([.. spec.Columns.Select((c, i) => (JsonNode)Field(c, i))]),
            }),
            ["dataSource"] = MeshSource(),
        },
    };

    private static JsonObject Field(ColumnSpec column, int index)
    {
        var field = new JsonObject { ["name"] = column.Name, ["type"] = column.Type.ToString(), ["ordinal_position"] = index + 1 };
        if (column.Description is { Length: > 0 } description)
        {
            field["description"] = description;
        }

        return field;
    }

    /// <summary>The mesh as a data source: its name, and its data folder (where every snapshot lives) as the URI.</summary>
    private JsonObject MeshSource() =>
        Facet("https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet", new JsonObject
        {
            ["name"] = _mesh.Settings.Name,
            ["uri"] = new Uri(Path.TrimEndingDirectorySeparator(_dataFolder) + Path.DirectorySeparatorChar).AbsoluteUri,
        });

    private static JsonNode Assertion(CheckOutcome outcome)
    {
        var assertion = new JsonObject
        {
            ["assertion"] = outcome.Check.Metric switch
            {
                QualityMetric.RowCount => "row_count",
                QualityMetric.NullValues => "not_null",
                QualityMetric.MissingValues => "missing_values",
                QualityMetric.InvalidValues => "accepted_values",
                QualityMetric.DuplicateValues => "unique",
                _ => "custom_sql",
            },
            ["success"] = outcome.Status == CheckStatus.Passed,
            ["name"] = outcome.Check.Name,
            ["severity"] = outcome.Check.Severity.ToString().ToLowerInvariant(),
            ["expected"] = outcome.Check.Threshold.ToString(),
        };
        if (outcome.Value is { } value)
        {
            assertion["actual"] = value.ToString(CultureInfo.InvariantCulture);
        }

        if (outcome.Check.Columns.Length == 1)
        {
            assertion["column"] = outcome.Check.Columns[0];
        }

        if (outcome.Check.Query is { Length: > 0 } query)
        {
            assertion["content"] = query;
            assertion["contentType"] = "sql";
        }

        return assertion;
    }

    private static JsonObject Facet(string schemaUrl, JsonObject body)
    {
        var facet = new JsonObject { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            facet[name] = value;
        }

        return facet;
    }

    /// <summary>The product's description for the documentation facet: its purpose, limitations and usage, as written.</summary>
    private static string? Describe(DataProduct product)
    {
        var parts = new[] { product.Title, product.Description.Purpose, product.Description.Limitations, product.Description.Usage }
            .Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()).ToList();
        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    /// <summary>Bytes and files of a snapshot folder; null when it cannot be read (the engine keeps it elsewhere).</summary>
    private static (long Bytes, int Files)? FolderSize(string folder)
    {
        try
        {
            if (!Directory.Exists(folder))
            {
                return null;
            }

            var files = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
            return (files.Sum(f => f.Length), files.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string BuildVersion()
    {
        var version = typeof(RunLineage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "main";
        return version.Split('+')[0];
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Meshwork.Platform.Tests.Lineage;

/// <summary>
/// The official OpenLineage 2-0-2 schemas (../shared/standards/openlineage/spec, beside the repository) and Meshwork's own facet
/// schema (docs/schemas/openlineage), registered by their <c>$id</c> so every <c>$ref</c> resolves offline: an event is
/// checked against the RunEvent schema, and each of its facets against the schema its <c>_schemaURL</c> names.
/// </summary>
internal static class OpenLineageSchemas
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private static readonly Lazy<(SchemaRegistry Registry, JsonSchema Event, Dictionary<string, JsonElement> Files)> Loaded = new(Load);

    /// <summary>Everything wrong with one event (empty: it and each of its facets validate); a facet whose schema is unknown is wrong too.</summary>
    public static IReadOnlyList<string> Problems(JsonNode runEvent)
    {
        var (registry, schema, files) = Loaded.Value;
        var problems = new List<string>();
        var element = JsonSerializer.SerializeToElement(runEvent);
        problems.AddRange(Errors("event", schema.Evaluate(element, Options)));
        foreach (var (where, name, facet) in Facets(runEvent))
        {
            var url = facet["_schemaURL"]?.GetValue<string>() ?? string.Empty;
            var file = url.Split('#')[0];
            if (!files.TryGetValue(file, out var root))
            {
                problems.Add($"{where}.{name}: _schemaURL '{url}' names no known facet schema");
                continue;
            }

            // The facet's key must be the one its schema file declares (e.g. "schema" for SchemaDatasetFacet).
            if (!root.TryGetProperty("properties", out var properties) || !properties.TryGetProperty(name, out _))
            {
                problems.Add($"{where}.{name}: the schema file {file} declares no facet named '{name}'");
            }

            var facetSchema = JsonSchema.FromText(new JsonObject { ["$ref"] = url }.ToJsonString(), new BuildOptions { SchemaRegistry = registry });
            problems.AddRange(Errors($"{where}.{name}", facetSchema.Evaluate(JsonSerializer.SerializeToElement(facet), Options)));
        }

        return problems;
    }

    /// <summary>Every facet of the event: run, job, and each dataset's facets, input facets and output facets.</summary>
    public static IEnumerable<(string Where, string Name, JsonNode Facet)> Facets(JsonNode runEvent)
    {
        IEnumerable<(string, string, JsonNode)> Of(string where, JsonNode? facets) =>
            facets is JsonObject map ? map.Select(f => (where, f.Key, f.Value!)) : [];

        var all = Of("run", runEvent["run"]?["facets"]).Concat(Of("job", runEvent["job"]?["facets"]));
        foreach (var side in new[] { "inputs", "outputs" })
        {
            foreach (var dataset in runEvent[side]?.AsArray() ?? [])
            {
                var where = $"{side}[{dataset!["name"]}]";
                all = all.Concat(Of(where, dataset["facets"])).Concat(Of(where, dataset["inputFacets"])).Concat(Of(where, dataset["outputFacets"]));
            }
        }

        return all;
    }

    private static IEnumerable<string> Errors(string where, EvaluationResults results) =>
        results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{where}{d.InstanceLocation}: {e.Value}"))
                .DefaultIfEmpty($"{where}: invalid");

    private static (SchemaRegistry, JsonSchema, Dictionary<string, JsonElement>) Load()
    {
        var root = TestMesh.RepositoryRoot();
        var registry = new SchemaRegistry();
        var build = new BuildOptions { SchemaRegistry = registry };
        var files = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        JsonSchema Register(string path)
        {
            var text = File.ReadAllText(path);
            var schema = JsonSchema.FromText(text, build);
            var id = JsonDocument.Parse(text).RootElement.GetProperty("$id").GetString()!;
            if (registry.Get(new Uri(id)) is null)
            {
                registry.Register(schema);
            }

            files[id] = JsonDocument.Parse(text).RootElement.Clone();
            return schema;
        }

        // The event schema first: every facet schema refers to its definitions.
        var spec = Path.GetFullPath(Path.Combine(root, "..", "shared", "standards", "openlineage", "spec"));
        var runEvent = Register(Path.Combine(spec, "OpenLineage.json"));
        foreach (var facet in Directory.EnumerateFiles(Path.Combine(spec, "facets"), "*.json").Order(StringComparer.Ordinal))
        {
            Register(facet);
        }

        Register(Path.Combine(root, "docs", "schemas", "openlineage", "MeshworkContractsRunFacet.json"));
        return (registry, runEvent, files);
    }
}

using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Meshwork.Schemas;
using AvroSchema = Avro.Schema;

namespace Meshwork.Benchmarks;

/// <summary>
/// The schema registry's compatibility gate (docs/benchmarks.md, "Schema registry"): a BACKWARD_TRANSITIVE check
/// of a 100-field Avro record (version 51, the candidate) against the 50 versions registered before it.
/// <para>
/// The subject evolves as a product's schema does (<see cref="Versions"/>): version 1 has 55 fields of every
/// kind (primitives, nullable unions, logical types, an enum with a default, arrays, maps, a fixed, a nested
/// record); each later version adds an optional field with a default, every fifth one also widens an int field
/// to long, every seventh adds an enum symbol, and every tenth drops an optional field added five versions before.
/// All of these are backward compatible, so the candidate, with 100 fields, passes against every version; the
/// setup refuses to run otherwise.
/// </para>
/// <para>
/// <c>CheckBackwardTransitive</c> is the check alone on parsed schemas. <c>CheckBackwardLatest</c> checks the
/// latest version only (BACKWARD, the default level), for the per-version cost. <c>RejectBackwardTransitive</c>
/// checks a candidate that adds a field without a default, found against all 50 versions (the refusal path,
/// with its messages). <c>ParseCandidate</c> is <c>Avro.Schema.Parse</c> of the candidate's JSON, and
/// <c>RegisterPath</c> parses the candidate and the 50 registered versions from their JSON, then checks: what a
/// registration at this level cost while SchemaRegistry parsed the live versions again on every registration
/// (it now keeps them parsed by schema id, so a registration costs about <c>ParseCandidate</c> plus the check).
/// </para>
/// </summary>
[MemoryDiagnoser]
public class RegistryCompatibilityBenchmarks
{
    /// <summary>How many versions are registered before the candidate.</summary>
    public const int Registered = 50;

    /// <summary>The types of the optional fields the versions add, in turn.</summary>
    private static readonly string[] AddedTypes = ["string", "long", "double", "boolean", "int", "bytes"];

    private AvroSchema _candidate = null!;
    private AvroSchema _incompatible = null!;
    private List<AvroSchema> _previous = null!;
    private string _candidateJson = string.Empty;
    private List<string> _previousJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        var versions = Versions(Registered + 1);
        _previousJson = [.. versions.Take(Registered)];
        _candidateJson = versions[Registered];
        _previous = [.. _previousJson.Select(AvroSchema.Parse)];
        _candidate = AvroSchema.Parse(_candidateJson);
        _incompatible = AvroSchema.Parse(WithRequiredField(_candidateJson));

        var fields = ((Avro.RecordSchema)_candidate).Fields.Count;
        if (fields != 100)
        {
            throw new InvalidOperationException($"RegistryCompatibilityBenchmarks: the candidate has {fields} fields, not 100.");
        }

        if (Compatibility.Check(CompatibilityLevel.BackwardTransitive, _candidate, _previous) is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("RegistryCompatibilityBenchmarks: the evolution is meant to be backward compatible, but: " + problems[0].Message);
        }

        if (Compatibility.Check(CompatibilityLevel.BackwardTransitive, _incompatible, _previous).Count != Registered)
        {
            throw new InvalidOperationException($"RegistryCompatibilityBenchmarks: a field without a default should be refused against each of the {Registered} versions.");
        }
    }

    [Benchmark(Baseline = true)]
    public IReadOnlyList<SchemaIncompatibility> CheckBackwardTransitive() => Compatibility.Check(CompatibilityLevel.BackwardTransitive, _candidate, _previous);

    [Benchmark]
    public IReadOnlyList<SchemaIncompatibility> CheckBackwardLatest() => Compatibility.Check(CompatibilityLevel.Backward, _candidate, _previous);

    [Benchmark]
    public IReadOnlyList<SchemaIncompatibility> RejectBackwardTransitive() => Compatibility.Check(CompatibilityLevel.BackwardTransitive, _incompatible, _previous);

    [Benchmark]
    public AvroSchema ParseCandidate() => AvroSchema.Parse(_candidateJson);

    [Benchmark]
    public IReadOnlyList<SchemaIncompatibility> RegisterPath()
    {
        var candidate = AvroSchema.Parse(_candidateJson);
        var previous = _previousJson.Select(AvroSchema.Parse).ToList();
        return Compatibility.Check(CompatibilityLevel.BackwardTransitive, candidate, previous);
    }

    /// <summary>The JSON of versions 1 to <paramref name="count"/> of the subject (see the class summary).</summary>
    public static IReadOnlyList<string> Versions(int count)
    {
        var fields = BaseFields();
        var symbols = new List<string> { "UNKNOWN", "ACTIVE", "SUSPENDED", "CLOSED" };
        var versions = new List<string> { Record(fields, symbols) };
        for (var step = 1; versions.Count < count; step++)
        {
            fields.Add(Field($"added_{step}", new JsonArray("null", AddedTypes[step % AddedTypes.Length]), null, nullDefault: true));
            if (step % 5 == 0)
            {
                // int → long is a promotion the reader may make: data written as int reads as long.
                var widened = fields.First(f => (string?)f["name"] == $"count_{step / 5}");
                widened["type"] = "long";
            }

            if (step % 7 == 0)
            {
                // A reader with more symbols reads every symbol an older writer could write.
                symbols.Add($"STATE_{step}");
            }

            if (step % 10 == 0)
            {
                // A reader without a field ignores it in the writer's data.
                fields.Remove(fields.First(f => (string?)f["name"] == $"added_{step - 5}"));
            }

            versions.Add(Record(fields, symbols));
        }

        return versions;
    }

    private static List<JsonObject> BaseFields()
    {
        var fields = new List<JsonObject>
        {
            Field("id", "long", "The customer account number."),
            Field("email", "string", "Contact email address."),
            Field("phone", new JsonArray("null", "string"), "Contact phone number.", nullDefault: true),
            Field("created_at", new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-millis" }, "When the account was opened."),
            Field("birth_date", new JsonArray("null", new JsonObject { ["type"] = "int", ["logicalType"] = "date" }), null, nullDefault: true),
            Field("balance", new JsonObject { ["type"] = "bytes", ["logicalType"] = "decimal", ["precision"] = 18, ["scale"] = 2 }, "Account balance."),
            Field("active", "boolean", null),
            Field("score", "double", null),
            Field("ratio", "float", null),
            Field("token", new JsonObject { ["type"] = "fixed", ["name"] = "Token16", ["size"] = 16 }, null),
            Field("tags", new JsonObject { ["type"] = "array", ["items"] = "string" }, "Free-form labels."),
            Field("limits", new JsonObject { ["type"] = "map", ["values"] = "long" }, "Limits per channel."),
            Field("address", new JsonObject
            {
                ["type"] = "record",
                ["name"] = "Address",
                ["fields"] = new JsonArray(Field("street", "string", null), Field("city", "string", null),
                    Field("postcode", new JsonArray("null", "string"), null, nullDefault: true), Field("country", "string", "ISO 3166-1 alpha-2.")),
            }, "Postal address."),
            Field("raw", "bytes", null),
        };
        for (var i = 1; i <= 10; i++)
        {
            fields.Add(Field($"count_{i}", "int", null));
        }

        // Fill up to 54 fields with nullable strings and longs (the bulk of a wide record), plus the status enum.
        for (var i = 1; fields.Count < 54; i++)
        {
            fields.Add(i % 2 == 0
                ? Field($"attribute_{i}", new JsonArray("null", "string"), null, nullDefault: true)
                : Field($"metric_{i}", new JsonArray("null", "long"), null, nullDefault: true));
        }

        return fields;
    }

    private static string Record(List<JsonObject> fields, List<string> symbols)
    {
        var all = new JsonArray();
        foreach (var field in fields)
        {
            all.Add(field.DeepClone());
        }

        all.Add(Field("status", new JsonObject
        {
            ["type"] = "enum",
            ["name"] = "Status",
            ["symbols"] = new JsonArray([.. symbols.Select(s => (JsonNode)s)]),
            ["default"] = "UNKNOWN",
        }, null));
        return new JsonObject
        {
            ["type"] = "record",
            ["name"] = "profiles_v1",
            ["namespace"] = "customers.profiles",
            ["doc"] = "A wide customer profile that grows by one optional field per version.",
            ["fields"] = all,
        }.ToJsonString();
    }

    private static JsonObject Field(string name, JsonNode type, string? doc, bool nullDefault = false)
    {
        var field = new JsonObject { ["name"] = name, ["type"] = type };
        if (doc is not null)
        {
            field["doc"] = doc;
        }

        if (nullDefault)
        {
            field["default"] = null;
        }

        return field;
    }

    /// <summary>The candidate plus a field without a default: not readable from any earlier version's data.</summary>
    private static string WithRequiredField(string json)
    {
        var record = JsonNode.Parse(json)!.AsObject();
        record["fields"]!.AsArray().Add(Field("loyalty_tier", "string", "Added without a default: old data has no value for it."));
        return record.ToJsonString();
    }
}

using System.Text.Json;

namespace Meshwork.CelConformance;

/// <summary>One test of bench/cel-conformance/out/conformance.json (written by export.mjs).</summary>
/// <param name="Suite">The conformance file (basic, comparisons ...).</param>
/// <param name="Section">The section within it.</param>
/// <param name="Name">The test's name.</param>
/// <param name="Expr">The CEL expression.</param>
/// <param name="DisableCheck">Whether the test runs without a type check (the CEL package never checks types).</param>
/// <param name="CheckOnly">Whether only the type check is tested (nothing to evaluate).</param>
/// <param name="Container">The protobuf package names resolve in; set only by tests of protobuf messages.</param>
/// <param name="Bindings">Variables, as tagged values.</param>
/// <param name="Expected">The expected outcome: <c>{kind: value, value}</c>, <c>{kind: error}</c> or an unsupported kind.</param>
public sealed record ConformanceTest(
    string Suite,
    string Section,
    string Name,
    string Expr,
    bool DisableCheck,
    bool CheckOnly,
    string? Container,
    IReadOnlyDictionary<string, JsonElement> Bindings,
    JsonElement Expected)
{
    public string Id => $"{Suite}/{Section}/{Name}";

    /// <summary>
    /// Whether the test needs protobuf message types (the conformance TestAllTypes, wrappers, Any ...), which
    /// Meshwork never registers with the package: policies see maps, lists and scalars only.
    /// </summary>
    public bool NeedsMessages =>
        Container is not null
        || Expr.Contains("TestAllTypes", StringComparison.Ordinal)
        || Expr.Contains("google.protobuf.", StringComparison.Ordinal)
        || Expr.Contains("cel.expr.conformance", StringComparison.Ordinal)
        || Expected.GetRawText().Contains("\"object\"", StringComparison.Ordinal);

    public static (string Source, IReadOnlyList<string> Suites, IReadOnlyList<ConformanceTest> Tests) Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var tests = new List<ConformanceTest>();
        foreach (var t in root.GetProperty("tests").EnumerateArray())
        {
            tests.Add(new ConformanceTest(
                t.GetProperty("suite").GetString()!,
                t.GetProperty("section").GetString()!,
                t.GetProperty("name").GetString()!,
                t.GetProperty("expr").GetString()!,
                t.TryGetProperty("disableCheck", out var dc) && dc.GetBoolean(),
                t.TryGetProperty("checkOnly", out var co) && co.GetBoolean(),
                t.TryGetProperty("container", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
                t.GetProperty("bindings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
                t.GetProperty("expected").Clone()));
        }

        var source = root.TryGetProperty("source", out var s) ? s.GetString() ?? "?" : "?";
        var suites = root.TryGetProperty("suites", out var names)
            ? names.EnumerateArray().Select(n => n.GetString()!).ToList()
            : tests.Select(t => t.Suite).Distinct(StringComparer.Ordinal).ToList();
        return (source, suites, tests);
    }

    /// <summary>Why the test cannot be run against a plain CEL evaluator (null: it can).</summary>
    public string? SkipReason()
    {
        if (CheckOnly)
        {
            return "type check only";
        }

        var kind = Expected.GetProperty("kind").GetString();
        if (kind is not ("value" or "error"))
        {
            return Expected.TryGetProperty("unsupported", out var why) ? why.GetString() : $"expected {kind}";
        }

        if (kind == "value" && TaggedValues.Unsupported(Expected.GetProperty("value")) is { } value)
        {
            return $"expected value: {value}";
        }

        foreach (var (name, binding) in Bindings)
        {
            if (TaggedValues.Unsupported(binding) is { } why)
            {
                return $"binding {name}: {why}";
            }
        }

        return null;
    }
}

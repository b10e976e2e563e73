using Meshwork.Documents;
using Meshwork.Linting;
using Meshwork.Platform.Planning;

namespace Meshwork.Platform.Pipelines;

/// <summary>What a run did to one dataset. <see cref="Unchanged"/>: its inputs had not changed, so nothing ran.</summary>
[GenerateSerializer]
public sealed record DatasetRun(string Address, long Published, long Quarantined, int Passed, int Failed, int Warned, bool Unchanged);

/// <summary>What <c>mesh apply</c> did: the plan, each dataset's run, and every error (a failed product does not stop the others).</summary>
public sealed record ApplyResult(LintReport Lint, Plan? Plan, IReadOnlyList<DatasetRun> Datasets, IReadOnlyList<string> Errors, string DataFolder)
{
    public bool Refused => Plan?.HasRefusals ?? false;

    /// <summary>Every product the apply reached, in lineage order, with what became of it.</summary>
    public IReadOnlyList<ProductOutcome> Products { get; init; } = [];
}

/// <summary>What an apply did with one product: <c>applied</c>, <c>refused</c> (a policy), <c>skipped</c> (an upstream failed) or <c>failed</c>; why, when not applied.</summary>
public sealed record ProductOutcome(string Product, string Domain, string Outcome, string? Reason);

/// <summary>The JSON output of <c>mesh apply</c>.</summary>
public static class ApplyResultWriter
{
    /// <summary>One line per domain: how many of its products applied, and which were refused, skipped or failed.</summary>
    public static void WriteDomains(ApplyResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        var domains = result.Products.GroupBy(p => p.Domain, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = domains.Select(d => d.Key.Length).DefaultIfEmpty(0).Max();
        foreach (var domain in domains)
        {
            var parts = new List<string> { $"{domain.Count(p => p.Outcome == "applied")} applied" };
            foreach (var outcome in new[] { "refused", "skipped", "failed" })
            {
                var products = domain.Where(p => p.Outcome == outcome).Select(p => p.Product).ToList();
                if (products.Count > 0)
                {
                    parts.Add($"{outcome} {string.Join(", ", products)}");
                }
            }

            output.WriteLine($"  {domain.Key.PadRight(width)}  {string.Join("; ", parts)}");
        }
    }

    public static void WriteJson(ApplyResult result, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("datasets");
            foreach (var dataset in result.Datasets)
            {
                json.WriteStartObject();
                json.WriteString("address", dataset.Address);
                json.WriteNumber("published", dataset.Published);
                json.WriteNumber("quarantined", dataset.Quarantined);
                json.WriteBoolean("unchanged", dataset.Unchanged);
                json.WriteStartObject("checks");
                json.WriteNumber("passed", dataset.Passed);
                json.WriteNumber("failed", dataset.Failed);
                json.WriteNumber("warned", dataset.Warned);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("products");
            foreach (var product in result.Products)
            {
                json.WriteStartObject();
                json.WriteString("product", product.Product);
                json.WriteString("domain", product.Domain);
                json.WriteString("outcome", product.Outcome);
                if (product.Reason is { } reason)
                {
                    json.WriteString("reason", reason);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("errors");
            foreach (var message in result.Errors)
            {
                json.WriteStringValue(message);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}

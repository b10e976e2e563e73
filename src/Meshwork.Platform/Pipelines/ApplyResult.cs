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
}

/// <summary>The JSON output of <c>mesh apply</c>.</summary>
public static class ApplyResultWriter
{
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

using System.Text.Json;
using Meshwork.Documents;

namespace Meshwork.Platform.Planning;

/// <summary>The output formats of <c>mesh plan</c>: text for people, JSON for scripts.</summary>
public static class PlanWriter
{
    public static readonly string[] Formats = ["text", "json"];

    public static void WriteText(Plan plan, string dataFolder, TextWriter output)
    {
        output.WriteLine($"Plan against {dataFolder}:");
        if (plan.IsEmpty)
        {
            output.WriteLine("  Nothing to do: the applied state matches the repository.");
        }

        foreach (var change in plan.Changes)
        {
            output.WriteLine($"  {Symbol(change.Kind)} {(change.Refused ? "REFUSED: " : string.Empty)}{change.Summary}");
            foreach (var schemaChange in change.SchemaChanges)
            {
                output.WriteLine($"      {schemaChange}");
            }

            if (change.Fix is { } fix)
            {
                output.WriteLine($"      fix: {fix}");
            }
        }

        foreach (var warning in plan.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }

        var refused = plan.Changes.Count(c => c.Refused);
        output.WriteLine(refused > 0
            ? $"{refused} change(s) refused; {plan.Changes.Length - refused} allowed. Nothing is applied while a change is refused."
            : $"{plan.Changes.Length} change(s), all allowed.");
    }

    public static void WriteJson(Plan plan, string dataFolder, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("dataFolder", dataFolder);
            json.WriteStartArray("changes");
            foreach (var change in plan.Changes)
            {
                json.WriteStartObject();
                json.WriteString("kind", JsonNamingPolicy.KebabCaseLower.ConvertName(change.Kind.ToString()));
                json.WriteString("product", change.ProductKey);
                if (change.Port is { } port)
                {
                    json.WriteString("port", port);
                }

                if (change.Major is { } major)
                {
                    json.WriteNumber("major", major);
                }

                json.WriteString("summary", change.Summary);
                json.WriteBoolean("refused", change.Refused);
                json.WriteStartArray("schemaChanges");
                foreach (var schemaChange in change.SchemaChanges)
                {
                    json.WriteStartObject();
                    json.WriteString("column", schemaChange.Column);
                    json.WriteString("description", schemaChange.Description);
                    json.WriteBoolean("breaking", schemaChange.Breaking);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                if (change.Fix is { } fix)
                {
                    json.WriteString("fix", fix);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("refused", plan.Changes.Count(c => c.Refused));
            json.WriteEndObject();
        });
    }

    private static string Symbol(ChangeKind kind) => kind switch
    {
        ChangeKind.CreateProduct or ChangeKind.PublishPort => "+",
        ChangeKind.CompatibleChange => "~",
        ChangeKind.BreakingChange => "!",
        ChangeKind.DeprecatePort => "-",
        _ => "x",
    };
}

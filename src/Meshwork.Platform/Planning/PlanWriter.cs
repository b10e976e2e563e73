using System.Text.Json;
using Meshwork.Documents;

namespace Meshwork.Platform.Planning;

/// <summary>The output formats of <c>mesh plan</c>: text for people, JSON for scripts.</summary>
public static class PlanWriter
{
    public static readonly string[] Formats = ["text", "json"];

    public static void WriteText(PlanResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan ?? throw new ArgumentException("The repository did not lint clean: there is no plan.", nameof(result));
        output.WriteLine($"Plan against {result.DataFolder}:");
        if (plan.IsEmpty && result.Drift.Count == 0)
        {
            output.WriteLine("  Nothing to do: the applied state matches the repository.");
        }

        foreach (var drift in result.Drift)
        {
            output.WriteLine($"  ! repair {drift.Address}: {drift.Problem} (apply runs {drift.Product} again)");
        }

        foreach (var change in plan.Changes)
        {
            output.WriteLine($"  {Symbol(change.Kind)} {(change.Refused ? "REFUSED: " : string.Empty)}{change.Summary}");
            foreach (var schemaChange in change.SchemaChanges)
            {
                output.WriteLine($"      {schemaChange}");
            }

            foreach (var consumer in change.Consumers)
            {
                output.WriteLine($"      {(change.Kind == ChangeKind.DeprecatePort ? "must migrate" : "breaks")}: {consumer}");
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

        if (result.Access.Count > 0)
        {
            output.WriteLine("Input access (each pipeline reads upstream data as its product, through the access plan):");
            foreach (var access in result.Access)
            {
                output.WriteLine($"  {(access.Plan.Allowed ? "ok" : "MISSING")} {access.Describe()}");
            }
        }

        foreach (var (product, reason) in result.Refused.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  REFUSED product {product} (apply skips it and its consumers): {reason}");
        }

        var refused = plan.Changes.Count(c => c.Refused);
        output.WriteLine(refused > 0
            ? $"{refused} change(s) refused; {plan.Changes.Length - refused} allowed. Nothing is applied while a change is refused."
            : $"{plan.Changes.Length} change(s), all allowed.");
    }

    public static void WriteJson(PlanResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan ?? throw new ArgumentException("The repository did not lint clean: there is no plan.", nameof(result));
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("dataFolder", result.DataFolder);
            json.WriteStartArray("drift");
            foreach (var drift in result.Drift)
            {
                json.WriteStartObject();
                json.WriteString("address", drift.Address);
                json.WriteString("product", drift.Product);
                json.WriteString("problem", drift.Problem);
                json.WriteEndObject();
            }

            json.WriteEndArray();
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
                json.WriteStartArray("consumers");
                foreach (var consumer in change.Consumers)
                {
                    json.WriteStringValue(consumer.ToString());
                }

                json.WriteEndArray();
                if (change.SunsetAt is { } sunset)
                {
                    json.WriteString("sunsetAt", sunset);
                }

                if (change.Fix is { } fix)
                {
                    json.WriteString("fix", fix);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("refused", plan.Changes.Count(c => c.Refused));
            json.WriteStartArray("access");
            foreach (var access in result.Access)
            {
                json.WriteStartObject();
                json.WriteString("product", access.Product);
                json.WriteString("inputPort", access.InputPort);
                json.WriteString("dataset", access.Dataset);
                json.WriteBoolean("allowed", access.Plan.Allowed);
                json.WriteString("reason", access.Plan.Reason);
                if (access.Agreement is { } agreement)
                {
                    json.WriteString("agreement", agreement.Id);
                }

                json.WriteStartObject("masks");
                foreach (var (column, mask) in access.Plan.Masks.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(column, mask.Kind.ToString());
                }

                json.WriteEndObject();
                json.WriteBoolean("rowFilter", access.Plan.Filter is not null);
                json.WriteString("summary", access.Describe());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("refusedProducts");
            foreach (var (product, reason) in result.Refused.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                json.WriteString(product, reason);
            }

            json.WriteEndObject();
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

using Meshwork.Documents;

namespace Meshwork.Platform.Planning;

/// <summary>The output formats of <c>mesh diff</c>: text for people, JSON for scripts and CI.</summary>
public static class DiffWriter
{
    public static readonly string[] Formats = ["text", "json"];

    public static void WriteText(ContractDiffResult diff, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{diff.Old.ContractId} {diff.Old.Version} ({diff.Old.Label})");
        output.WriteLine($"  → {diff.New.ContractId} {diff.New.Version} ({diff.New.Label})");
        if (diff.Changes.Count == 0)
        {
            output.WriteLine("  No schema changes.");
        }

        foreach (var change in diff.Changes)
        {
            output.WriteLine($"  {(change.Change.Breaking ? "!" : "~")} {change.Object}: {change.Change}");
            foreach (var consumer in change.Breaks)
            {
                output.WriteLine($"      {(diff.NewMajor ? "needs migration" : "breaks")}: {consumer}");
            }
        }

        foreach (var (name, consumers) in diff.Consumers.Where(c => c.Value.Count > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  consumers of {name}: {string.Join("; ", consumers)}");
        }

        var breaking = diff.Changes.Count(c => c.Change.Breaking);
        var broken = diff.Changes.SelectMany(c => c.Breaks).Select(c => c.Id).Distinct(StringComparer.Ordinal).Count();
        output.WriteLine($"{diff.Changes.Count} change(s): {breaking} breaking, {diff.Changes.Count - breaking} compatible." + (breaking == 0 ? string.Empty
            : diff.NewMajor ? $" Published as major version {diff.New.Major} beside {diff.Old.Major}: {broken} consumer(s) need to migrate before v{diff.Old.Major}'s sunset."
            : broken > 0 ? $" {broken} live consumer(s) would break: publish the change as a new major version ({diff.Old.Major + 1}.0.0) instead."
            : " No live consumer uses what changes."));
    }

    public static void WriteJson(ContractDiffResult diff, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            foreach (var (name, side) in new[] { ("old", diff.Old), ("new", diff.New) })
            {
                json.WriteStartObject(name);
                json.WriteString("contract", side.ContractId);
                json.WriteString("version", side.Version);
                json.WriteNumber("major", side.Major);
                json.WriteString("source", side.Label);
                json.WriteEndObject();
            }

            json.WriteBoolean("breaking", diff.Breaking);
            json.WriteBoolean("newMajor", diff.NewMajor);
            json.WriteBoolean("breaksLiveConsumer", diff.BreaksLiveConsumer);
            json.WriteStartArray("changes");
            foreach (var change in diff.Changes)
            {
                json.WriteStartObject();
                json.WriteString("object", change.Object);
                json.WriteString("column", change.Change.Column);
                json.WriteBoolean("breaking", change.Change.Breaking);
                json.WriteString("description", change.Change.Description);
                json.WriteStartArray("breaks");
                foreach (var consumer in change.Breaks)
                {
                    WriteConsumer(json, consumer);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("consumers");
            foreach (var (name, consumers) in diff.Consumers.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                json.WriteStartArray(name);
                foreach (var consumer in consumers)
                {
                    WriteConsumer(json, consumer);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    private static void WriteConsumer(System.Text.Json.Utf8JsonWriter json, DatasetConsumer consumer)
    {
        json.WriteStartObject();
        json.WriteString("consumer", consumer.Id);
        json.WriteString("via", consumer.Via);
        if (consumer.Columns is { } columns)
        {
            json.WriteStartArray("columns");
            foreach (var column in columns.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(column);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}

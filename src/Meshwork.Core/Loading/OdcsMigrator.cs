using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Loading;

/// <summary>
/// Rewrites the known ODCS v3.0.x forms into their v3.1.0 equivalents before validation, with one warning
/// per rewrite, so that older contracts are read instead of refused: quality <c>rule:</c> becomes
/// <c>metric:</c>, the team array becomes a team object (member <c>comment</c> becomes <c>description</c>),
/// and boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> become numeric bounds.
/// </summary>
public static class OdcsMigrator
{
    // v3.0 library rule names that v3.1 renamed.
    private static readonly Dictionary<string, string> RenamedMetrics = new(StringComparer.Ordinal)
    {
        ["nullCheck"] = "nullValues",
        ["duplicateCount"] = "duplicateValues",
    };

    public static SourceDocument Migrate(SourceDocument document, DiagnosticBag diagnostics)
    {
        if (document.Root.ValueKind != JsonValueKind.Object || !NeedsMigration(document.Root))
        {
            return document;
        }

        var root = JsonNode.Parse(document.Root.GetRawText())!.AsObject();
        var changed = false;

        void Warn(string pointer, string message)
        {
            changed = true;
            diagnostics.Report(Rules.OdcsMigrated, document.Locate(pointer), message);
        }

        MigrateTeam(root, Warn);
        if (root["schema"] is JsonArray schema)
        {
            for (var i = 0; i < schema.Count; i++)
            {
                if (schema[i] is JsonObject obj)
                {
                    MigrateElement(obj, "/schema".Pointer(i), Warn);
                }
            }
        }

        return changed ? document.With(JsonSerializer.SerializeToElement(root)) : document;
    }

    /// <summary>A read-only scan first: most contracts are current, and editing needs a mutable copy.</summary>
    private static bool NeedsMigration(JsonElement root) =>
        root.Member("team") is { ValueKind: JsonValueKind.Array } || root.Items("schema").Any(x => ElementNeedsMigration(x.Item));

    private static bool ElementNeedsMigration(JsonElement element) =>
        element.Items("quality").Any(x => x.Item.Member("rule") is not null && x.Item.Member("metric") is null)
        || (element.Member("logicalTypeOptions") is { ValueKind: JsonValueKind.Object } options
            && (options.Member("exclusiveMinimum") is { ValueKind: JsonValueKind.True or JsonValueKind.False }
                || options.Member("exclusiveMaximum") is { ValueKind: JsonValueKind.True or JsonValueKind.False }))
        || element.Items("properties").Any(x => ElementNeedsMigration(x.Item))
        || (element.Member("items") is { ValueKind: JsonValueKind.Object } items && ElementNeedsMigration(items));

    private static void MigrateTeam(JsonObject root, Action<string, string> warn)
    {
        if (root["team"] is not JsonArray members)
        {
            return;
        }

        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is JsonObject member && member["comment"] is { } comment && !member.ContainsKey("description"))
            {
                member.Remove("comment");
                member["description"] = comment;
                warn("/team".Pointer(i).Pointer("comment"), "Team member 'comment' (v3.0) was read as 'description' (v3.1.0).");
            }
        }

        root.Remove("team");
        root["team"] = new JsonObject { ["members"] = members };
        warn("/team", "The team array (v3.0, deprecated) was read as a team object with members (v3.1.0): write 'team: { name: ..., members: [...] }'.");
    }

    private static void MigrateElement(JsonObject element, string pointer, Action<string, string> warn)
    {
        if (element["quality"] is JsonArray quality)
        {
            for (var i = 0; i < quality.Count; i++)
            {
                if (quality[i] is JsonObject rule && rule["rule"] is JsonValue old && old.TryGetValue<string>(out var name) && !rule.ContainsKey("metric"))
                {
                    var metric = RenamedMetrics.GetValueOrDefault(name, name);
                    rule.Remove("rule");
                    rule["metric"] = metric;
                    warn(pointer.Pointer("quality").Pointer(i).Pointer("rule"), $"Quality 'rule: {name}' (v3.0) was read as 'metric: {metric}' (v3.1.0).");
                }
            }
        }

        if (element["logicalTypeOptions"] is JsonObject options)
        {
            MigrateBound(options, "exclusiveMinimum", "minimum", pointer.Pointer("logicalTypeOptions"), warn);
            MigrateBound(options, "exclusiveMaximum", "maximum", pointer.Pointer("logicalTypeOptions"), warn);
        }

        if (element["properties"] is JsonArray properties)
        {
            for (var i = 0; i < properties.Count; i++)
            {
                if (properties[i] is JsonObject property)
                {
                    MigrateElement(property, pointer.Pointer("properties").Pointer(i), warn);
                }
            }
        }

        if (element["items"] is JsonObject items)
        {
            MigrateElement(items, pointer.Pointer("items"), warn);
        }
    }

    // v3.0: { minimum: 0, exclusiveMinimum: true }; v3.1: { exclusiveMinimum: 0 }.
    private static void MigrateBound(JsonObject options, string exclusive, string inclusive, string pointer, Action<string, string> warn)
    {
        if (options[exclusive] is not JsonValue flag || !flag.TryGetValue<bool>(out var isExclusive))
        {
            return;
        }

        options.Remove(exclusive);
        if (isExclusive && options[inclusive] is { } bound)
        {
            options.Remove(inclusive);
            options[exclusive] = bound;
            warn(pointer.Pointer(exclusive), $"'{exclusive}: true' with '{inclusive}' (v3.0) was read as '{exclusive}: {bound.ToJsonString()}' (v3.1.0).");
        }
        else
        {
            warn(pointer.Pointer(exclusive), $"Boolean '{exclusive}: {(isExclusive ? "true" : "false")}' (v3.0) was dropped: v3.1.0 writes the bound itself as '{exclusive}: <value>'.");
        }
    }
}

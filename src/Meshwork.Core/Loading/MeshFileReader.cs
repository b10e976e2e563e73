using System.Collections.Immutable;
using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Model;

namespace Meshwork.Loading;

/// <summary>Builds the Meshwork-owned files (mesh.yaml, domain.yaml, people.yaml) from their JSON form.</summary>
public static class MeshFileReader
{
    public static MeshSettings ReadMesh(SourceDocument document)
    {
        var root = document.Root;
        var classifications = root.Strings("classifications");
        var defaults = MeshSettings.Defaults(root.Str("name") ?? string.Empty, document.Locate(string.Empty));
        return defaults with
        {
            Description = root.Str("description"),
            DefaultEngine = root.Str("defaultEngine") ?? defaults.DefaultEngine,
            DataFolder = root.Str("dataFolder") ?? defaults.DataFolder,
            PeopleFile = root.Str("people") ?? defaults.PeopleFile,
            PoliciesFolder = root.Str("policies") ?? defaults.PoliciesFolder,
            Classifications = classifications.IsDefaultOrEmpty ? defaults.Classifications : classifications,
            Engines = [.. root.Items("engines").Select(x => new EngineDeclaration(x.Item.Str("name") ?? string.Empty, x.Item.Str("type") ?? string.Empty,
                x.Item.Str("connection"), document.Locate($"/engines/{x.Index}")))],
            Consent = root.Object("privacy").FirstOrDefault(p => p.Key == "consent").Value is { ValueKind: JsonValueKind.String } consent ? consent.GetString() : null,
            ConsentLocation = document.Locate("/privacy/consent"),
        };
    }

    public static Domain ReadDomain(SourceDocument document, string folder)
    {
        var root = document.Root;
        return new Domain(
            Name: root.Str("name") ?? string.Empty,
            Title: root.Str("title"),
            Description: root.Str("description"),
            Owner: root.Str("owner") ?? string.Empty,
            Engine: root.Str("engine"),
            Tags: root.Strings("tags"),
            Folder: folder,
            Location: document.Locate("/name"));
    }

    public static People ReadPeople(SourceDocument document, DiagnosticBag diagnostics)
    {
        var root = document.Root;
        var declarations = root.Object("attributes")
            .Select(a => new AttributeDeclaration(
                a.Key,
                ParseType(a.Value.Str("type")),
                a.Value.Str("description"),
                document.Locate("/attributes".Pointer(a.Key))))
            .OrderBy(a => a.Location.Line)
            .ToImmutableArray();
        var declared = declarations.ToDictionary(a => a.Name, StringComparer.Ordinal);

        var teams = root.Items("teams").Select(x => new Team(
            x.Item.Str("id") ?? string.Empty,
            x.Item.Str("name"),
            x.Item.Str("description"),
            x.Item.Str("domain"),
            x.Item.Str("channel"),
            document.Locate("/teams".Pointer(x.Index)))).ToImmutableArray();

        var principals = root.Items("principals").Select(x =>
        {
            var pointer = "/principals".Pointer(x.Index);
            var attributes = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
            foreach (var (name, value) in x.Item.Object("attributes"))
            {
                var at = document.Locate(pointer.Pointer("attributes").Pointer(name));
                if (!declared.TryGetValue(name, out var declaration))
                {
                    diagnostics.Report(Rules.UnknownAttribute, at, $"Principal attribute '{name}' is not declared under 'attributes:' in {document.File}.");
                    continue;
                }

                if (Convert(value, declaration.Type) is { } converted)
                {
                    attributes[name] = converted;
                }
                else
                {
                    diagnostics.Report(Rules.UnknownAttribute, at,
                        $"Attribute '{name}' is declared as {TypeName(declaration.Type)} but the value is {Describe(value)}.");
                }
            }

            return new Principal(
                x.Item.Str("id") ?? string.Empty,
                x.Item.Str("kind") == "service" ? PrincipalKind.Service : PrincipalKind.Person,
                x.Item.Str("name"),
                x.Item.Str("email"),
                x.Item.Str("team"),
                x.Item.Strings("roles"),
                attributes.ToImmutable(),
                document.Locate(pointer));
        }).ToImmutableArray();

        return new People(declarations, teams, principals);
    }

    public static string TypeName(AttributeType type) => type switch
    {
        AttributeType.Int => "int",
        AttributeType.Double => "double",
        AttributeType.Bool => "bool",
        AttributeType.StringList => "list<string>",
        _ => "string",
    };

    private static AttributeType ParseType(string? name) => name switch
    {
        "int" => AttributeType.Int,
        "double" => AttributeType.Double,
        "bool" => AttributeType.Bool,
        "list<string>" => AttributeType.StringList,
        _ => AttributeType.String,
    };

    private static object? Convert(JsonElement value, AttributeType type) => type switch
    {
        AttributeType.String when value.ValueKind == JsonValueKind.String => value.GetString(),
        AttributeType.Int when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) => l,
        AttributeType.Double when value.ValueKind == JsonValueKind.Number => value.GetDouble(),
        AttributeType.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
        AttributeType.StringList when value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
            value.EnumerateArray().Select(v => v.GetString()!).ToImmutableArray(),
        _ => null,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "a mapping",
        _ => "null",
    };
}

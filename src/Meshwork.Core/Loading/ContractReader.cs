using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Meshwork.Documents;
using Meshwork.Model;

namespace Meshwork.Loading;

/// <summary>Builds a <see cref="Contract"/> from an ODCS document's JSON form.</summary>
public static class ContractReader
{
    private static readonly string[] LinkFields = ["url", "invitationUrl"];

    private static readonly string[] Operators =
        ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"];

    /// <summary>
    /// A contract from YAML text held in memory (tests, tools, an API body): parsed and read as the loader would,
    /// without the schema check. Throws <see cref="MeshworkException"/> listing the problems when the YAML does not parse.
    /// </summary>
    public static Contract Parse(string yaml, string file = "contract.odcs.yaml")
    {
        var diagnostics = new Diagnostics.DiagnosticBag();
        var document = YamlDocumentReader.Parse(yaml, file, file, diagnostics)
            ?? throw new MeshworkException(string.Join('\n', diagnostics.ToSortedList()));
        return Read(document, ".");
    }

    public static Contract Read(SourceDocument document, string folder)
    {
        var root = document.Root;
        return new Contract(
            Id: root.Str("id") ?? string.Empty,
            Name: root.Str("name"),
            Version: root.Str("version") ?? string.Empty,
            Status: root.Str("status") ?? string.Empty,
            ApiVersion: root.Str("apiVersion") ?? string.Empty,
            Domain: root.Str("domain"),
            DataProduct: root.Str("dataProduct"),
            Purpose: root.Member("description") is { } description ? description.Str("purpose") : null,
            Schema: [.. root.Items("schema").Select(x => ReadObject(document, x.Item, "/schema".Pointer(x.Index)))],
            Servers: [.. root.Items("servers").Select(x => ReadServer(document, x.Item, "/servers".Pointer(x.Index)))],
            Sla: [.. root.Items("slaProperties").Select(x => new SlaProperty(
                x.Item.Str("property") ?? string.Empty,
                x.Item.Member("value") ?? default,
                x.Item.Str("unit"),
                x.Item.Str("element"),
                document.Locate("/slaProperties".Pointer(x.Index))))],
            CustomProperties: ReadCustomProperties(document, root, string.Empty),
            Tags: root.Strings("tags"),
            File: document.File,
            Location: document.Locate("/id"))
        {
            Folder = folder,
            Document = root,
            VersionLocation = document.Map.LocateValue("/version"),
            DomainLocation = document.Map.LocateValue("/domain"),
            DataProductLocation = document.Map.LocateValue("/dataProduct"),
            Links = ReadLinks(document),
        };
    }

    /// <summary>The support channels' URLs (ODCS and ODPS share the shape), located at their values.</summary>
    internal static ImmutableArray<LinkField> ReadLinks(SourceDocument document) =>
        [.. document.Root.Items("support").SelectMany(x => LinkFields.Select(field => (Field: field, Url: x.Item.Str(field)))
            .Where(link => link.Url is not null)
            .Select(link => new LinkField(
                $"support[{x.Index.ToString(CultureInfo.InvariantCulture)}].{link.Field}",
                link.Url!,
                document.Map.LocateValue("/support".Pointer(x.Index).Pointer(link.Field)))))];

    internal static ImmutableArray<CustomProperty> ReadCustomProperties(SourceDocument document, JsonElement element, string pointer) =>
        [.. element.Items("customProperties")
            .Where(x => x.Item.Str("property") is not null)
            .Select(x => new CustomProperty(
                x.Item.Str("property")!,
                x.Item.Member("value") ?? default,
                document.Locate(pointer.Pointer("customProperties").Pointer(x.Index))))];

    private static SchemaObject ReadObject(SourceDocument document, JsonElement element, string pointer) =>
        new(
            Name: element.Str("name") ?? string.Empty,
            PhysicalName: element.Str("physicalName"),
            PhysicalType: element.Str("physicalType"),
            BusinessName: element.Str("businessName"),
            Description: element.Str("description"),
            Properties: ReadProperties(document, element, pointer),
            Quality: ReadQuality(document, element, pointer),
            Relationships: ReadRelationships(document, element, pointer),
            Tags: element.Strings("tags"),
            CustomProperties: ReadCustomProperties(document, element, pointer),
            Location: document.Locate(pointer));

    private static ImmutableArray<SchemaProperty> ReadProperties(SourceDocument document, JsonElement element, string pointer) =>
        [.. element.Items("properties").Select(x => ReadProperty(document, x.Item, pointer.Pointer("properties").Pointer(x.Index)))];

    private static SchemaProperty ReadProperty(SourceDocument document, JsonElement element, string pointer) =>
        new(
            Name: element.Str("name") ?? string.Empty,
            LogicalType: element.Str("logicalType"),
            PhysicalType: element.Str("physicalType"),
            Description: element.Str("description"),
            Required: element.Bool("required"),
            Unique: element.Bool("unique"),
            PrimaryKey: element.Bool("primaryKey"),
            PrimaryKeyPosition: element.Int("primaryKeyPosition") ?? -1,
            Classification: element.Str("classification"),
            Tags: element.Strings("tags"),
            LogicalTypeOptions: element.Object("logicalTypeOptions"),
            Quality: ReadQuality(document, element, pointer),
            Relationships: ReadRelationships(document, element, pointer),
            Properties: ReadProperties(document, element, pointer),
            Items: element.Member("items") is { ValueKind: JsonValueKind.Object } items ? ReadProperty(document, items, pointer.Pointer("items")) : null,
            CustomProperties: ReadCustomProperties(document, element, pointer),
            Location: document.Locate(pointer))
        {
            ClassificationLocation = document.Map.LocateValue(pointer.Pointer("classification")),
        };

    private static ImmutableArray<QualityRule> ReadQuality(SourceDocument document, JsonElement element, string pointer) =>
        [.. element.Items("quality").Select(x =>
        {
            var rule = x.Item;
            var op = Operators.FirstOrDefault(o => rule.Member(o) is not null);
            var metric = rule.Str("metric");
            return new QualityRule(
                Type: rule.Str("type") ?? (metric is not null ? "library" : rule.Member("query") is not null ? "sql" : "library"),
                Metric: metric,
                Query: rule.Str("query"),
                Name: rule.Str("name"),
                Description: rule.Str("description"),
                Dimension: rule.Str("dimension"),
                Severity: rule.Str("severity"),
                Threshold: op is null ? null : new QualityThreshold(op, rule.Member(op)!.Value),
                Arguments: rule.Object("arguments"),
                Unit: rule.Str("unit"),
                Location: document.Locate(pointer.Pointer("quality").Pointer(x.Index)));
        })];

    private static ImmutableArray<Relationship> ReadRelationships(SourceDocument document, JsonElement element, string pointer) =>
        [.. element.Items("relationships").Select(x => new Relationship(
            x.Item.Str("type") ?? "foreignKey",
            x.Item.StringOrStrings("from"),
            x.Item.StringOrStrings("to"),
            document.Locate(pointer.Pointer("relationships").Pointer(x.Index))))];

    private static Server ReadServer(SourceDocument document, JsonElement element, string pointer) =>
        new(
            Name: element.Str("server"),
            Type: element.Str("type") ?? string.Empty,
            Environment: element.Str("environment"),
            Path: element.Str("path") ?? element.Str("location"),
            Format: element.Str("format"),
            Host: element.Str("host"),
            Port: element.Int("port"),
            Database: element.Str("database"),
            SchemaName: element.Str("schema"),
            Location: document.Locate(pointer))
        {
            PathLocation = document.Map.LocateValue(pointer.Pointer("path")),
        };
}

using System.Collections.Immutable;
using Meshwork.Documents;
using Meshwork.Model;

namespace Meshwork.Loading;

/// <summary>Builds a <see cref="DataProduct"/> from an ODPS document's JSON form.</summary>
public static class ProductReader
{
    /// <param name="document">The parsed product.odps.yaml.</param>
    /// <param name="domain">The domain folder's name (the product's domain by layout).</param>
    /// <param name="name">The product folder's name.</param>
    /// <param name="folder">The product folder, relative to the repository.</param>
    /// <param name="transforms">The SQL files beside the product.</param>
    public static DataProduct Read(SourceDocument document, string domain, string name, string folder, ImmutableArray<TransformFile> transforms)
    {
        var root = document.Root;
        var description = root.Member("description") is { } d
            ? new ProductDescription(d.Str("purpose"), d.Str("limitations"), d.Str("usage"))
            : ProductDescription.None;
        var team = root.Member("team");
        return new DataProduct(
            Domain: domain,
            Name: name,
            Id: root.Str("id") ?? string.Empty,
            Title: root.Str("name"),
            Version: root.Str("version"),
            Status: root.Str("status") ?? string.Empty,
            Description: description,
            Tags: root.Strings("tags"),
            OwnerTeam: team?.Str("name"),
            Members: team is { } t
                ? [.. t.Items("members").Select(x => new TeamMember(x.Item.Str("username") ?? string.Empty, x.Item.Str("name"), x.Item.Str("role"),
                    document.Locate("/team/members".Pointer(x.Index))))]
                : [],
            InputPorts: [.. root.Items("inputPorts").Select(x =>
            {
                var pointer = "/inputPorts".Pointer(x.Index);
                return new InputPort(x.Item.Str("name") ?? string.Empty, x.Item.Str("version") ?? string.Empty, x.Item.Str("contractId") ?? string.Empty,
                    x.Item.Strings("tags"), document.Locate(pointer))
                {
                    ContractLocation = document.Map.LocateValue(pointer.Pointer("contractId")),
                };
            })],
            OutputPorts: [.. root.Items("outputPorts").Select(x =>
            {
                var pointer = "/outputPorts".Pointer(x.Index);
                return new OutputPort(x.Item.Str("name") ?? string.Empty, x.Item.Str("version") ?? string.Empty, x.Item.Str("contractId"),
                    x.Item.Str("type"), x.Item.Str("description"), x.Item.Strings("tags"),
                    ContractReader.ReadCustomProperties(document, x.Item, pointer), document.Locate(pointer))
                {
                    VersionLocation = document.Map.LocateValue(pointer.Pointer("version")),
                    ContractLocation = document.Map.LocateValue(pointer.Pointer("contractId")),
                };
            })],
            Support: [.. root.Items("support").Select(x => new SupportChannel(x.Item.Str("channel") ?? string.Empty, x.Item.Str("url") ?? string.Empty,
                x.Item.Str("tool"), x.Item.Str("scope")))],
            CustomProperties: ContractReader.ReadCustomProperties(document, root, string.Empty),
            Transforms: transforms,
            Folder: folder,
            File: document.File,
            Location: document.Locate("/id"))
        {
            DeclaredDomain = root.Str("domain"),
            Links = ContractReader.ReadLinks(document),
        };
    }
}

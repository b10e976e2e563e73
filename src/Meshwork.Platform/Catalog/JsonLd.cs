using System.Text.Json.Nodes;

namespace Meshwork.Platform.Catalog;

/// <summary>A product as linked data: a DCAT 3 <c>dcat:Dataset</c> that is also a schema.org <c>Dataset</c>, one distribution per format.</summary>
public static class JsonLd
{
    public const string MediaType = "application/ld+json";

    private static readonly (string Format, string MediaType)[] Formats =
    [
        ("arrow", "application/vnd.apache.arrow.stream"), ("parquet", "application/vnd.apache.parquet"), ("csv", "text/csv"), ("ndjson", "application/x-ndjson"),
    ];

    public static JsonObject Product(ProductDetail product, string baseUrl)
    {
        var self = $"{baseUrl}/api/v1/products/{product.Key}";
        return new JsonObject
        {
            ["@context"] = new JsonObject
            {
                ["dcat"] = "http://www.w3.org/ns/dcat#",
                ["dct"] = "http://purl.org/dc/terms/",
                ["schema"] = "https://schema.org/",
                ["foaf"] = "http://xmlns.com/foaf/0.1/",
            },
            ["@id"] = self,
            ["@type"] = new JsonArray("dcat:Dataset", "schema:Dataset"),
            ["dct:identifier"] = product.Id,
            ["dct:title"] = product.Title ?? product.Name,
            ["schema:name"] = product.Title ?? product.Name,
            ["dct:description"] = product.Description.Purpose,
            ["schema:description"] = product.Description.Purpose,
            ["dcat:keyword"] = new JsonArray([.. product.Tags.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["dcat:theme"] = product.Domain,
            ["dct:publisher"] = new JsonObject { ["@type"] = "foaf:Agent", ["foaf:name"] = product.Owner.Name ?? product.Owner.Team },
            ["dcat:contactPoint"] = product.Owner.Channel,
            ["dcat:version"] = product.Version,
            ["dct:modified"] = product.Datasets.Select(d => d.PublishedAt).Max()?.ToString("O"),
            ["dct:isPartOf"] = $"{baseUrl}/api/v1/domains/{product.Domain}",
            ["dct:source"] = new JsonArray([.. product.Lineage.Upstream.Select(u => (JsonNode?)JsonValue.Create($"{baseUrl}/api/v1/products/{u}"))]),
            ["dcat:distribution"] = new JsonArray([.. product.Datasets.SelectMany(d => Formats.Select(f => (JsonNode?)new JsonObject
            {
                ["@type"] = new JsonArray("dcat:Distribution", "schema:DataDownload"),
                ["dct:title"] = $"{d.Address} ({f.Format})",
                ["dcat:accessURL"] = $"{baseUrl}{d.Data}?format={f.Format}",
                ["schema:contentUrl"] = $"{baseUrl}{d.Data}?format={f.Format}",
                ["dcat:mediaType"] = f.MediaType,
                ["schema:encodingFormat"] = f.MediaType,
                ["dct:conformsTo"] = d.ContractId,
            }))]),
            ["schema:variableMeasured"] = new JsonArray([.. product.Datasets.SelectMany(d => d.Columns).Select(c => (JsonNode?)new JsonObject
            {
                ["@type"] = "schema:PropertyValue",
                ["schema:name"] = c.Name,
                ["schema:description"] = c.Description,
            })]),
        };
    }
}

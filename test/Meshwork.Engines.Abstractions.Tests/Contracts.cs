using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Engines.Tests;

/// <summary>Contracts from YAML text, as the loader reads them.</summary>
internal static class Contracts
{
    public static Contract Parse(string schemaYaml)
    {
        var yaml = "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\nschema:\n" + schemaYaml;
        return ContractReader.Parse(yaml, "c.odcs.yaml");
    }

    /// <summary>One property, written as a mapping (<c>name: c\nlogicalType: ...</c>).</summary>
    public static SchemaProperty Property(string propertyYaml) =>
        Parse("  - name: t\n    properties:\n" + string.Concat(propertyYaml.Split('\n').Where(l => l.Length > 0).Select((l, i) => (i == 0 ? "      - " : "        ") + l + "\n"))).Schema[0].Properties[0];
}

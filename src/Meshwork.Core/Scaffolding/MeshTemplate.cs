using System.Text.RegularExpressions;

namespace Meshwork.Scaffolding;

public sealed record MeshTemplateOptions(string MeshName, string Domain, string Product);

/// <summary>
/// The files of a new mesh repository (<c>mesh init</c>): mesh.yaml, people.yaml, one domain, one product
/// with one output contract and a transform. The result lints clean; a test keeps it so.
/// </summary>
public static partial class MeshTemplate
{
    /// <summary>A mesh name derived from a folder name (lowercase, invalid characters replaced).</summary>
    public static string NameFromFolder(string folder)
    {
        var name = InvalidMeshChars().Replace(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)).ToLowerInvariant(), "-").Trim('-');
        return name.Length == 0 || !char.IsAsciiLetterLower(name[0]) ? "mesh" : name;
    }

    /// <summary>Relative path → content.</summary>
    public static IReadOnlyDictionary<string, string> Render(MeshTemplateOptions options)
    {
        var (mesh, domain, product) = (options.MeshName, options.Domain, options.Product);
        var team = $"team-{domain.Replace('_', '-')}";
        var folder = $"domains/{domain}/{product}";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["mesh.yaml"] = $"""
                # The mesh repository's root. Reference: docs/reference/formats.md
                apiVersion: meshwork/v1
                kind: Mesh
                name: {mesh}
                description: A new Meshwork data mesh.
                defaultEngine: duckdb
                dataFolder: .mesh
                people: people.yaml
                policies: policies
                classifications: [public, internal, confidential, restricted]

                """,
            ["people.yaml"] = $"""
                # Teams and principals. Policies decide on the attributes declared here.
                apiVersion: meshwork/v1
                kind: People
                attributes:
                  clearance:
                    type: int
                    description: Highest classification level the principal may see (0-3).
                  country:
                    type: string
                    description: ISO 3166 country code.
                teams:
                  - id: {team}
                    name: {Title(domain)}
                    domain: {domain}
                principals:
                  - id: owner
                    name: Product Owner
                    team: {team}
                    roles: [owner]
                    attributes:
                      clearance: 3
                      country: DE
                  - id: admin
                    name: Platform Admin
                    roles: [admin]
                    attributes:
                      clearance: 3

                """,
            [$"domains/{domain}/domain.yaml"] = $"""
                apiVersion: meshwork/v1
                kind: Domain
                name: {domain}
                title: {Title(domain)}
                description: The {domain} domain.
                owner: {team}

                """,
            [$"{folder}/product.odps.yaml"] = $"""
                # A data product (ODPS v1.0.0). Its output port publishes the contract beside it.
                apiVersion: v1.0.0
                kind: DataProduct
                id: {domain}.{product}
                name: {Title(product)}
                domain: {domain}
                status: draft
                version: 1.0.0
                description:
                  purpose: Describe what this product offers and to whom.
                tags: [{domain}]
                team:
                  name: {team}
                  members:
                    - username: owner
                      role: owner
                outputPorts:
                  - name: {product}
                    description: The {product} dataset.
                    type: tables
                    version: 1.0.0
                    contractId: {domain}.{product}.v1

                """,
            [$"{folder}/{product}.odcs.yaml"] = $"""
                # The output contract (ODCS v3.1.0): what consumers may rely on.
                apiVersion: v3.1.0
                kind: DataContract
                id: {domain}.{product}.v1
                name: {Title(product)}
                version: 1.0.0
                status: draft
                domain: {domain}
                dataProduct: {product}
                description:
                  purpose: Describe the dataset.
                schema:
                  - name: {product}
                    physicalType: table
                    description: One row per record.
                    properties:
                      - name: id
                        logicalType: integer
                        required: true
                        unique: true
                        primaryKey: true
                        description: Identifier.
                      - name: label
                        logicalType: string
                        required: true
                        classification: internal
                        description: A label.
                    quality:
                      - metric: rowCount
                        mustBeGreaterThan: 0
                        description: The dataset is not empty.

                """,
            [$"{folder}/transform.sql"] = """
                -- How the output port's dataset is computed. Input ports are named by their address
                -- (upstream products) or by their port name (sources). This product has no input yet.
                SELECT * FROM (VALUES (1, 'first'), (2, 'second')) AS t(id, label)

                """,
        };
    }

    private static string Title(string name) =>
        string.Join(' ', name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex InvalidMeshChars();
}

using System.Globalization;
using System.Text;

namespace Meshwork.Benchmarks;

/// <summary>What <see cref="MeshGenerator.Write"/> produced.</summary>
/// <param name="Root">The absolute path of the repository folder.</param>
/// <param name="Products">Data products written.</param>
/// <param name="Domains">Domains they are spread over.</param>
/// <param name="LintFiles">Files <c>mesh lint</c> reads or lists: every YAML file and every transform.sql.</param>
/// <param name="DataFiles">The tiny CSV files source contracts point at (lint only checks they exist).</param>
/// <param name="LintBytes">Total size of <paramref name="LintFiles"/>.</param>
public sealed record GeneratedMesh(string Root, int Products, int Domains, int LintFiles, int DataFiles, long LintBytes);

/// <summary>
/// Writes a synthetic mesh repository that lints with no errors and no warnings. Each product has
/// product.odps.yaml, an output contract (8–15 columns with classifications, tags, quality rules and SLAs),
/// a source contract over a local CSV, and transform.sql. Three products in four also consume one or two
/// earlier products' outputs, so lineage forms acyclic chains across domains. Deterministic: the same
/// count always gives the same files.
/// </summary>
public static class MeshGenerator
{
    public const int DomainCount = 20;

    private static readonly string[] DomainNames =
    [
        "sales", "marketing", "finance", "logistics", "inventory", "customers", "hr", "payments", "support", "catalog",
        "pricing", "risk", "fraud", "shipping", "procurement", "analytics", "billing", "web", "mobile", "partners",
    ];

    private static readonly string[] Entities =
    [
        "orders", "customers", "invoices", "payments", "shipments", "products", "returns", "refunds", "carts", "sessions",
        "leads", "campaigns", "tickets", "contracts", "accounts", "suppliers", "stock", "prices", "reviews", "subscriptions",
    ];

    private sealed record Column(string Name, string Type, string Physical, string Classification, string[] Tags, string[] Options, string Description);

    // Output contracts take the first 8–15 of these; sources the first 6. The first 8 are the ones the
    // quality rules and meshwork.* properties name, so every contract has them.
    private static readonly Column[] Columns =
    [
        new("id", "integer", "BIGINT", "internal", [], [], "Surrogate key."),
        new("customer_id", "string", "VARCHAR", "internal", ["subject-key"], ["minLength: 1"], "The customer the row is about."),
        new("customer_email", "string", "VARCHAR", "confidential", ["pii", "pii:email"], ["format: email"], "Customer e-mail address."),
        new("amount", "number", "DECIMAL(18,2)", "internal", ["finance"], ["minimum: 0"], "Gross amount in the row's currency."),
        new("currency", "string", "VARCHAR(3)", "public", [], ["minLength: 3", "maxLength: 3"], "ISO 4217 currency code."),
        new("status", "string", "VARCHAR", "public", [], [], "Lifecycle status."),
        new("created_at", "timestamp", "TIMESTAMP", "internal", [], [], "When the row was created (event time)."),
        new("country", "string", "VARCHAR(2)", "public", [], ["pattern: '^[A-Z]{2}$'"], "ISO 3166 country code."),
        new("quantity", "integer", "INTEGER", "internal", [], ["minimum: 0"], "Number of units."),
        new("is_active", "boolean", "BOOLEAN", "public", [], [], "Whether the record is current."),
        new("order_date", "date", "DATE", "internal", [], ["format: yyyy-MM-dd"], "Business date."),
        new("customer_name", "string", "VARCHAR", "restricted", ["pii", "pii:name"], [], "Customer full name."),
        new("channel", "string", "VARCHAR", "public", [], [], "Sales channel."),
        new("score", "number", "DOUBLE", "internal", [], ["minimum: 0", "maximum: 1"], "Model score between 0 and 1."),
        new("updated_at", "timestamp", "TIMESTAMP", "internal", [], [], "When the row last changed."),
    ];

    private const int SourceColumns = 6;

    /// <summary>Writes a mesh of <paramref name="products"/> products into <paramref name="root"/> (created; must be empty if it exists).</summary>
    /// <param name="root">The repository folder.</param>
    /// <param name="products">How many products.</param>
    /// <param name="schedule">
    /// A cron expression every product is scheduled with (product-level <c>meshwork.schedule</c>, the one the scheduler
    /// reads); none when null, so the default mesh's files stay as they were.
    /// </param>
    /// <param name="lineage">
    /// False: every product is source-aligned (<see cref="Upstreams"/> unused), so none needs an access agreement to read
    /// another domain's data, and every run a product makes is its own (schedule or manual), not an upstream's.
    /// </param>
    public static GeneratedMesh Write(string root, int products, string? schedule = null, bool lineage = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(products, 1);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new IOException($"'{root}' is not empty; the generator writes into a new or empty folder.");
        }

        var domains = Math.Min(DomainCount, products);
        var (files, bytes) = (0, 0L);
        void Emit(string relative, string content)
        {
            Save(Path.Combine(root, relative), content);
            files++;
            bytes += Encoding.UTF8.GetByteCount(content);
        }

        Emit("mesh.yaml", MeshYaml());
        Emit("people.yaml", PeopleYaml(domains));
        for (var d = 0; d < domains; d++)
        {
            Emit($"domains/{DomainNames[d]}/domain.yaml", DomainYaml(d));
        }

        for (var i = 0; i < products; i++)
        {
            var folder = $"domains/{Domain(i)}/{Name(i)}";
            Emit($"{folder}/product.odps.yaml", ProductYaml(i, schedule, lineage));
            Emit($"{folder}/{Name(i)}.odcs.yaml", OutputContractYaml(i, lineage));
            Emit($"{folder}/{Name(i)}_raw.odcs.yaml", SourceContractYaml(i));
            Emit($"{folder}/transform.sql", TransformSql(i, lineage));
            // Not a lint input: the source contract's path must match a file, nothing more.
            Save(Path.Combine(root, folder, "data", Name(i) + ".csv"), SourceCsv());
        }

        return new GeneratedMesh(Path.GetFullPath(root), products, domains, files, products, bytes);
    }

    private static void Save(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public static string Domain(int i) => DomainNames[i % DomainCount];

    public static string Name(int i) => $"{Entities[i / DomainCount % Entities.Length]}_{i.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The earlier products product <paramref name="i"/> consumes: none for every fourth product (source-aligned),
    /// else one of the 25 before it, and for every third also one about half-way back. Upstreams always have a
    /// lower index, so lineage has no cycle.
    /// </summary>
    public static IReadOnlyList<int> Upstreams(int i)
    {
        if (i % 4 == 0)
        {
            return [];
        }

        var first = i - 1 - (i * 7 % Math.Min(i, 25));
        var second = i / 2;
        return i % 3 == 0 && second != first ? [first, second] : [first];
    }

    private static IReadOnlyList<int> Inputs(int i, bool lineage) => lineage ? Upstreams(i) : [];

    // Every tenth product publishes major version 2, so version agreement and addresses are not all _v1.
    private static int Major(int i) => i % 10 == 9 ? 2 : 1;

    private static string Key(int i) => $"{Domain(i)}.{Name(i)}";

    private static string OutputContractId(int i) => $"{Key(i)}.v{Major(i)}";

    private static string SourceContractId(int i) => $"{Key(i)}.raw.v1";

    private static int ColumnCount(int i) => 8 + (i % 8);

    private static string Title(string name) =>
        string.Join(' ', name.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    public static string MeshYaml() => """
        apiVersion: meshwork/v1
        kind: Mesh
        name: bench
        description: A generated mesh for benchmarks (bench/Meshwork.Benchmarks).
        defaultEngine: duckdb
        dataFolder: .meshwork
        people: people.yaml
        policies: policies
        classifications: [public, internal, confidential, restricted]

        """;

    public static string PeopleYaml(int domains)
    {
        var yaml = new StringBuilder("""
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

            """);
        for (var d = 0; d < domains; d++)
        {
            var domain = DomainNames[d];
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - id: team-{domain}
                    name: {Title(domain)}
                    domain: {domain}
                    channel: "#{domain}-data"

                """);
        }

        yaml.Append("principals:\n");
        for (var d = 0; d < domains; d++)
        {
            var domain = DomainNames[d];
            foreach (var (role, clearance) in new[] { ("owner", 3), ("steward", 2) })
            {
                yaml.Append(CultureInfo.InvariantCulture, $"""
                      - id: {role}-{domain}
                        name: {Title(domain)} {Title(role)}
                        email: {role}.{domain}@example.com
                        team: team-{domain}
                        roles: [{role}]
                        attributes:
                          clearance: {clearance}
                          country: DE

                    """);
            }
        }

        yaml.Append("""
              - id: admin
                name: Platform Admin
                roles: [admin]
                attributes:
                  clearance: 3

            """);
        return yaml.ToString();
    }

    public static string DomainYaml(int d) => $"""
        apiVersion: meshwork/v1
        kind: Domain
        name: {DomainNames[d]}
        title: {Title(DomainNames[d])}
        description: The {DomainNames[d]} domain and its data products.
        owner: team-{DomainNames[d]}
        engine: duckdb
        tags: [{DomainNames[d]}, generated]

        """;

    public static string ProductYaml(int i, string? schedule = null, bool lineage = true)
    {
        var (domain, name) = (Domain(i), Name(i));
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            apiVersion: v1.0.0
            kind: DataProduct
            id: {Key(i)}
            name: {Title(name)}
            domain: {domain}
            status: active
            version: {Major(i)}.{i % 7}.0
            description:
              purpose: {Title(name)} of the {domain} domain, cleaned and conformed for analytics.
              limitations: Rows arrive once a day; late corrections appear the day after.
              usage: Join on customer_id; filter on created_at for incremental loads.
            tags: [{domain}, {Entities[i / DomainCount % Entities.Length]}, generated]
            team:
              name: team-{domain}
              members:
                - username: owner-{domain}
                  role: owner
                - username: steward-{domain}
                  role: data steward
            inputPorts:
              - name: raw
                version: 1.0.0
                contractId: {SourceContractId(i)}
                tags: [source]

            """);
        foreach (var u in Inputs(i, lineage))
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - name: {Name(u)}
                    version: {Major(u)}.0.0
                    contractId: {OutputContractId(u)}
                    tags: [upstream]

                """);
        }

        yaml.Append(CultureInfo.InvariantCulture, $"""
            outputPorts:
              - name: {name}
                description: The {name} dataset.
                type: tables
                version: {Major(i)}.0.0
                contractId: {OutputContractId(i)}
                customProperties:
                  - property: meshwork.schedule
                    value: "0 {i % 24} * * *"
            support:
              - channel: "#{domain}-data"
                url: https://chat.example.com/channels/{domain}-data
                tool: slack
                scope: interactive
            customProperties:
              - property: meshwork.engine
                value: duckdb

            """);
        if (schedule is not null)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - property: meshwork.schedule
                    value: "{schedule}"

                """);
        }

        return yaml.ToString();
    }

    public static string OutputContractYaml(int i, bool lineage = true)
    {
        var (domain, name) = (Domain(i), Name(i));
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: {OutputContractId(i)}
            name: {Title(name)}
            version: {Major(i)}.{i % 5}.0
            status: active
            domain: {domain}
            dataProduct: {name}
            tags: [{domain}, generated]
            description:
              purpose: {Title(name)} as published by {Key(i)}.
              usage: Analytics and downstream products.
              limitations: Amounts are gross; refunds are in their own product.
            schema:
              - name: {name}
                physicalName: {name}_v{Major(i)}
                physicalType: table
                businessName: {Title(name)}
                description: One row per {name.Split('_')[0]} record.
                tags: [{domain}]
                properties:

            """);
        var upstreams = Inputs(i, lineage);
        for (var c = 0; c < ColumnCount(i); c++)
        {
            AppendProperty(yaml, Columns[c], upstreams.Count > 0 && c == 1 ? Name(upstreams[0]) : null);
        }

        yaml.Append(CultureInfo.InvariantCulture, $"""
                quality:
                  - metric: rowCount
                    mustBeGreaterThan: 0
                    dimension: completeness
                    description: The dataset is not empty.
                  - metric: duplicateValues
                    arguments:
                      properties: [id]
                    mustBe: 0
                    dimension: uniqueness
                    severity: error
                  - type: sql
                    name: no_negative_amounts
                    query: SELECT COUNT(*) FROM {name} WHERE amount < 0
                    mustBe: 0
                    dimension: accuracy
                customProperties:
                  - property: meshwork.subjectKey
                    value: customer_id
                  - property: meshwork.eventTime
                    value: created_at
            slaProperties:
              - property: freshness
                value: 1
                unit: d
                element: {name}.created_at
              - property: retention
                value: 3
                unit: y
            support:
              - channel: "#{domain}-data"
                url: https://chat.example.com/channels/{domain}-data
                tool: slack
            customProperties:
              - property: meshwork.retention
                value: P3Y
              - property: meshwork.allowedPurposes
                value: [analytics, reporting]

            """);
        return yaml.ToString();
    }

    public static string SourceContractYaml(int i)
    {
        var (domain, name) = (Domain(i), Name(i));
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: {SourceContractId(i)}
            name: {Title(name)} (raw)
            version: 1.0.0
            status: active
            domain: {domain}
            tags: [{domain}, source]
            description:
              purpose: The operational export {Key(i)} is built from.
            servers:
              - server: local
                type: local
                format: csv
                path: ./data/{name}.csv
                description: Daily CSV export.
            schema:
              - name: {name}_raw
                physicalType: file
                properties:

            """);
        for (var c = 0; c < SourceColumns; c++)
        {
            AppendProperty(yaml, Columns[c], upstream: null);
        }

        yaml.Append("""
                quality:
                  - metric: rowCount
                    mustBeGreaterThan: 0

            """);
        return yaml.ToString();
    }

    public static string TransformSql(int i, bool lineage = true)
    {
        var columns = string.Join(", ", Columns.Take(ColumnCount(i)).Skip(SourceColumns).Select(c => "NULL AS " + c.Name));
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            -- {Key(i)}: its raw source joined with the upstream products it consumes (by dataset address).
            SELECT r.id, r.customer_id, r.customer_email, r.amount, r.currency, r.status, {columns}
            FROM raw AS r

            """);
        var n = 0;
        foreach (var u in Inputs(i, lineage))
        {
            n++;
            sql.Append(CultureInfo.InvariantCulture,
                $"LEFT JOIN {Key(u)}.{Name(u)}_v{Major(u)} AS u{n} ON u{n}.customer_id = r.customer_id\n");
        }

        return sql.ToString();
    }

    private static string SourceCsv() =>
        "id,customer_id,customer_email,amount,currency,status\n1,c1,a@example.com,10.50,EUR,open\n2,c2,b@example.com,7.00,EUR,closed\n";

    private static void AppendProperty(StringBuilder yaml, Column column, string? upstream)
    {
        var id = column.Name == "id";
        yaml.Append(CultureInfo.InvariantCulture, $"""
                  - name: {column.Name}
                    logicalType: {column.Type}
                    physicalType: {column.Physical}
                    description: {column.Description}
                    required: {(id || column.Tags.Contains("subject-key") ? "true" : "false")}
                    classification: {column.Classification}

            """);
        if (id)
        {
            yaml.Append("""
                        unique: true
                        primaryKey: true
                        primaryKeyPosition: 1

                """);
        }

        if (column.Tags.Length > 0)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"        tags: [{string.Join(", ", column.Tags.Select(t => $"\"{t}\""))}]\n");
        }

        if (column.Options.Length > 0)
        {
            yaml.Append("        logicalTypeOptions:\n");
            foreach (var option in column.Options)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"          {option}\n");
            }
        }

        if (upstream is not null)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                        relationships:
                          - type: foreignKey
                            to: {upstream}.customer_id

                """);
        }

        if (id || column.Classification is "confidential" or "restricted")
        {
            yaml.Append("""
                        quality:
                          - metric: nullValues
                            mustBe: 0
                            dimension: completeness

                """);
        }
    }
}
